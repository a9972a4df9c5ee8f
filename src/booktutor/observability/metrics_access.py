"""Where `/metrics` is served: on the API's port (optionally behind a bearer token), or on a port of
its own (`BOOKTUTOR_METRICS_PORT`) that only the scraper's network needs to reach."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from typing import Any

import structlog
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from booktutor.config import Settings
from booktutor.observability.metrics import metrics_endpoint

log = structlog.get_logger(__name__)


def protected_metrics_endpoint(settings: Settings) -> Any:
    """`/metrics`, answering 401 unless the request has `Authorization: Bearer <metrics token>`."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if not token:
        return metrics_endpoint

    async def endpoint(request: Request) -> Response:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(presented.strip().encode(), token.encode()):
            body = {"error": {"code": "unauthorized", "message": "A metrics token is required.", "details": None}}
            return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return await metrics_endpoint(request)

    return endpoint


@contextlib.asynccontextmanager
async def metrics_server(settings: Settings, services: Any) -> AsyncIterator[None]:
    """With `metrics_port` set, serve `/metrics` there for as long as the context lasts."""
    if settings.metrics_port is None:
        yield
        return
    app = Starlette(routes=[Route("/metrics", protected_metrics_endpoint(settings), methods=["GET"])])
    app.state.services = services
    host = settings.metrics_host or settings.host
    config = uvicorn.Config(app, host=host, port=settings.metrics_port, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]  # the API's server owns them
    task = asyncio.create_task(server.serve(), name="metrics-server")
    log.info("metrics_server_started", host=host, port=settings.metrics_port)
    try:
        yield
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
