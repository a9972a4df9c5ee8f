"""Administrator endpoints: ingest a book (server path or upload), reindex and pre-generate chapter
variants as background jobs; job status; embed texts."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from booktutor.api.admin_gate import AdminFirstRoute
from booktutor.api.deps import (
    AdminUser,
    BookRepoDep,
    IdempotencyDep,
    JobQueueDep,
    JobStoreDep,
    ServicesDep,
    SettingsDep,
)
from booktutor.api.lookups import require_book
from booktutor.api.schemas import error_responses
from booktutor.api.upload_form import UploadForm, read_upload_form
from booktutor.errors import BadRequest, JobNotFound
from booktutor.ingest.archive import ArchiveLimits, extract_archive
from booktutor.memory.account_models import Job
from booktutor.personalize.profile import Background, LanguageCode, Level

router = APIRouter(tags=["admin"], route_class=AdminFirstRoute)
ERRORS = error_responses(401, 403, 404, 413, 422)
BOOK_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
BookId = Annotated[str | None, Field(default=None, min_length=1, max_length=100, pattern=BOOK_ID_PATTERN)]
Title = Annotated[str | None, Field(default=None, min_length=1, max_length=300)]
JobStatus = Literal["queued", "running", "retrying", "succeeded", "failed", "cancelled"]
CONFLICT = error_responses(409)


class PathNotAllowed(BadRequest):
    code = "path_not_allowed"


class IngestPathIn(BaseModel):
    path: str = Field(min_length=1, max_length=1000, description="A Docusaurus site folder on the server.")
    book_id: BookId = None
    title: Title = None


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    software_background: Background | None = None
    hardware_background: Background | None = None
    experience_level: Level | None = None


class PregenerateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["languages"], "properties": {"languages": {"minItems": 1}}},
                {"required": ["profiles"], "properties": {"profiles": {"minItems": 1}}},
            ]
        },
    )

    languages: list[LanguageCode] = Field(
        default_factory=list, max_length=10, description="Machine-translate every chapter into these languages."
    )
    profiles: list[ProfileIn] = Field(
        default_factory=list, max_length=27, description="Rewrite every chapter for each of these learner profiles."
    )

    @model_validator(mode="after")
    def _something_to_do(self) -> PregenerateIn:
        if not self.languages and not self.profiles:
            raise ValueError("give at least one language or one profile")
        return self


class JobOut(BaseModel):
    id: str
    kind: str
    status: JobStatus
    attempts: int
    params: dict[str, Any]
    progress: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    updated_at: datetime


class JobListOut(BaseModel):
    jobs: list[JobOut]


class EmbedIn(BaseModel):
    texts: list[Annotated[str, Field(min_length=1, max_length=8000)]] = Field(min_length=1, max_length=64)
    kind: str = Field(default="document", pattern="^(document|query)$")


class EmbedOut(BaseModel):
    model: str
    dimension: int
    vectors: list[list[float]]


def _job_out(job: Job) -> JobOut:
    return JobOut(
        id=str(job.id),
        kind=job.kind,
        status=job.status,
        attempts=job.attempts,
        params=job.params,
        progress=job.progress,
        result=job.result,
        error=job.error,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def _accepted(job: Job, response: Response) -> JobOut:
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return _job_out(job)


def _allowed_path(raw: str, roots: list[Path]) -> Path:
    if "\x00" in raw:
        raise BadRequest("The path contains a NUL character.", code="book_path_invalid")
    try:
        path = Path(raw).expanduser().resolve()
        if roots and not any(path.is_relative_to(root.resolve()) for root in roots):
            raise PathNotAllowed("The path is outside the folders books may be ingested from.")
        is_site = (path / "docs").is_dir()
    except (OSError, RuntimeError) as exc:  # a name too long, a link loop, ~user unknown
        raise BadRequest(f"The path cannot be used: {exc}"[:300], code="book_path_invalid") from exc
    if not is_site:
        raise BadRequest("The path is not a Docusaurus site (no docs/ folder).", code="book_path_invalid")
    return path


@router.post("/admin/books", status_code=202, response_model=JobOut, responses=ERRORS)
async def ingest_book(
    body: IngestPathIn,
    admin: AdminUser,
    settings: SettingsDep,
    queue: JobQueueDep,
    response: Response,
    idempotency: IdempotencyDep,
):
    """Ingest (or re-ingest, incrementally) a Docusaurus site that is on the server, as a job."""
    root = _allowed_path(body.path, settings.admin_ingest_roots)
    params = {"path": str(root), "book_id": body.book_id, "title": body.title}
    return await idempotency.run(lambda: _submit(queue, "ingest", params, admin, response))


async def _submit(queue: Any, kind: str, params: dict[str, Any], admin: Any, response: Response) -> tuple[int, JobOut]:
    return 202, _accepted(await queue.submit(kind, params, admin.id), response)


class UploadFields(BaseModel):
    book_id: BookId = None
    title: Title = None


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["archive"],
                "properties": {
                    "archive": {"type": "string", "format": "binary", "description": "zip or tar(.gz)"},
                    "book_id": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": BOOK_ID_PATTERN},
                    "title": {"type": "string", "minLength": 1, "maxLength": 300},
                },
            }
        }
    },
}


@router.post(
    "/admin/books/upload",
    status_code=202,
    response_model=JobOut,
    responses=ERRORS,
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def upload_book(
    request: Request, admin: AdminUser, settings: SettingsDep, queue: JobQueueDep, response: Response
) -> JobOut:
    """Upload a Docusaurus site as a zip or tar archive (form field `archive`) and ingest it as a job.

    The archive is written to disk as it arrives (never held in memory), after the caller was found to
    be an administrator; a body over `BOOKTUTOR_MAX_UPLOAD_BYTES` is refused with 413."""
    folder = settings.data_dir / "uploads" / uuid.uuid4().hex
    await asyncio.to_thread(folder.mkdir, parents=True)
    try:
        saved = folder / "archive"
        form = await read_upload_form(request, "archive", saved)
        fields = _upload_fields(form)
        limits = ArchiveLimits(settings.max_archive_members, settings.max_archive_expanded_bytes)
        root = await asyncio.to_thread(extract_archive, saved, folder / "site", limits)
        params = {
            "upload": form.file_name,
            "path": str(root),
            "book_id": fields.book_id or None,
            "title": fields.title,
            "upload_dir": str(folder),
        }
        job = await queue.submit("ingest", params, admin.id)
    except BaseException:
        await asyncio.to_thread(shutil.rmtree, folder, True)
        raise
    return _accepted(job, response)


def _upload_fields(form: UploadForm) -> UploadFields:
    if not form.file_received:
        raise RequestValidationError([{"loc": ("body", "archive"), "msg": "Field required", "type": "missing"}])
    try:
        return UploadFields.model_validate({name: form.fields.get(name) for name in ("book_id", "title")})
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


@router.post("/admin/reindex", status_code=202, response_model=JobOut, responses=ERRORS)
async def reindex_all(admin: AdminUser, queue: JobQueueDep, response: Response, idempotency: IdempotencyDep):
    """Re-embed every current chunk into the vector index (e.g. after changing the embedding model)."""
    return await idempotency.run(lambda: _submit(queue, "reindex", {}, admin, response))


@router.post("/admin/books/{book_id}/pregenerate", status_code=202, response_model=JobOut, responses=ERRORS)
async def pregenerate(
    book_id: Annotated[str, PathParam(min_length=1, max_length=100)],
    body: PregenerateIn,
    admin: AdminUser,
    books: BookRepoDep,
    settings: SettingsDep,
    queue: JobQueueDep,
    response: Response,
    idempotency: IdempotencyDep,
):
    """Translate and personalize every chapter of a book ahead of readers, as a job: readers then get
    those variants from the cache. A variant that fails is reported in the job's result."""
    await require_book(books, book_id)
    languages = sorted({language.lower() for language in body.languages})
    not_enabled = [language for language in languages if language not in settings.machine_translation_languages]
    if not_enabled:
        raise BadRequest(
            f"Machine translation is not enabled for: {', '.join(not_enabled)}.",
            code="language_not_enabled",
            details={"enabled": settings.machine_translation_languages},
        )
    params = {
        "book_id": book_id,
        "languages": languages,
        "profiles": [profile.model_dump(exclude_none=True) for profile in body.profiles],
    }
    return await idempotency.run(lambda: _submit(queue, "pregenerate", params, admin, response))


