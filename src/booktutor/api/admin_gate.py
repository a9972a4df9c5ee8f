"""Admin routes check their caller before the request body is read.

FastAPI reads and parses a route's body before it resolves the route's dependencies, so an admin
dependency alone would let anyone make the server read (and spool) an upload before being refused.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from booktutor.api.deps import require_admin


class AdminFirstRoute(APIRoute):
    """A route whose caller must be an administrator: 401/403 come before the body is touched."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def admin_first(request: Request) -> Response:
            await require_admin(request, request.app.state.services)
            return await handler(request)

        return admin_first
