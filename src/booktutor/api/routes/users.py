"""Built-in accounts: register, log in, refresh, log out, and the caller's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy.exc import IntegrityError

from booktutor.api.deps import CurrentUser, SessionDep, SettingsDep, read_guest
from booktutor.api.netinfo import client_ip
from booktutor.api.schemas import ErrorEnvelope
from booktutor.auth import audit
from booktutor.auth.accounts import AccountService, TokenPair
from booktutor.errors import EmailTaken, InvalidCredentials, RefreshTokenReused
from booktutor.memory.models import User
from booktutor.security import server_secret

router = APIRouter(prefix="/users", tags=["users"])
Password = Annotated[str, Field(min_length=8, max_length=256)]
DisplayName = Annotated[str | None, Field(default=None, min_length=1, max_length=200)]
ERRORS = {401: {"model": ErrorEnvelope}, 409: {"model": ErrorEnvelope}, 422: {"model": ErrorEnvelope}}


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


def _accounts(session, settings) -> AccountService:
    return AccountService(session, settings, server_secret(settings))


@router.post("/register", status_code=201, response_model=TokensOut, responses=ERRORS)
async def register(
    body: RegisterIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> TokensOut:
    guest = await read_guest(request, session, settings) if body.adopt_guest else None
    try:
        pair = await _accounts(session, settings).register(body.email, body.password, body.display_name, guest)
        await session.commit()
    except IntegrityError as exc:  # a concurrent registration of the same email
        await session.rollback()
        raise EmailTaken("An account with this email already exists.") from exc
    await audit.record(
        request.app.state.services.db,
        "account_registered",
        user_id=pair.user.id,
        ip=client_ip(request, settings),
        adopted_guest=guest is not None,
    )
    return _tokens(pair, response)


@router.post("/login", response_model=TokensOut, responses=ERRORS)
async def login(
    body: LoginIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> TokensOut:
    guest = await read_guest(request, session, settings) if body.adopt_guest else None
    db, ip = request.app.state.services.db, client_ip(request, settings)
    try:
        pair = await _accounts(session, settings).login(body.email, body.password, guest)
    except InvalidCredentials:
        await audit.record(db, "login_failed", ip=ip, email=body.email.lower())
        raise
    await session.commit()
    await audit.record(db, "login_succeeded", user_id=pair.user.id, ip=ip)
    return _tokens(pair, response)


@router.post("/refresh", response_model=TokensOut, responses=ERRORS)
async def refresh(
    body: RefreshIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> TokensOut:
    try:
        pair = await _accounts(session, settings).refresh(body.refresh_token)
    except RefreshTokenReused as exc:
        await session.commit()  # keep the family's revocation
        await audit.record(
            request.app.state.services.db,
            "refresh_token_reused",
            ip=client_ip(request, settings),
            **(exc.details or {}),
        )
        exc.details = None
        raise
    await session.commit()
    return _tokens(pair, response)


@router.post("/logout", status_code=204, response_class=Response, responses=ERRORS)
async def logout(body: RefreshIn, session: SessionDep, settings: SettingsDep) -> Response:
    """Revoke the refresh token's whole session; access tokens expire on their own (minutes)."""
    await _accounts(session, settings).logout(body.refresh_token)
    await session.commit()
    return Response(status_code=204)


@router.get("/profile", response_model=ProfileOut)
async def get_profile(user: CurrentUser) -> ProfileOut:
    return _profile(user)


@router.put("/profile", response_model=ProfileOut, responses=ERRORS)
async def put_profile(body: ProfileIn, user: CurrentUser, session: SessionDep) -> ProfileOut:
    user = await session.merge(user)
    user.display_name = body.display_name
    await session.commit()
    return _profile(user)


@router.delete("/profile", status_code=204, response_class=Response, responses=ERRORS)
async def delete_profile(user: CurrentUser, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Delete the caller and everything they own (threads, messages, runs, preferences, progress, caches)."""
    await _accounts(session, settings).delete_user(user)
    await session.commit()
    await audit.record(
        request.app.state.services.db,
        "account_deleted",
        ip=client_ip(request, settings),
        deleted_user_id=str(user.id),
        kind=user.kind,
    )
    response = Response(status_code=204)
    response.delete_cookie("booktutor_guest")
    return response
