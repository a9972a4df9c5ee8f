"""Liveness and readiness."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from booktutor.api.deps import ServicesDep, is_privileged_caller
from booktutor.api.schemas import ComponentStatus, ReadyOut
from booktutor.services import Services

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"


@router.get("/health", response_model=HealthOut)
async def health() -> HealthOut:
    """Liveness: the process answers (no dependency is checked)."""
    return HealthOut()


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut, "description": "Not ready."}})
async def ready(request: Request, services: ServicesDep) -> JSONResponse:
    """Readiness of the database, the vector store and the embedding model; 503 names the failing part.

    Why a part fails (`detail`) is shown only to internal callers (`BOOKTUTOR_INTERNAL_NETWORKS`) and
    administrators."""
    components = {
        "database": await _check(services.db.ping()),
        "vector_store": await _check(_vector_store_ok(services)),
        "embedding_model": ComponentStatus(
            ok=services.embedder_ready, detail=None if services.embedder_ready else "loading"
        ),
    }
    body = ReadyOut(ready=all(c.ok for c in components.values()), components=components)
    if not body.ready and not await is_privileged_caller(request, services):
        body = ReadyOut(ready=False, components={name: ComponentStatus(ok=c.ok) for name, c in components.items()})
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


async def _vector_store_ok(services: Services) -> None:
    await services.store.ping()
    await services.check_index()


async def _check(awaitable: Awaitable[object]) -> ComponentStatus:
    try:
        await awaitable
    except Exception as exc:
        return ComponentStatus(ok=False, detail=str(exc)[:300])
    return ComponentStatus(ok=True)
