"""FastAPI dependencies, exposed as `Annotated` aliases for the route modules."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.api.idempotency import Idempotency
from booktutor.api.netinfo import GUEST_COOKIE, GUEST_HEADER, bearer_token, client_ip, guest_token, ip_in
from booktutor.api.streaming import RunManager
from booktutor.auth import audit
from booktutor.auth.accounts import AccountService
from booktutor.auth.identity import user_from_bearer
from booktutor.config import Settings
from booktutor.errors import AdminRequired, BadRequest, InvalidToken, QuizUnavailable, Unauthorized
from booktutor.jobs import JobQueue
from booktutor.jobs.store import JobStore
from booktutor.memory.books import BookRepository
from booktutor.memory.database import Database
from booktutor.memory.models import User
from booktutor.memory.turns import find_guest
from booktutor.memory.users import UserRepository
from booktutor.personalize.service import PersonalizationService
from booktutor.security import issue_guest_token, read_guest_token, server_secret
from booktutor.services import Services
from booktutor.translate.service import TranslationService
from booktutor.tutoring.quizzes import QuizService

# -- the application's services -------------------------------------------------------------------


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


async def get_job_queue(request: Request) -> JobQueue:
    return request.app.state.job_queue


JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]


async def get_job_store(queue: JobQueueDep) -> JobStore:
    return queue.store


JobStoreDep = Annotated[JobStore, Depends(get_job_store)]


async def get_run_manager(request: Request) -> RunManager:
    return request.app.state.run_manager


RunManagerDep = Annotated[RunManager, Depends(get_run_manager)]


async def get_run_source(request: Request) -> Any:
    """The chat engine the runs come from (None in apps built without one, e.g. some tests)."""
    return getattr(request.app.state, "run_source", None)


RunSourceDep = Annotated[Any, Depends(get_run_source)]


async def get_quiz_service(request: Request) -> QuizService:
    """The chat engine's quiz service (None in apps built without one, e.g. some tests)."""
    quizzes: QuizService | None = getattr(request.app.state, "quizzes", None)
    if quizzes is None:
        raise QuizUnavailable("Quizzes are not available here.")
    return quizzes


QuizServiceDep = Annotated[QuizService, Depends(get_quiz_service)]


def _model_of(source: Any) -> Any:
    """The model the chat engine was built with (configured, or injected by tests)."""
    return getattr(source, "model", None)


async def get_personalization(services: ServicesDep, source: RunSourceDep) -> PersonalizationService:
    return PersonalizationService(services, _model_of(source))


PersonalizationDep = Annotated[PersonalizationService, Depends(get_personalization)]


async def get_translation(services: ServicesDep, source: RunSourceDep) -> TranslationService:
    return TranslationService(services, _model_of(source))


TranslationDep = Annotated[TranslationService, Depends(get_translation)]


# -- the caller ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestAudit:
    """Records security events (auth.audit) with the calling client's IP."""

    db: Database
    ip: str

    async def record(self, event: str, *, user_id: uuid.UUID | None = None, **details: Any) -> None:
        await audit.record(self.db, event, user_id=user_id, ip=self.ip, **details)


async def get_audit(request: Request, services: ServicesDep) -> RequestAudit:
    return RequestAudit(services.db, client_ip(request))


AuditDep = Annotated[RequestAudit, Depends(get_audit)]


async def get_current_user(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep, auditor: AuditDep
) -> User:
    """The caller: an account from `Authorization: Bearer` (built-in access token or Better-Auth
    JWT), else a known guest from a signed token, else a new guest whose token is returned.

    A bearer token that does not verify is a 401 (never a silent fall back to a guest)."""
    secret = server_secret(settings)
    bearer = bearer_token(request)
    if bearer is not None:
        return _note_user(request, await _bearer_user(request, bearer, session, settings, auditor))
    user = await read_guest(request, session, settings)
    if user is None:
        users = UserRepository(session)
        user = await users.create_guest()
        await session.commit()
        token = issue_guest_token(user.id, secret)
        response.headers[GUEST_HEADER] = token
        secure = request.url.scheme == "https"  # behind a TLS proxy: with trusted X-Forwarded-Proto
        response.set_cookie(GUEST_COOKIE, token, httponly=True, secure=secure, samesite="lax", max_age=365 * 86400)
    return _note_user(request, user)


