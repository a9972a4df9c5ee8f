"""The OpenAPI document, completed from what each route really does.

FastAPI documents what a route declares; the errors that come from shared machinery are added here,
from the route's own dependencies, so the document cannot drift from the code: an identity (401 for a
bad bearer token), an administrator (401 without credentials, 403 for others), a body (400 when it
cannot be parsed, 413 when too large), parameters (422), path parameters (404), the rate limits (429
with Retry-After) and the database (503). Every error has the one error envelope. Security schemes name
the bearer token and the guest token (header or cookie). Summaries and descriptions come from the
endpoint's docstring.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from booktutor.api import deps
from booktutor.api.ratelimit import EXEMPT
from booktutor.api.schemas import ErrorEnvelope
from booktutor.config import Settings

ENVELOPE_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from /users/login, or a Better-Auth JWT.",
    },
    "guestToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Guest-Token",
        "description": "The guest token a first request without credentials receives.",
    },
    "guestCookie": {"type": "apiKey", "in": "cookie", "name": "booktutor_guest"},
}
# guests are created on demand: every way of calling, anonymous included
ANYONE: list[dict[str, list[str]]] = [
    {},
    {"bearerAuth": []},
    {"guestToken": []},
    {"guestCookie": []},
]  # guests are created on demand
ADMINS: list[dict[str, list[str]]] = [{"bearerAuth": []}]
ERROR_TEXT = {
    400: "The request is malformed: its body could not be parsed, or the HTTP server refused it (plain text).",
    401: "Missing or invalid credentials (`unauthorized`, `invalid_token`).",
    403: "The caller may not do this (`admin_required`).",
    404: "The resource does not exist or is not the caller's.",
    409: "The request conflicts with the resource's state.",
    413: "The request body is too large (`payload_too_large`).",
    422: "The request is not valid (`validation_error` or a more specific code).",
    429: "Too many requests (`rate_limited`); retry after `Retry-After` seconds.",
    503: "A dependency is unavailable (`database_unavailable`, …); retry later.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


def install_openapi(app: FastAPI, settings: Settings) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            complete(schema, app, settings)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def complete(schema: dict[str, Any], app: FastAPI, settings: Settings) -> None:
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    schemas = components.setdefault("schemas", {})
    schemas.update(ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"])
    schemas["ErrorEnvelope"] = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["ErrorEnvelope"].pop("$defs", None)
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path_format
        if isinstance(route, APIRoute) and context.include_in_schema and path is not None:
            for method in context.methods or ():
                _complete_operation(schema["paths"][path][method.lower()], route, path, settings)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)


def _complete_operation(operation: dict[str, Any], route: APIRoute, path: str, settings: Settings) -> None:
    summary, description = _docstring(route.endpoint)
    operation["summary"] = summary or operation.get("summary", "")
    operation["description"] = description or operation["summary"]
    for parameter in operation.get("parameters", []):
        _drop_null(parameter["schema"])
    calls = set(_dependency_calls(route.dependant))
    statuses = _shared_errors(route, path, calls, settings)
    responses = operation.setdefault("responses", {})
    for status in statuses | {int(code) for code in responses if code.isdigit() and int(code) >= 400}:
        _error_response(responses, status)
    if deps.get_admin_user in calls:
        operation["security"] = ADMINS
    elif deps.get_current_user in calls:
        operation["security"] = ANYONE


def _shared_errors(route: APIRoute, path: str, calls: set[Callable[..., Any]], settings: Settings) -> set[int]:
    statuses: set[int] = {400}  # any request: a malformed one is refused by the HTTP server itself
    if deps.get_admin_user in calls:
        statuses |= {401, 403}
    elif deps.get_current_user in calls:
        statuses.add(401)
    if route.body_field is not None or "requestBody" in (route.openapi_extra or {}):
        statuses |= {413, 422}
    if route.dependant.query_params or route.dependant.header_params or route.dependant.path_params:
        statuses.add(422)
    if route.dependant.path_params:
        statuses.add(404)
    if settings.rate_limit_enabled and not EXEMPT.match(path):
        statuses.add(429)
    if deps.get_services in calls and not EXEMPT.match(path):
        statuses.add(503)
    return statuses


def _error_response(responses: dict[str, Any], status: int) -> None:
    """The envelope for an error status, unless the route documents a body of its own (/ready's 503)."""
    entry = responses.setdefault(str(status), {})
    if entry.get("description") in (None, "", "Validation Error", "Successful Response"):
        entry["description"] = ERROR_TEXT.get(status, "Error")
    content = entry.setdefault("content", {})
    current = content.get("application/json", {}).get("schema", {})
    if not current or current.get("$ref", "").endswith("/HTTPValidationError"):
        content["application/json"] = {"schema": ENVELOPE_REF}
    if status == 400:  # from the HTTP server (uvicorn) the body is plain text
        content.setdefault("text/plain", {"schema": {"type": "string"}})
    if status in (429, 503):
        entry.setdefault("headers", {}).update(RETRY_AFTER)


def _drop_null(schema: dict[str, Any]) -> None:
    """An optional parameter is one left out: `null` cannot be sent in a query, header or path."""
    options = [option for option in schema.get("anyOf", []) if option != {"type": "null"}]
    if "anyOf" in schema and len(options) == 1:
        del schema["anyOf"]
        schema.update(options[0])
    elif "anyOf" in schema:
        schema["anyOf"] = options


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def _docstring(endpoint: Callable[..., Any]) -> tuple[str, str]:
    """(summary, description): the docstring's first paragraph joined, and the whole docstring."""
    doc = inspect.getdoc(endpoint) or ""
    first = doc.split("\n\n", 1)[0]
    return " ".join(first.split()), doc
