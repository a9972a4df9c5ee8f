"""Better-Auth JWTs verified against a JWKS served in-process over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from tests.integration.http_helpers import app_client

pytestmark = pytest.mark.integration
ISSUER, AUDIENCE = "https://auth.example.test", "booktutor"


class Jwks:
    """A JWKS endpoint whose key set the test can change, counting fetches."""

    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.fetches = 0
        self.request_ids: list[str | None] = []
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                jwks.fetches += 1
                jwks.request_ids.append(self.headers.get("X-Request-ID"))
                body = json.dumps({"keys": jwks.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/auth/jwks"

    def publish(self, key: Ed25519PrivateKey, kid: str) -> None:
        jwk = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
        self.keys.append({**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})


def sign(key, kid: str, **claims) -> str:
    now = int(time.time())
    body = {
        "sub": "ba-user-1",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "email": "reader@example.com",
        "name": "Reader",
        **claims,
    }
    return jwt.encode(body, key, algorithm="EdDSA", headers={"kid": kid})


@pytest.fixture
def jwks():
    server = Jwks()
    yield server
    server.server.shutdown()


async def test_better_auth_tokens(services, jwks):
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    jwks.publish(key, "k1")
    settings = dict(
        better_auth_jwks_url=jwks.url,
        better_auth_issuer=ISSUER,
        better_auth_audience=AUDIENCE,
        better_auth_jwks_refresh_cooldown_s=0,
    )
    async with app_client(services, **settings) as http:

        async def call(token: str):
            return await http.get("/api/v1/users/profile", headers={"Authorization": f"Bearer {token}"})

        ok = await call(sign(key, "k1"))
        assert ok.status_code == 200, ok.text
        assert ok.json()["kind"] == "external" and ok.json()["email"] == "reader@example.com"
        again = await call(sign(key, "k1"))
        assert again.json()["id"] == ok.json()["id"]  # the same local user

        now = int(time.time())
        rejected = {
            "forged signature": sign(other, "k1"),
            "expired": sign(key, "k1", exp=now - 60, iat=now - 600),
            "wrong audience": sign(key, "k1", aud="another-app"),
            "wrong issuer": sign(key, "k1", iss="https://evil.example"),
            "alg none": jwt.encode(
                {"sub": "ba-user-1", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 60},
                None,
                algorithm="none",
                headers={"kid": "k1"},
            ),
            "hmac with the public key": jwt.encode(
                {"sub": "ba-user-1", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 60},
                "x" * 40,
                algorithm="HS384",
                headers={"kid": "k1"},
            ),
            "unknown kid": sign(other, "k2"),
        }
        for name, token in rejected.items():
            response = await call(token)
            assert response.status_code == 401, name
            assert response.json()["error"]["code"] == "invalid_token", name

        # key rotation: a token with a new kid is accepted once the JWKS publishes it,
        # and the cached set is refreshed on the unknown kid (no restart)
        fetches = jwks.fetches
        jwks.publish(other, "k2")
        rotated = await http.get(
            "/api/v1/users/profile",
            headers={
                "Authorization": f"Bearer {sign(other, 'k2', sub='ba-user-2', email='second@example.com')}",
                "X-Request-ID": "rotation-1",
            },
        )
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["id"] != ok.json()["id"]
        assert jwks.fetches == fetches + 1
        assert jwks.request_ids[-1] == "rotation-1"  # the key-set fetch carries the request's id

        admin = await call(sign(key, "k1", sub="ba-admin", email=None, role="admin"))
        assert admin.json().get("role") == "admin", admin.text
        embed = await http.post(
            "/api/v1/ai/embed",
            json={"texts": ["hi"]},
            headers={"Authorization": f"Bearer {sign(key, 'k1', sub='ba-admin', role='admin')}"},
        )
        assert embed.status_code == 200


async def test_without_jwks_only_builtin_tokens_are_accepted(services):
    key = Ed25519PrivateKey.generate()
    async with app_client(services) as http:
        response = await http.get("/api/v1/threads", headers={"Authorization": f"Bearer {sign(key, 'k1')}"})
        assert response.status_code == 401
        assert response.json()["error"]["details"]["reason"] == "algorithm_not_accepted"
