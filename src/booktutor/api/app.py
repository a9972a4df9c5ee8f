"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import structlog
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from booktutor import __version__
from booktutor.api.errors import install_error_handlers
from booktutor.api.netinfo import install_proxy_headers
from booktutor.api.openapi import install_openapi
from booktutor.api.protection import install_protection
from booktutor.api.routes import (
    admin,
    agent,
    books,
    chatbot,
    feedback,
    health,
    languages,
    personalized,
    preferences,
    progress,
    quizzes,
    search,
    site,
    threads,
    translation,
    users,
)
from booktutor.api.run_relay import RunRelay
from booktutor.api.serving import serving_gc
from booktutor.api.streaming import RunManager
from booktutor.config import Settings, get_settings
from booktutor.graph.factory import build_chat_service
from booktutor.jobs import JobDeps, JobQueue, JobWorker
from booktutor.jobs.queue import build_queue_app
from booktutor.log_config import configure_logging
from booktutor.observability import install_observability
from booktutor.observability.access_log import AccessLogMiddleware
from booktutor.observability.metrics_access import metrics_server
from booktutor.observability.request_id import bounded_request_id
from booktutor.services import Services, build_services

log = structlog.get_logger(__name__)
API_PREFIX = "/api/v1"
CHECKPOINT_IDLE_RETENTION = timedelta(days=30)


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module in (
        health,
        books,
        search,
        languages,
        threads,
        agent,
        chatbot,
        feedback,
        users,
        admin,
        quizzes,
        progress,
        preferences,
        personalized,
        translation,
    ):
        router.include_router(module.router)
    return router


def create_app(settings: Settings | None = None, services: Services | None = None, model=None) -> FastAPI:
    """Build the app; `services` and the agents' `model` may be injected (tests), else built at startup."""
    settings = settings or (services.settings if services else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        # Only the embedded PostgreSQL (one process owns it) is migrated at start; API replicas on a
        # database server check the schema and leave migrating to `booktutor db upgrade`.
        app.state.services = services or await build_services(settings, migrate=settings.uses_embedded_postgres)
        try:
            async with _running(app, settings, model):
                yield
        finally:
            if owned:  # however the app stops, startup failures included: the embedded database too
                await app.state.services.close()

    @asynccontextmanager
    async def _running(app: FastAPI, settings: Settings, model: Any) -> AsyncIterator[None]:
        app.state.services.start_warmup()
        chat = await build_chat_service(app.state.services, model=model)
        chat.start_warmup()
        await chat.leases.start()  # runs left `running` by a process that is gone: interrupted now
        await chat.prune_checkpoints(CHECKPOINT_IDLE_RETENTION)
        app.state.run_source = chat
        app.state.quizzes = chat.quizzes
        app.state.run_manager = RunManager(
            chat,
            double_texting=settings.double_text_policy,
            retention_s=settings.run_retention_s,
            disconnect_grace_s=settings.stream_disconnect_grace_s,
            first_subscriber_grace_s=settings.stream_first_subscriber_grace_s,
            ping_s=settings.stream_ping_s,
            relay=build_run_relay(settings),
        )
        queue_app = await build_queue_app(app.state.services.db, settings).open_async()
        app.state.job_queue = JobQueue(queue_app, app.state.services.db)
        worker = JobWorker(queue_app, JobDeps(app.state.services, chat.model), settings)
        if settings.job_worker_in_process:
            worker.start()
        log.info("started", version=__version__, llm_provider=settings.llm_provider)
        # The embedded database is started again if it dies (out of memory, killed).
        supervisor = asyncio.create_task(app.state.services.db.supervise_embedded(), name="db-supervisor")
        try:
            with serving_gc():
                async with metrics_server(settings, app.state.services):
                    yield
        finally:
            supervisor.cancel()
            await worker.stop()
            await queue_app.close_async()
            await app.state.run_manager.aclose()
            await chat.close()

    app = FastAPIOffline(  # Swagger UI and ReDoc assets served by the app itself (no CDN): it runs offline
        title="booktutor",
        version=__version__,
        description="Conversational backend for interactive textbooks.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    install_protection(app, settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["X-Request-ID", "X-Guest-Token", "ETag"],
    )
    app.add_middleware(AccessLogMiddleware)  # inside the request id: its line carries it
    app.add_middleware(
        CorrelationIdMiddleware, header_name="X-Request-ID", validator=None, transformer=bounded_request_id
    )
    install_observability(app, settings)  # /metrics, request latency, opt-in OpenTelemetry
    install_proxy_headers(app, settings)  # outermost: every layer sees the real client
    install_error_handlers(app, not_found_fallback=site.permalink_redirect)
    install_openapi(app, settings)
    app.include_router(api_router())
    app.include_router(site.router)  # the demo book site and /widget.js: outside /api/v1
    return app


def build_run_relay(settings: Settings) -> RunRelay | None:
    """With Redis, runs are mirrored there (keys `{rate_limit_prefix}:run:…`) so any replica can resume them."""
    if not settings.redis_url:
        return None
    return RunRelay.from_url(
        settings.redis_url,
        prefix=settings.rate_limit_prefix,
        retention_s=settings.run_retention_s,
        follower_ttl_s=settings.stream_follower_ttl_s,
    )


def create_default_app() -> FastAPI:
    """Entry point for `uvicorn --factory booktutor.api.app:create_default_app`."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)
