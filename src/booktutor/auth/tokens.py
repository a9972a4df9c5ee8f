"""Built-in access tokens (short-lived HS256 JWTs) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ACCESS_ISSUER = "booktutor"
ACCESS_AUDIENCE = "booktutor-api"
ACCESS_ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str


def issue_access_token(user_id: uuid.UUID, role: str, secret: str, lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "role": role,
        "typ": "access",
        "iss": ACCESS_ISSUER,
        "aud": ACCESS_AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ACCESS_ALGORITHM)


def read_access_token(token: str, secret: str) -> AccessClaims:
    """Verify signature, expiry, issuer, audience and type; raises jwt.PyJWTError."""
    claims = jwt.decode(
        token,
        secret,
        algorithms=[ACCESS_ALGORITHM],
        audience=ACCESS_AUDIENCE,
        issuer=ACCESS_ISSUER,
        options={"require": ["exp", "sub", "iss", "aud"]},
    )
    if claims.get("typ") != "access":
        raise jwt.InvalidTokenError("not an access token")
    try:
        return AccessClaims(user_id=uuid.UUID(claims["sub"]), role=str(claims.get("role", "learner")))
    except ValueError as exc:
        raise jwt.InvalidTokenError("bad subject") from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
