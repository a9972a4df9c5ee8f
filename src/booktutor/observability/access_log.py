"""One JSON access log line per request, at INFO: method, route template, status, duration, request
id (added by the log pipeline) and the kind of caller (guest, learner, admin; anonymous when the route
needed no identity)."""

from __future__ import annotations

import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from booktutor.observability.metrics import route_template

log = structlog.get_logger("booktutor.access")


class AccessLogMiddleware:
    """Installed inside the request-id middleware, so its line carries the request's id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})  # where routes note the caller (request.state.user_kind)
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            log.info(
                "request",
                method=scope["method"],
                route=route_template(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                user_kind=state.get("user_kind", "anonymous"),
            )
