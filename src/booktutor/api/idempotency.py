"""`Idempotency-Key` for POST/PUT writes: a retried request gets the stored response.

Same key and same body → the first response is replayed; same key with another body → 422
`idempotency_conflict`; the same key while the first request is still running → 409
`idempotency_in_progress`. Records live in Postgres and expire after `IDEMPOTENCY_TTL`.

Every response it returns (computed, replayed or without a key) carries the headers that the
request's dependencies set, such as a new guest's `X-Guest-Token` and cookie: FastAPI drops them
from a `Response` a route returns itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from booktutor.errors import AppError
from booktutor.memory.idempotency import IdempotencyRepository
from booktutor.memory.models import User
from booktutor.services import Services

IDEMPOTENCY_TTL = timedelta(hours=24)
REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyConflict(AppError):
    code = "idempotency_conflict"
    status_code = 422


class IdempotencyInProgress(AppError):
    code = "idempotency_in_progress"
    status_code = 409


class Idempotency:
    """Runs a write once per (user, key); see the module docstring for the rules."""

    def __init__(
        self,
        request: Request,
        user: User,
        services: Services,
        key: str | None,
        dependency_response: Response | None = None,
    ) -> None:
        self.request, self.user, self.services, self.key = request, user, services, key
        self.dependency_response = dependency_response

    async def run(self, compute: Callable[[], Awaitable[tuple[int, Any]]]) -> JSONResponse:
        return self._with_dependency_headers(await self._run(compute))

    def _with_dependency_headers(self, response: JSONResponse) -> JSONResponse:
        """Carry the headers dependencies set (a new guest's token and cookie) onto `response`."""
        if self.dependency_response is not None:
            response.headers.raw.extend(self.dependency_response.headers.raw)
        return response

    async def _run(self, compute: Callable[[], Awaitable[tuple[int, Any]]]) -> JSONResponse:
        key = self.key
        if not key:
            status, body = await compute()
            return JSONResponse(jsonable_encoder(body), status_code=status)
        digest = await self._request_hash()
        stored = await self._claim(key, digest)
        if stored is not None:
            return stored
        try:
            status, body = await compute()
        except Exception:
            await self._release(key)
            raise
        payload = jsonable_encoder(body)
        if status < 500:
            await self._store(key, status, payload)
        else:
            await self._release(key)
        return JSONResponse(payload, status_code=status)

    async def _request_hash(self) -> str:
        raw = await self.request.body()
        try:
            canonical = json.dumps(json.loads(raw or b"null"), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            canonical = raw
        target = f"{self.request.method} {self.request.url.path}\n".encode()
        return hashlib.sha256(target + canonical).hexdigest()

    async def _claim(self, key: str, digest: str) -> JSONResponse | None:
        async with self.services.db.session() as session, session.begin():
            records = IdempotencyRepository(session)
            await records.delete_expired(IDEMPOTENCY_TTL)
            method, path = self.request.method, self.request.url.path
            record = await records.claim(self.user.id, key, method, path, digest)
        if record is None:
            return None
        if record.request_hash != digest:
            raise IdempotencyConflict("This Idempotency-Key was used with a different request.")
        if record.status_code is None:
            raise IdempotencyInProgress("A request with this Idempotency-Key is still being processed.")
        return JSONResponse(record.response_body, status_code=record.status_code, headers={REPLAY_HEADER: "true"})

    async def _store(self, key: str, status: int, payload: Any) -> None:
        async with self.services.db.session() as session, session.begin():
            await IdempotencyRepository(session).complete(self.user.id, key, status, payload)

    async def _release(self, key: str) -> None:
        async with self.services.db.session() as session, session.begin():
            await IdempotencyRepository(session).release(self.user.id, key)
