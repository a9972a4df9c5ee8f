"""Signed guest tokens, and the server secret that signs them (persisted under the data dir)."""

from __future__ import annotations

import functools
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from booktutor.config import Settings

GUEST_AUDIENCE = "booktutor-guest"
GUEST_TOKEN_DAYS = 365


_SECRETS: dict[Path, str] = {}  # by data dir: read once per process, not on every request


def server_secret(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key.get_secret_value()
    path: Path = settings.data_dir / "secret_key"
    if (known := _SECRETS.get(path)) is None:
        known = _SECRETS[path] = _read_or_create(path)
    return known


def _read_or_create(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def issue_guest_token(user_id: uuid.UUID, secret: str) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "aud": GUEST_AUDIENCE, "iat": now, "exp": now + timedelta(days=GUEST_TOKEN_DAYS)}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_guest_token(token: str, secret: str) -> uuid.UUID | None:
    """The guest id a valid token names. A token verified before is not verified again (about 0.3 ms of
    CPU each time, on every run a widget starts) until it expires."""
    try:
        user_id, expires = _verified_guest_token(token, secret)
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None
    if expires is not None and time.time() >= expires:  # as jwt.decode says (no leeway)
        return None
    return user_id


@functools.lru_cache(maxsize=4096)
def _verified_guest_token(token: str, secret: str) -> tuple[uuid.UUID, float | None]:
    """The subject and expiry (epoch seconds) of a token whose signature and claims are valid now;
    raises otherwise (and nothing is kept)."""
    claims = jwt.decode(token, secret, algorithms=["HS256"], audience=GUEST_AUDIENCE)
    expires = claims.get("exp")
    return uuid.UUID(claims["sub"]), None if expires is None else float(expires)
