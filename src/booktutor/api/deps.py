"""FastAPI dependencies, exposed as `Annotated` aliases for the route modules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.api.netinfo import bearer_token, client_ip
from booktutor.auth import audit
from booktutor.auth.identity import user_from_bearer
from booktutor.config import Settings
from booktutor.errors import AdminRequired, InvalidToken
from booktutor.jobs import JobQueue
from booktutor.memory.books import BookRepository
from booktutor.memory.models import User
from booktutor.memory.users import UserRepository
from booktutor.security import issue_guest_token, read_guest_token, server_secret
from booktutor.services import Services

GUEST_HEADER = "X-Guest-Token"
GUEST_COOKIE = "booktutor_guest"


async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_settings(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.db.session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_book_repository(session: SessionDep) -> BookRepository:
    return BookRepository(session)


BookRepoDep = Annotated[BookRepository, Depends(get_book_repository)]


async def get_current_user(request: Request, response: Response, session: SessionDep, settings: SettingsDep) -> User:
    """The caller: an account from `Authorization: Bearer` (built-in access token or Better-Auth
    JWT), else a known guest from a signed token, else a new guest whose token is returned.

    A bearer token that does not verify is a 401 (never a silent fall back to a guest)."""
    secret = server_secret(settings)
    bearer = bearer_token(request)
    if bearer is not None:
        try:
            return await user_from_bearer(bearer, session, settings, secret)
        except InvalidToken as exc:
            await audit.record(
                request.app.state.services.db,
                "token_rejected",
                ip=client_ip(request, settings),
                path=request.url.path,
                **(exc.details or {}),
            )
            raise
    user = await read_guest(request, session, settings)
    if user is None:
        users = UserRepository(session)
        user = await users.create_guest()
        await session.commit()
        token = issue_guest_token(user.id, secret)
        response.headers[GUEST_HEADER] = token
        response.set_cookie(GUEST_COOKIE, token, httponly=True, samesite="lax", max_age=365 * 86400)
    return user


async def read_guest(request: Request, session: AsyncSession, settings: Settings) -> User | None:
    """The guest named by the request's guest token, if any (never creates one)."""
    token = request.headers.get(GUEST_HEADER) or request.cookies.get(GUEST_COOKIE)
    user_id = read_guest_token(token, server_secret(settings)) if token else None
    user = await UserRepository(session).get(user_id) if user_id else None
    return user if user is not None and user.kind == "guest" else None


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin_user(request: Request, user: CurrentUser, settings: SettingsDep) -> User:
    if user.role != "admin":
        await audit.record(
            request.app.state.services.db,
            "access_denied",
            user_id=user.id,
            ip=client_ip(request, settings),
            path=request.url.path,
        )
        raise AdminRequired("This endpoint is for administrators.")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]


async def get_job_queue(request: Request) -> JobQueue:
    return request.app.state.job_queue


JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]