@router.get("/jobs", response_model=JobListOut, responses=ERRORS)
async def list_jobs(
    admin: AdminUser,
    jobs: JobStoreDep,
    status: Annotated[JobStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JobListOut:
    """The most recent jobs first, optionally only those with one status."""
    return JobListOut(jobs=[_job_out(job) for job in await jobs.recent(status, limit)])


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
async def get_job(job_id: uuid.UUID, admin: AdminUser, jobs: JobStoreDep) -> JobOut:
    """One background job: its status, progress, result or error."""
    job = await jobs.get(job_id)
    if job is None:
        raise JobNotFound("No such job.")
    return _job_out(job)


@router.post("/jobs/{job_id}/cancel", status_code=202, response_model=JobOut, responses=ERRORS | CONFLICT)
async def cancel_job(job_id: uuid.UUID, admin: AdminUser, queue: JobQueueDep, idempotency: IdempotencyDep):
    """Cancel a job: a waiting one at once (`cancelled`); a running one is stopped by its worker within
    seconds (poll the job until it says `cancelled`). A job that has ended answers 409 `job_finished`."""

    async def compute() -> tuple[int, JobOut]:
        return 202, _job_out(await queue.cancel(job_id))

    return await idempotency.run(compute)


@router.post("/ai/embed", response_model=EmbedOut, responses=ERRORS)
async def embed(body: EmbedIn, admin: AdminUser, services: ServicesDep) -> EmbedOut:
    """Embed texts with the configured embedding model (documents or queries)."""
    embedder = services.embedder
    if body.kind == "query":
        vectors = [await embedder.embed_query(text) for text in body.texts]
    else:
        vectors = await embedder.embed_documents(body.texts)
    return EmbedOut(model=embedder.model_name, dimension=embedder.dimension, vectors=[list(v) for v in vectors])