async def _bearer_user(
    request: Request, bearer: str, session: AsyncSession, settings: Settings, auditor: RequestAudit
) -> User:
    try:
        return await user_from_bearer(bearer, session, settings, server_secret(settings))
    except InvalidToken as exc:
        await auditor.record("token_rejected", path=request.url.path, **(exc.details or {}))
        raise


def _note_user(request: Request, user: User) -> User:
    """Tell the access log who called: guest, learner or admin."""
    request.state.user_kind = "guest" if user.kind == "guest" else user.role
    return user


async def read_guest(request: Request, session: AsyncSession, settings: Settings) -> User | None:
    """The guest named by the request's guest token, if any (never creates one)."""
    token = guest_token(request)
    user_id = read_guest_token(token, server_secret(settings)) if token else None
    user = await UserRepository(session).get(user_id) if user_id else None
    return user if user is not None and user.kind == "guest" else None


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_streaming_user(user: CurrentUser, session: SessionDep) -> User:
    """The caller, with the request's DB connection given back: a stream may stay open for minutes."""
    await session.close()
    return user


StreamingUser = Annotated[User, Depends(get_streaming_user)]


async def get_run_caller(request: Request, response: Response, services: ServicesDep) -> User:
    """The caller of a route that only streams (no other dependency needs a session): a known guest,
    as for every widget run, is read in one plain statement without an ORM session; accounts, new
    guests and bad tokens take `get_current_user`'s path, the session closed before the stream."""
    settings = services.settings
    token = guest_token(request) if bearer_token(request) is None else None
    user_id = read_guest_token(token, server_secret(settings)) if token else None
    if user_id is not None and (guest := await find_guest(services.db, user_id)) is not None:
        return _note_user(request, guest)
    async with services.db.session() as session:
        auditor = RequestAudit(services.db, client_ip(request))
        return await get_current_user(request, response, session, settings, auditor)


RunCaller = Annotated[User, Depends(get_run_caller)]


async def require_admin(request: Request, services: Services) -> User:
    """The caller, who must be an administrator (a bearer token: guests never are). Needs no request
    body, so admin routes (AdminFirstRoute) run it before theirs is read."""
    known = getattr(request.state, "admin_user", None)
    if known is not None:
        return known
    settings = services.settings
    auditor = RequestAudit(services.db, client_ip(request))
    bearer = bearer_token(request)
    async with services.db.session() as session:
        if bearer is not None:
            user: User | None = await _bearer_user(request, bearer, session, settings, auditor)
        else:
            user = await read_guest(request, session, settings)
    if user is None or user.role != "admin":
        await auditor.record("access_denied", user_id=user.id if user else None, path=request.url.path)
        if user is None:
            raise Unauthorized("Sign in as an administrator.")
        raise AdminRequired("This endpoint is for administrators.")
    request.state.admin_user = _note_user(request, user)
    return user


async def is_privileged_caller(request: Request, services: Services) -> bool:
    """An internal caller (from `internal_networks`) or an administrator's bearer token: who may see
    operational detail such as why the service is not ready. Never raises, never audits."""
    if ip_in(client_ip(request), services.settings.internal_networks):
        return True
    bearer = bearer_token(request)
    if bearer is None:
        return False
    try:
        async with services.db.session() as session:
            user = await user_from_bearer(bearer, session, services.settings, server_secret(services.settings))
    except Exception:  # an invalid token, or the database this probe may be reporting as down
        return False
    return user.role == "admin"


async def get_admin_user(request: Request, services: ServicesDep) -> User:
    return await require_admin(request, services)


AdminUser = Annotated[User, Depends(get_admin_user)]


async def get_accounts(session: SessionDep, settings: SettingsDep) -> AccountService:
    return AccountService(session, settings, server_secret(settings))


AccountsDep = Annotated[AccountService, Depends(get_accounts)]


async def get_idempotency(
    request: Request,
    response: Response,
    user: CurrentUser,
    services: ServicesDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"\S")
    ] = None,
) -> Idempotency:
    if idempotency_key is not None and not idempotency_key.strip():
        raise BadRequest("The Idempotency-Key header is empty.")
    return Idempotency(request, user, services, idempotency_key, response)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
