"""Idempotency-Key on writes, against real Postgres."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from pydantic import BaseModel

from booktutor.api.app import create_app
from booktutor.api.deps import IdempotencyDep
from booktutor.providers.fake import ScriptedModel

pytestmark = pytest.mark.integration


class Payload(BaseModel):
    value: int


@pytest.fixture
async def client(services):
    calls = {"count": 0}
    router = APIRouter()

    @router.post("/api/v1/test-writes", status_code=201)
    async def write(payload: Payload, idempotency: IdempotencyDep):
        async def compute():
            calls["count"] += 1
            return 201, {"value": payload.value, "call": calls["count"]}

        return await idempotency.run(compute)

    app = create_app(services=services, model=ScriptedModel([]))
    app.include_router(router)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
    ):
        token = (await http.get("/api/v1/threads")).headers["X-Guest-Token"]
        http.headers["X-Guest-Token"] = token
        yield http, calls


async def test_same_key_same_body_replays_the_stored_response(client):
    http, calls = client
    first = await http.post("/api/v1/test-writes", json={"value": 1}, headers={"Idempotency-Key": "k1"})
    again = await http.post("/api/v1/test-writes", json={"value": 1}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"value": 1, "call": 1}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert calls["count"] == 1


async def test_same_key_other_body_is_a_conflict(client):
    http, calls = client
    await http.post("/api/v1/test-writes", json={"value": 1}, headers={"Idempotency-Key": "k2"})
    clash = await http.post("/api/v1/test-writes", json={"value": 2}, headers={"Idempotency-Key": "k2"})
    assert clash.status_code == 422
    assert clash.json()["error"]["code"] == "idempotency_conflict"
    assert calls["count"] == 1


async def test_without_a_key_every_request_runs(client):
    http, calls = client
    await http.post("/api/v1/test-writes", json={"value": 1})
    await http.post("/api/v1/test-writes", json={"value": 1})
    assert calls["count"] == 2


async def test_keys_belong_to_their_user(client):
    http, calls = client
    await http.post("/api/v1/test-writes", json={"value": 1}, headers={"Idempotency-Key": "shared"})
    http.cookies.clear()
    del http.headers["X-Guest-Token"]
    other = await http.post("/api/v1/test-writes", json={"value": 1}, headers={"Idempotency-Key": "shared"})
    assert other.status_code == 201 and other.json()["call"] == 2
