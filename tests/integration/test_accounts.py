"""Built-in accounts against real Postgres: argon2id, token rotation and reuse, guest adoption,
profile, deletion cascade, admin-only routes, audit log."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from sqlalchemy import func, select
from tests.integration.http_helpers import app_client, bearer, register

from booktutor.auth.tokens import ACCESS_AUDIENCE, ACCESS_ISSUER
from booktutor.memory.account_models import AuditEvent, Credential, RefreshToken
from booktutor.memory.models import Message, Thread, User
from booktutor.security import server_secret

pytestmark = pytest.mark.integration


@pytest.fixture
async def http(services):
    async with app_client(services) as client:
        yield client


@pytest.fixture
async def book(ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")


async def _count(db, model, *where) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def _events(db, name: str) -> list[AuditEvent]:
    async with db.session() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.event == name)))


async def test_register_stores_an_argon2id_hash_and_login_works(http, services):
    tokens = await register(http, "Ada@Example.com", "correct horse battery")
    async with services.db.session() as session:
        credential = await session.get(Credential, uuid.UUID(tokens["user"]["id"]))
    assert credential.password_hash.startswith("$argon2id$")
    assert "correct horse" not in credential.password_hash
    profile = await http.get("/api/v1/users/profile", headers=bearer(tokens))
    assert profile.json()["email"] == "ada@example.com" and profile.json()["kind"] == "account"
    credentials = {"email": "ada@example.com", "password": "correct horse battery"}
    login = await http.post("/api/v1/users/login", json=credentials)
    assert login.status_code == 200 and login.json()["user"]["id"] == tokens["user"]["id"]
    assert login.headers["Cache-Control"] == "no-store"


async def test_duplicate_email_and_weak_input_are_rejected(http):
    await register(http, "dup@example.com")
    again = await http.post("/api/v1/users/register", json={"email": "DUP@example.com", "password": "another password"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "email_taken"
    short = await http.post("/api/v1/users/register", json={"email": "x@example.com", "password": "short"})
    assert short.status_code == 422


async def test_wrong_password_is_401_and_audited(http, services):
    await register(http, "eve@example.com", "right password here")
    for email, password in (("eve@example.com", "wrong password"), ("nobody@example.com", "whatever123")):
        response = await http.post("/api/v1/users/login", json={"email": email, "password": password})
        assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_credentials"
    failures = await _events(services.db, "login_failed")
    assert {e.details["email"] for e in failures} == {"eve@example.com", "nobody@example.com"}
    assert all("password" not in e.details for e in failures)


async def test_refresh_rotates_and_reuse_revokes_the_family(http, services):
    tokens = await register(http)
    first = await http.post("/api/v1/users/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    reuse = await http.post("/api/v1/users/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reuse.status_code == 401 and reuse.json()["error"]["code"] == "refresh_token_reused"
    # the thief's use revoked the legitimate holder's newer token too
    after = await http.post("/api/v1/users/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401 and after.json()["error"]["code"] == "refresh_token_reused"
    assert await _count(services.db, RefreshToken, RefreshToken.revoked_at.is_(None)) == 0
    assert len(await _events(services.db, "refresh_token_reused")) == 2


async def test_logout_revokes_the_refresh_token(http):
    tokens = await register(http)
    out = await http.post("/api/v1/users/logout", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204
    again = await http.post("/api/v1/users/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401
    unknown = await http.post("/api/v1/users/refresh", json={"refresh_token": "made-up"})
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "invalid_token"


def _forge(services, **claims) -> str:
    now = int(time.time())
    base = {
        "sub": "00000000-0000-0000-0000-000000000001",
        "typ": "access",
        "iss": ACCESS_ISSUER,
        "aud": ACCESS_AUDIENCE,
        "iat": now,
        "exp": now + 60,
    }
    return jwt.encode({**base, **claims}, server_secret(services.settings), algorithm="HS256")


async def test_bad_access_tokens_are_401_never_a_guest(http, services):
    tokens = await register(http)
    user_id = tokens["user"]["id"]
    head, body, _sig = tokens["access_token"].split(".")
    unsigned = jwt.encode(
        {"sub": user_id, "typ": "access", "iss": ACCESS_ISSUER, "aud": ACCESS_AUDIENCE, "exp": int(time.time()) + 60},
        None,
        algorithm="none",
    )
    cases = {
        "bad_signature": f"{head}.{body}.{'A' * 43}",
        "expired": _forge(services, sub=user_id, exp=int(time.time()) - 10),
        "wrong_audience": _forge(services, sub=user_id, aud="someone-else"),
        "wrong_issuer": _forge(services, sub=user_id, iss="evil"),
        "algorithm_not_accepted": unsigned,
        "other_secret": jwt.encode(
            {
                "sub": user_id,
                "typ": "access",
                "iss": ACCESS_ISSUER,
                "aud": ACCESS_AUDIENCE,
                "exp": int(time.time()) + 60,
            },
            "x" * 40,
            algorithm="HS256",
        ),
    }
    for name, token in cases.items():
        response = await http.get("/api/v1/threads", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] == "invalid_token"
        assert "X-Guest-Token" not in response.headers
    reasons = [e.details.get("reason") for e in await _events(services.db, "token_rejected")]
    assert {"bad_signature", "expired", "wrong_audience", "wrong_issuer", "algorithm_not_accepted"} <= set(reasons)


async def test_signing_up_adopts_the_guests_threads(http, services, book):
    asked = await http.post("/api/v1/chatbot/query", json={"question": "What is a gear?"})
    assert asked.status_code == 200, asked.text
    guest_token = asked.headers["X-Guest-Token"]
    thread_id = asked.json()["thread_id"]
    tokens = await register(http, headers={"X-Guest-Token": guest_token})
    listed = await http.get("/api/v1/threads", headers=bearer(tokens))
    assert [t["id"] for t in listed.json()["threads"]] == [thread_id]
    detail = await http.get(f"/api/v1/threads/{thread_id}", headers=bearer(tokens))
    assert [m["role"] for m in detail.json()["messages"]] == ["user", "assistant"]
    # the guest identity is gone; its token now yields a fresh, empty guest
    fresh = await http.get("/api/v1/threads", headers={"X-Guest-Token": guest_token})
    assert fresh.status_code == 200 and fresh.json()["threads"] == []


async def test_profile_update_and_delete_cascades(http, services, book):
    tokens = await register(http)
    headers = bearer(tokens)
    put = await http.put("/api/v1/users/profile", json={"display_name": "Ada"}, headers=headers)
    assert put.status_code == 200 and put.json()["display_name"] == "Ada"
    asked = await http.post("/api/v1/chatbot/query", json={"question": "What is a gear?"}, headers=headers)
    assert asked.status_code == 200
    deleted = await http.delete("/api/v1/users/profile", headers=headers)
    assert deleted.status_code == 204
    db = services.db
    assert await _count(db, User, User.email == tokens["user"]["email"]) == 0
    assert await _count(db, Thread) == 0 and await _count(db, Message) == 0
    assert await _count(db, RefreshToken) == 0 and await _count(db, Credential) == 0
    gone = await http.get("/api/v1/users/profile", headers=headers)
    assert gone.status_code == 401
    assert len(await _events(db, "account_deleted")) == 1


async def test_admin_routes_need_the_admin_role(services):
    async with app_client(services, admin_emails=["boss@example.com"]) as http:
        learner = await register(http)
        admin = await register(http, "boss@example.com")
        assert admin["user"]["role"] == "admin" and learner["user"]["role"] == "learner"
        for method, path, body in (
            ("POST", "/api/v1/admin/reindex", None),
            ("POST", "/api/v1/ai/embed", {"texts": ["hello"]}),
            ("POST", "/api/v1/admin/books", {"path": "/tmp"}),
        ):
            anonymous = await http.request(method, path, json=body)
            denied = await http.request(method, path, json=body, headers=bearer(learner))
            assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "unauthorized")
            assert (denied.status_code, denied.json()["error"]["code"]) == (403, "admin_required")
        embedded = await http.post("/api/v1/ai/embed", json={"texts": ["hello", "world"]}, headers=bearer(admin))
        assert embedded.status_code == 200
        assert len(embedded.json()["vectors"]) == 2 and embedded.json()["dimension"] == 384
    assert len(await _events(services.db, "access_denied")) == 6
