"""Who is calling, as far as the network can tell: the client IP (proxy headers only from trusted
proxies) and the credentials the request presents (not verified here)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from fastapi import FastAPI
from starlette.requests import HTTPConnection
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from booktutor.config import Settings

GUEST_HEADER = "X-Guest-Token"
GUEST_COOKIE = "booktutor_guest"


def install_proxy_headers(app: FastAPI, settings: Settings) -> None:
    """With `trust_forwarded_for`, take the client address and scheme from `X-Forwarded-For` and
    `X-Forwarded-Proto`, but only when the direct peer is one of `trusted_proxies` (uvicorn's own
    middleware, so the rule is the same whichever server runs the app). Added last: outermost."""
    if settings.trust_forwarded_for:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def ip_in(address: str, networks: Iterable[str]) -> bool:
    """Whether `address` is in one of `networks` (addresses or CIDR blocks); False when unparsable."""
    try:
        ip = ipaddress.ip_address(address)
        return any(network == "*" or ip in ipaddress.ip_network(network, strict=False) for network in networks)
    except ValueError:
        return False


def bearer_token(conn: HTTPConnection) -> str | None:
    scheme, _, token = conn.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def guest_token(conn: HTTPConnection) -> str | None:
    return conn.headers.get(GUEST_HEADER) or conn.cookies.get(GUEST_COOKIE)
