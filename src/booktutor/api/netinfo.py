"""Who is calling, as far as the network can tell: the client IP (proxy headers only if trusted) and
the credentials the request presents (not verified here)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from booktutor.config import Settings

GUEST_HEADER = "X-Guest-Token"
GUEST_COOKIE = "booktutor_guest"


def client_ip(conn: HTTPConnection, settings: Settings) -> str:
    if settings.trust_forwarded_for:
        forwarded = conn.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return conn.client.host if conn.client else "unknown"


def bearer_token(conn: HTTPConnection) -> str | None:
    scheme, _, token = conn.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def guest_token(conn: HTTPConnection) -> str | None:
    return conn.headers.get(GUEST_HEADER) or conn.cookies.get(GUEST_COOKIE)
