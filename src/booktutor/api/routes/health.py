"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from booktutor.api.deps import ServicesDep
from booktutor.api.schemas import ComponentStatus, ReadyOut

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
async def ready(services: ServicesDep):
    components = {
        "database": await _check(services.db.ping()),
        "vector_store": await _check(_vector_store_ok(services)),
        "embedding_model": ComponentStatus(
            ok=services.embedder_ready, detail=None if services.embedder_ready else "loading"
        ),
    }
    body = ReadyOut(ready=all(c.ok for c in components.values()), components=components)
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


async def _vector_store_ok(services) -> None:
    await services.store.ping()
    await services.check_index()


async def _check(awaitable) -> ComponentStatus:
    try:
        await awaitable
    except Exception as exc:
        return ComponentStatus(ok=False, detail=str(exc)[:300])
    return ComponentStatus(ok=True)
