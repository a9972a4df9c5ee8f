"""An app with settings overrides, driven in-process with httpx; account helpers."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager

from booktutor.api.app import create_app
from booktutor.providers.fake import ScriptedModel, Turn
from booktutor.services import Services


def with_settings(services: Services, **overrides) -> Services:
    return dataclasses.replace(services, settings=services.settings.model_copy(update=overrides))


@asynccontextmanager
async def app_client(services: Services, model=None, **overrides) -> AsyncIterator[httpx.AsyncClient]:
    services = with_settings(services, **overrides) if overrides else services
    model = model or ScriptedModel([Turn(text="A scripted answer.")], repeat_last=True)
    app = create_app(services=services, model=model)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=30) as http,
    ):
        yield http


@asynccontextmanager
async def guest_client(services: Services, model=None, **overrides) -> AsyncIterator[httpx.AsyncClient]:
    """`app_client` acting as one guest (its token on every request)."""
    async with app_client(services, model=model, **overrides) as client:
        client.headers["X-Guest-Token"] = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
        yield client


async def register(
    http: httpx.AsyncClient,
    email: str | None = None,
    password: str = "correct horse battery",
    headers: dict | None = None,
) -> dict:
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    response = await http.post(
        "/api/v1/users/register", json={"email": email, "password": password}, headers=headers or {}
    )
    assert response.status_code == 201, response.text
    return response.json()


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def finished_job(http: httpx.AsyncClient, job_id: str, headers: dict[str, str], *, tries: int = 600) -> dict:
    """The job once it has ended (succeeded, failed or cancelled), polled every 0.1 s."""
    for _ in range(tries):
        job = (await http.get(f"/api/v1/jobs/{job_id}", headers=headers)).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job did not finish: {job}")
