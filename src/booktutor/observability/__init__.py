"""Metrics, traces and LangSmith hookup for the API process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from booktutor.config import Settings
from booktutor.observability.metrics import PrometheusMiddleware
from booktutor.observability.metrics_access import protected_metrics_endpoint
from booktutor.observability.tracing import build_provider, instrument, use_provider


def install_observability(
    app: FastAPI,
    settings: Settings,
    provider: TracerProvider | None = None,
    engines: Sequence[Any] = (),
) -> None:
    """`/metrics` (outside /api/v1, not in OpenAPI; on its own port when `metrics_port` is set, see
    metrics_access), request latency, OpenTelemetry if configured.

    SQLAlchemy engines created after this call (the lifespan builds them) are instrumented too.
    """
    app.add_middleware(PrometheusMiddleware)
    if settings.metrics_port is None:
        app.add_route("/metrics", protected_metrics_endpoint(settings), methods=["GET"], include_in_schema=False)
    if provider is None and settings.otel_endpoint:
        provider = build_provider(settings.otel_endpoint, service_name=settings.otel_service_name)
        use_provider(provider)
    if provider is not None:
        instrument(app, provider, engines)
