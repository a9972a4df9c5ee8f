"""OpenTelemetry tracing, opt-in: with `BOOKTUTOR_OTEL_ENDPOINT` set, spans go to that OTLP/HTTP
collector; otherwise no tracer provider is installed and every span below is a no-op.

`span()` / `traced()` mark graph nodes, agent runs and tool calls; FastAPI, SQLAlchemy and httpx
come from the opentelemetry-instrumentation packages.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from booktutor import __version__

log = structlog.get_logger(__name__)
_tracer: trace.Tracer = trace.get_tracer("booktutor", __version__)
T = TypeVar("T")


@contextlib.contextmanager
def span(name: str, **attributes: Any) -> Iterator[trace.Span]:
    """A child span of whatever is current; exceptions are recorded and re-raised."""
    clean = {key: value for key, value in attributes.items() if value is not None}
    with _tracer.start_as_current_span(name, attributes=clean) as current:
        yield current


def traced(name: str) -> Callable[[Callable[..., Awaitable[T]]], Callable[..., Awaitable[T]]]:
    """Run each call of an async function in a span `name` (keeps the signature for tools)."""

    def decorate(func: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        @functools.wraps(func)
        async def wrapped(*args: Any, **kwargs: Any) -> T:
            with span(name):
                return await func(*args, **kwargs)

        return wrapped

    return decorate


OTEL_EXTRA = "BOOKTUTOR_OTEL_ENDPOINT needs the `otel` extra: pip install 'booktutor[otel]'."


def build_provider(
    endpoint: str | None, *, service_name: str = "booktutor", processor: SpanProcessor | None = None
) -> TracerProvider:
    """A provider exporting to `endpoint` (OTLP/HTTP) or, for tests, to the given processor."""
    provider = TracerProvider(resource=Resource.create({"service.name": service_name, "service.version": __version__}))
    if processor is None:
        if endpoint is None:
            raise ValueError("build_provider needs an OTLP endpoint or a span processor")
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise RuntimeError(OTEL_EXTRA) from exc

        processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces"))
    provider.add_span_processor(processor)
    return provider


def instrument(app: Any, provider: TracerProvider, engines: Sequence[Any] = ()) -> None:
    """FastAPI (this app), SQLAlchemy (the given async engines) and every httpx client."""
    try:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    except ImportError as exc:
        raise RuntimeError(OTEL_EXTRA) from exc

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/metrics")
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    sync_engines = [getattr(engine, "sync_engine", engine) for engine in engines]
    # Without engines it patches create_engine/create_async_engine: engines built later are traced.
    # skip_dep_check: its metadata stops at SQLAlchemy < 2.1; the event hooks it uses still work.
    SQLAlchemyInstrumentor().instrument(
        tracer_provider=provider,
        skip_dep_check=True,
        **({"engines": sync_engines} if sync_engines else {}),
    )


def uninstrument(app: Any) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    FastAPIInstrumentor.uninstrument_app(app)
    HTTPXClientInstrumentor().uninstrument()
    SQLAlchemyInstrumentor().uninstrument()


def use_provider(provider: TracerProvider | None, *, set_global: bool = True) -> None:
    """Send booktutor's spans to `provider` (None: back to the global one).

    `set_global` also makes it the process-wide provider (allowed once; tests pass False).
    """
    global _tracer
    source = provider or trace.get_tracer_provider()
    _tracer = source.get_tracer("booktutor", __version__)
    if provider is not None and set_global:
        trace.set_tracer_provider(provider)
        log.info("otel_tracing_enabled")
