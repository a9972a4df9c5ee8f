"""One error envelope for every failure: {"error": {code, message, details, request_id}}."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from booktutor.errors import AppError
from booktutor.memory.database import DatabaseUnavailable
from booktutor.retrieval.vector_store import IndexMismatch

log = structlog.get_logger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}
# character_not_in_repertoire, untranslatable_character: e.g. a NUL in text sent by the client
_UNSTORABLE_TEXT_SQLSTATES = frozenset({"22021", "22P05"})
_DATA_EXCEPTION_CLASS = "22"  # SQLSTATE class 22: string too long, number out of range, bad format


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details, "request_id": correlation_id.get()}}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict]:
    return [{"loc": list(err.get("loc", ())), "msg": err.get("msg"), "type": err.get("type")} for err in exc.errors()]


NotFoundFallback = Callable[[Request], Awaitable[Response | None]]


def install_error_handlers(app: FastAPI, not_found_fallback: NotFoundFallback | None = None) -> None:
    """The error envelope for every error; `not_found_fallback` may answer an unrouted GET instead."""

    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError):
        return error_response(exc.status_code, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError):
        return error_response(422, "validation_error", "The request is not valid.", _validation_details(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404 and request.method == "GET" and not_found_fallback is not None:
            fallback = await not_found_fallback(request)
            if fallback is not None:
                return fallback
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        details = getattr(exc, "details", None)
        return error_response(exc.status_code, code, message, details, headers=getattr(exc, "headers", None))

    @app.exception_handler(IndexMismatch)
    async def index_mismatch(_: Request, exc: IndexMismatch):
        return error_response(503, "index_mismatch", str(exc))

    async def database_down(_: Request, exc: Exception):
        log.warning("database_unavailable", error=str(exc))
        return error_response(
            503,
            "database_unavailable",
            "The database is not reachable; try again shortly.",
            headers={"Retry-After": "5"},
        )

    for exc_type in (DatabaseUnavailable, OperationalError, InterfaceError, ConnectionError, OSError):
        app.add_exception_handler(exc_type, database_down)

    @app.exception_handler(DBAPIError)
    async def dbapi_error(request: Request, exc: DBAPIError):
        if exc.connection_invalidated:
            return await database_down(request, exc)
        sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
        if sqlstate in _UNSTORABLE_TEXT_SQLSTATES:
            return error_response(
                422, "invalid_characters", "The request contains characters that cannot be stored (such as NUL)."
            )
        if sqlstate.startswith(_DATA_EXCEPTION_CLASS):  # a value too long or out of range: the client's data
            log.warning("unstorable_value", sqlstate=sqlstate)
            return error_response(422, "invalid_value", "A value in the request is too long or out of range.")
        log.exception("database_error")
        return error_response(500, "internal_error", "An unexpected error occurred.")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception):
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return error_response(500, "internal_error", "An unexpected error occurred.")
