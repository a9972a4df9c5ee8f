"""Prometheus metrics: one module-level registry of series, recorded by small hooks in the app.

With several worker processes per container set `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's
multiprocess mode); `/metrics` then aggregates every worker's files.
"""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

HTTP_LATENCY = Histogram(
    "booktutor_http_request_duration_seconds",
    "HTTP request latency until the response ends, per route template.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
STREAMS_IN_FLIGHT = Gauge(
    "booktutor_streams_in_flight",
    "Agent runs currently streaming in this process.",
    multiprocess_mode="livesum",
)
RUN_DURATION = Histogram(
    "booktutor_run_duration_seconds",
    "Agent run duration from start to its terminal event.",
    ["outcome"],
    buckets=LATENCY_BUCKETS,
)
TIME_TO_FIRST_TOKEN = Histogram(
    "booktutor_time_to_first_token_seconds",
    "Time from run start to its first TEXT_MESSAGE_CONTENT event.",
    buckets=LATENCY_BUCKETS,
)
RUNS_BY_ROUTE = Counter(
    "booktutor_runs_total",
    "Finished agent runs by the graph route taken and outcome.",
    ["route", "outcome"],
)
LLM_TOKENS = Counter("booktutor_llm_tokens_total", "Model tokens used by agent runs.", ["route", "kind"])
PROVIDER_ERRORS = Counter("booktutor_llm_provider_errors_total", "Failed model calls per provider.", ["provider"])
PROVIDER_FALLBACKS = Counter(
    "booktutor_llm_fallbacks_total",
    "Calls moved on from a failed provider to the next.",
    ["from_provider"],
)
RETRIEVAL_LATENCY = Histogram(
    "booktutor_retrieval_duration_seconds",
    "Hybrid search latency (lexical+dense+fusion).",
    buckets=LATENCY_BUCKETS,
)
AUDIT_WRITE_FAILURES = Counter(
    "booktutor_audit_write_failures_total",
    "Security events that could not be stored in audit_events (each is logged in full at ERROR instead).",
)
CACHE_REQUESTS = Counter("booktutor_cache_requests_total", "Generated-content cache lookups.", ["cache", "result"])
JOBS = Gauge(
    "booktutor_jobs",
    "Background jobs waiting or running, queue-wide, by status (queue depth: status=queued), read at scrape.",
    ["status"],
    multiprocess_mode="mostrecent",
)


async def refresh_job_counts(request: Request) -> None:
    queue = getattr(request.app.state, "job_queue", None)  # the app's JobQueue, set by its lifespan
    if queue is None:
        return
    try:
        counts = await queue.store.counts_by_status()
    except Exception:  # the database being down must not take /metrics with it
        return
    for status, count in counts.items():
        JOBS.labels(status=status).set(count)


def record_cache_lookup(cache: str, hit: bool) -> None:
    CACHE_REQUESTS.labels(cache=cache, result="hit" if hit else "miss").inc()


def record_tokens(route: str, usage: Any) -> dict[str, int]:
    """Count an Agents SDK `Usage`; returns the counts (for logs)."""
    counts = {
        "input": int(getattr(usage, "input_tokens", 0) or 0),
        "output": int(getattr(usage, "output_tokens", 0) or 0),
    }
    for kind, value in counts.items():
        if value:
            LLM_TOKENS.labels(route=route, kind=kind).inc(value)
    return counts


class RunObserver:
    """Follows one run's AG-UI events: in-flight gauge, time to first token, duration, route."""

    NON_ROUTE_STEPS = frozenset({"guard", "router"})

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first_token_s: float | None = None
        self.route = "none"
        self.finished = False
        STREAMS_IN_FLIGHT.inc()

    def event(self, event_type: str, step_name: str | None = None) -> None:
        if event_type == "TEXT_MESSAGE_CONTENT" and self.first_token_s is None:
            self.first_token_s = time.perf_counter() - self.started
            TIME_TO_FIRST_TOKEN.observe(self.first_token_s)
        elif event_type == "STEP_STARTED" and step_name and step_name not in self.NON_ROUTE_STEPS:
            self.route = step_name

    def finish(self, outcome: str) -> dict[str, Any]:
        """Record the run's end once; returns the fields for the run's summary log line."""
        if self.finished:
            return {}
        self.finished = True
        duration = time.perf_counter() - self.started
        STREAMS_IN_FLIGHT.dec()
        RUN_DURATION.labels(outcome=outcome).observe(duration)
        RUNS_BY_ROUTE.labels(route=self.route, outcome=outcome).inc()
        return {
            "route_taken": self.route,
            "duration_s": round(duration, 4),
            "time_to_first_token_s": None if self.first_token_s is None else round(self.first_token_s, 4),
        }


class PrometheusMiddleware:
    """Latency per route template; unmatched paths share one label (bounded cardinality)."""

    def __init__(self, app: ASGIApp, skip_paths: frozenset[str] = frozenset({"/metrics"})) -> None:
        self.app = app
        self.skip_paths = skip_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.skip_paths:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = route_template(scope)
            HTTP_LATENCY.labels(method=scope["method"], route=route, status=str(status)).observe(
                time.perf_counter() - started
            )


def route_template(scope: Scope) -> str:
    """The matched route's full path template (`/api/v1/threads/{thread_id}`), or "unmatched".

    FastAPI keeps included routers nested, so `scope["route"].path` lacks the routers' prefixes; the
    effective route context FastAPI stores in the scope has the full template.
    """
    context = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(context, "path_format", None) or getattr(scope.get("route"), "path_format", None)
    return template or "unmatched"


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


async def metrics_endpoint(request: Request) -> Response:
    await refresh_job_counts(request)
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
