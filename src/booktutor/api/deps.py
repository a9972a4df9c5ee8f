"""FastAPI dependencies, exposed as `Annotated` aliases for the route modules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.config import Settings
from booktutor.memory.books import BookRepository
from booktutor.memory.models import User
from booktutor.memory.users import UserRepository
from booktutor.security import issue_guest_token, read_guest_token, server_secret
from booktutor.services import Services

GUEST_HEADER = "X-Guest-Token"
GUEST_COOKIE = "booktutor_guest"


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.db.session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def get_book_repository(session: SessionDep) -> BookRepository:
    return BookRepository(session)


BookRepoDep = Annotated[BookRepository, Depends(get_book_repository)]


async def get_current_user(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> User:
    """The caller: a known guest from a signed token, or a new guest whose token is returned."""
    secret = server_secret(settings)
    token = request.headers.get(GUEST_HEADER) or request.cookies.get(GUEST_COOKIE)
    users = UserRepository(session)
    user_id = read_guest_token(token, secret) if token else None
    user = await users.get(user_id) if user_id else None
    if user is None:
        user = await users.create_guest()
        await session.commit()
        token = issue_guest_token(user.id, secret)
        response.headers[GUEST_HEADER] = token
        response.set_cookie(GUEST_COOKIE, token, httponly=True, samesite="lax", max_age=365 * 86400)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
