"""Built-in accounts: register, log in, refresh, log out, and the caller's profile."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.api.deps import AccountsDep, AuditDep, CurrentUser, SessionDep, SettingsDep, read_guest
from booktutor.api.idempotency import REPLAY_HEADER, IdempotencyConflict
from booktutor.api.netinfo import GUEST_COOKIE
from booktutor.api.schemas import error_responses
from booktutor.auth.accounts import AccountService, TokenPair, normalise_email
from booktutor.errors import EmailTaken, InvalidCredentials, RefreshTokenReused
from booktutor.memory.idempotency_models import IdempotencyRecord
from booktutor.memory.models import User
from booktutor.memory.users import UserRepository

router = APIRouter(prefix="/users", tags=["users"])
Password = Annotated[str, Field(min_length=8, max_length=256)]
DisplayName = Annotated[str | None, Field(default=None, min_length=1, max_length=200)]
ERRORS = error_responses(401, 409, 422)


class RegisterIn(BaseModel):
    email: EmailStr = Field(max_length=320)
    password: Password
    display_name: DisplayName = None
    adopt_guest: bool = Field(default=True, description="Move the calling guest's threads to the account.")


class LoginIn(BaseModel):
    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=1, max_length=256)
    adopt_guest: bool = True


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class ProfileOut(BaseModel):
    id: str
    kind: str
    role: str
    email: str | None
    display_name: str | None


class ProfileIn(BaseModel):
    display_name: DisplayName = None


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user: ProfileOut


def _register_record(user: User, key: str, body: RegisterIn) -> IdempotencyRecord:
    return IdempotencyRecord(
        owner_id=user.id,
        key=key,
        method="POST",
        path=REGISTER_PATH,
        request_hash=_register_digest(body),
        status_code=201,
        response_body={"user_id": str(user.id)},
    )


def _profile(user: User) -> ProfileOut:
    return ProfileOut(id=str(user.id), kind=user.kind, role=user.role, email=user.email, display_name=user.display_name)


def _tokens(pair: TokenPair, response: Response) -> TokensOut:
    response.headers["Cache-Control"] = "no-store"
    return TokensOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=_profile(pair.user),
    )


REGISTER_PATH = "/api/v1/users/register"
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"\S")]


def _register_digest(body: RegisterIn) -> str:
    """The request's identity for Idempotency-Key, without the password (never stored, even hashed
    fast): a replay checks the password against the account instead."""
    fields = {"email": normalise_email(body.email), "display_name": body.display_name, "adopt": body.adopt_guest}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


async def _replayed_registration(
    body: RegisterIn, key: str, session: AsyncSession, accounts: AccountService
) -> TokenPair | None:
    """A retried registration (same key, same body, the password right): the account it created, with
    new tokens. None when the key did not register this email."""
    user_id = await session.scalar(select(User.id).where(User.email == normalise_email(body.email)))
    record = await session.get(IdempotencyRecord, (user_id, key)) if user_id else None
    if record is None or record.path != REGISTER_PATH:
        return None
    if record.request_hash != _register_digest(body):
        raise IdempotencyConflict("This Idempotency-Key was used with a different request.")
    pair = await accounts.login(body.email, body.password, None)
    await session.commit()
    return pair


@router.post("/register", status_code=201, response_model=TokensOut, responses=ERRORS)
async def register(
    body: RegisterIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    accounts: AccountsDep,
    auditor: AuditDep,
    idempotency_key: IdempotencyKey = None,
) -> TokensOut | JSONResponse:
    """Create an account and log in; the calling guest's threads move to it (`adopt_guest`).

    Retried with the same `Idempotency-Key` and body, it answers 201 again for the account the first
    request created (with new tokens, `Idempotent-Replayed: true`) instead of 409 `email_taken`."""
    key = idempotency_key.strip() if idempotency_key else None
    if key and (replayed := await _replayed_registration(body, key, session, accounts)) is not None:
        out = _tokens(replayed, response)
        return JSONResponse(out.model_dump(), status_code=201, headers={**response.headers, REPLAY_HEADER: "true"})
    guest = await read_guest(request, session, settings) if body.adopt_guest else None
    try:
        pair = await accounts.register(body.email, body.password, body.display_name, guest)
        if key:
            session.add(_register_record(pair.user, key, body))
        await session.commit()
    except IntegrityError as exc:  # a concurrent registration of the same email
        await session.rollback()
        raise EmailTaken("An account with this email already exists.") from exc
    await auditor.record("account_registered", user_id=pair.user.id, adopted_guest=guest is not None)
    return _tokens(pair, response)


@router.post("/login", response_model=TokensOut, responses=ERRORS)
async def login(
    body: LoginIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    accounts: AccountsDep,
    auditor: AuditDep,
) -> TokensOut:
    """Log in with email and password: an access token and a refresh token."""
    guest = await read_guest(request, session, settings) if body.adopt_guest else None
    try:
        pair = await accounts.login(body.email, body.password, guest)
    except InvalidCredentials:
        await auditor.record("login_failed", email=body.email.lower())
        raise
    await session.commit()
    await auditor.record("login_succeeded", user_id=pair.user.id)
    return _tokens(pair, response)


@router.post("/refresh", response_model=TokensOut, responses=ERRORS)
async def refresh(
    body: RefreshIn, response: Response, session: SessionDep, accounts: AccountsDep, auditor: AuditDep
) -> TokensOut:
    """Trade a refresh token for a new pair; a reused refresh token revokes its whole family."""
    try:
        pair = await accounts.refresh(body.refresh_token)
    except RefreshTokenReused as exc:
        await session.commit()  # keep the family's revocation
        await auditor.record("refresh_token_reused", **(exc.details or {}))
        exc.details = None
        raise
    await session.commit()
    return _tokens(pair, response)


@router.post("/logout", status_code=204, response_class=Response, responses=ERRORS)
async def logout(body: RefreshIn, session: SessionDep, accounts: AccountsDep) -> Response:
    """Revoke the refresh token's whole session; access tokens expire on their own (minutes)."""
    await accounts.logout(body.refresh_token)
    await session.commit()
    return Response(status_code=204)


@router.get("/profile", response_model=ProfileOut)
async def get_profile(user: CurrentUser) -> ProfileOut:
    """The caller: a guest, an account or an administrator."""
    return _profile(user)


@router.put("/profile", response_model=ProfileOut, responses=ERRORS)
async def put_profile(body: ProfileIn, user: CurrentUser, session: SessionDep) -> ProfileOut:
    """Change the caller's display name."""
    user = await UserRepository(session).set_display_name(user, body.display_name)
    await session.commit()
    return _profile(user)


@router.delete("/profile", status_code=204, response_class=Response, responses=ERRORS)
async def delete_profile(user: CurrentUser, session: SessionDep, accounts: AccountsDep, auditor: AuditDep) -> Response:
    """Delete the caller and everything they own (threads, messages, runs, preferences, progress, caches)."""
    await accounts.delete_user(user)
    await session.commit()
    await auditor.record("account_deleted", deleted_user_id=str(user.id), kind=user.kind)
    response = Response(status_code=204)
    response.delete_cookie(GUEST_COOKIE)
    return response
