"""Outside HTTP calls carry the current request's `X-Request-ID`, so one id follows a request across services.

The id is asgi-correlation-id's contextvar: the middleware sets it for each request, chat runs inherit it
(their tasks are created during the request), and background work only has to set `correlation_id`
before calling out. With no id set, no header is added.
"""

from __future__ import annotations

from typing import Any

import httpx
from asgi_correlation_id import correlation_id

REQUEST_ID_HEADER = "X-Request-ID"
CONNECT_TIMEOUT_S = 5.0


async def add_request_id(request: httpx.Request) -> None:
    """httpx request hook: set `X-Request-ID` from the current request, unless the call already has one."""
    request_id = correlation_id.get()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def request_id_hooks() -> dict[str, list[Any]]:
    """`event_hooks` for an httpx.AsyncClient that a library builds itself (qdrant-client passes them on)."""
    return {"request": [add_request_id]}


def async_http_client(timeout_s: float, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx.AsyncClient for outside APIs: request id hook, redirects followed, quick connect timeout."""
    timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, CONNECT_TIMEOUT_S))
    return httpx.AsyncClient(timeout=timeout, follow_redirects=True, event_hooks=request_id_hooks(), **kwargs)
