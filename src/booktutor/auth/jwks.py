"""Better-Auth JWTs, verified against the issuer's JWKS (PyJWT's PyJWKClient).

Keys are cached for `better_auth_jwks_cache_s`; a token signed with an unknown `kid` makes
PyJWKClient fetch the set again once (key rotation), at most every `better_auth_jwks_refresh_cooldown_s`.
Only asymmetric algorithms are accepted, so neither `alg: none` nor an HMAC signed with the public key can pass.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

import jwt
from asgi_correlation_id import correlation_id
from jwt import PyJWKClient

from booktutor.config import Settings

_ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})


@dataclass(frozen=True)
class ExternalClaims:
    issuer: str
    subject: str
    email: str | None
    name: str | None
    role: str | None


class RequestIdJWKClient(PyJWKClient):
    """PyJWKClient whose key-set fetches carry the current request's X-Request-ID (PyJWT reads its headers
    from the instance, so fetches are serialised while the header is set; they are rare: keys are cached)."""

    def __init__(self, uri: str, **options: Any) -> None:
        super().__init__(uri, **options)
        self._base_headers = dict(self.headers)
        self._fetching = threading.Lock()

    def fetch_data(self) -> Any:
        with self._fetching:
            request_id = correlation_id.get()
            self.headers = {**self._base_headers, **({"X-Request-ID": request_id} if request_id else {})}
            return super().fetch_data()


class BetterAuthVerifier:
    def __init__(self, settings: Settings) -> None:
        if not settings.better_auth_jwks_url:
            raise ValueError("better_auth_jwks_url is not configured")
        self.issuer = settings.better_auth_issuer
        self.audience = settings.better_auth_audience
        self.algorithms = [a for a in settings.better_auth_algorithms if a in _ASYMMETRIC]
        self.client = RequestIdJWKClient(
            settings.better_auth_jwks_url,
            cache_keys=True,
            lifespan=settings.better_auth_jwks_cache_s,
            timeout=5,
            cooldown_duration=settings.better_auth_jwks_refresh_cooldown_s,
        )

    async def verify(self, token: str) -> ExternalClaims:
        """Raises jwt.PyJWTError (including PyJWKClientError) for any token that is not valid."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in self.algorithms:
            raise jwt.InvalidAlgorithmError(f"algorithm {header.get('alg')!r} is not accepted")
        key = await asyncio.to_thread(self.client.get_signing_key_from_jwt, token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=self.algorithms,
            audience=self.audience,
            issuer=self.issuer,
            options={"require": ["exp", "sub", "iss"], "verify_aud": self.audience is not None},
        )
        return ExternalClaims(
            issuer=str(claims["iss"]),
            subject=str(claims["sub"]),
            email=_optional_str(claims.get("email")),
            name=_optional_str(claims.get("name")),
            role=_optional_str(claims.get("role")),
        )


def _optional_str(value: Any) -> str | None:
    return str(value)[:320] if isinstance(value, str) and value else None
