"""Turning a bearer token into a user: built-in access tokens, or Better-Auth JWTs via JWKS."""

from __future__ import annotations

import json
import uuid
from functools import lru_cache

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.auth.jwks import BetterAuthVerifier, ExternalClaims
from booktutor.auth.tokens import ACCESS_ALGORITHM, read_access_token
from booktutor.config import Settings
from booktutor.errors import InvalidToken
from booktutor.memory.account_models import ExternalIdentity
from booktutor.memory.models import User


@lru_cache(maxsize=8)
def _verifier(settings_json: str) -> BetterAuthVerifier:
    return BetterAuthVerifier(Settings.model_validate_json(settings_json))


def better_auth_verifier(settings: Settings) -> BetterAuthVerifier | None:
    """One verifier (and so one key cache) per configuration, shared by the process."""
    if not settings.better_auth_jwks_url:
        return None
    fields = {name: getattr(settings, name) for name in type(settings).model_fields if name.startswith("better_auth_")}
    return _verifier(json.dumps(fields, sort_keys=True))


async def user_from_bearer(token: str, session: AsyncSession, settings: Settings, secret: str) -> User:
    """The token's user; raises InvalidToken (with the reason in `details`) otherwise."""
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
        if algorithm == ACCESS_ALGORITHM:
            user = await session.get(User, read_access_token(token, secret).user_id)
        else:
            verifier = better_auth_verifier(settings)
            if verifier is None:
                raise jwt.InvalidAlgorithmError(f"algorithm {algorithm!r} is not accepted")
            user = await _external_user(await verifier.verify(token), session, settings)
    except jwt.PyJWTError as exc:
        raise InvalidToken("The access token is not valid.", details={"reason": _reason(exc)}) from exc
    if user is None:
        raise InvalidToken("The access token is not valid.", details={"reason": "unknown_user"})
    return user


async def _external_user(claims: ExternalClaims, session: AsyncSession, settings: Settings) -> User | None:
    """The local user behind a Better-Auth identity, created on first sight (None if its user is gone)."""
    role = "admin" if claims.role and claims.role == settings.better_auth_admin_role else "learner"
    link = await session.get(ExternalIdentity, (claims.issuer, claims.subject))
    if link is not None:
        user = await session.get(User, link.user_id)
        if user is not None and user.role != role:
            user.role = role
            await session.commit()
        return user
    email_free = claims.email and await session.scalar(select(User.id).where(User.email == claims.email)) is None
    user = User(
        id=uuid.uuid4(),
        kind="external",
        role=role,
        email=claims.email if email_free else None,
        display_name=claims.name,
    )
    session.add(user)
    await session.flush()
    session.add(ExternalIdentity(issuer=claims.issuer, subject=claims.subject, user_id=user.id))
    await session.commit()
    return user


def _reason(exc: jwt.PyJWTError) -> str:
    reasons = {
        jwt.ExpiredSignatureError: "expired",
        jwt.InvalidAudienceError: "wrong_audience",
        jwt.InvalidIssuerError: "wrong_issuer",
        jwt.InvalidSignatureError: "bad_signature",
        jwt.InvalidAlgorithmError: "algorithm_not_accepted",
        jwt.PyJWKClientError: "unknown_key",
        jwt.MissingRequiredClaimError: "missing_claim",
        jwt.DecodeError: "malformed",
    }
    for kind, reason in reasons.items():
        if isinstance(exc, kind):
            return reason
    return "invalid"
