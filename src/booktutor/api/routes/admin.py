"""Administrator endpoints: ingest a book (server path or upload) and reindex as background
jobs, embed texts; job status."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from pydantic import BaseModel, Field

from booktutor.api.deps import AdminUser, ServicesDep, SettingsDep
from booktutor.api.schemas import ErrorEnvelope
from booktutor.errors import BadRequest, JobNotFound, PayloadTooLarge
from booktutor.ingest.archive import extract_archive
from booktutor.ingest.pipeline import Ingestor
from booktutor.ingest.reindex import reindex
from booktutor.jobs import JobProgress, JobRunner
from booktutor.memory.account_models import Job
from booktutor.services import Services

router = APIRouter(tags=["admin"])
ERRORS = {401: {"model": ErrorEnvelope}, 403: {"model": ErrorEnvelope}, 404: {"model": ErrorEnvelope},
          413: {"model": ErrorEnvelope}, 422: {"model": ErrorEnvelope}}
BookId = Annotated[str | None, Field(default=None, min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Title = Annotated[str | None, Field(default=None, min_length=1, max_length=300)]


class PathNotAllowed(BadRequest):
    code = "path_not_allowed"


class IngestPathIn(BaseModel):
    path: str = Field(min_length=1, max_length=1000, description="A Docusaurus site folder on the server.")
    book_id: BookId = None
    title: Title = None


class JobOut(BaseModel):
    id: str
    kind: str
    status: str
    params: dict[str, Any]
    progress: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    updated_at: datetime


class EmbedIn(BaseModel):
    texts: list[Annotated[str, Field(min_length=1, max_length=8000)]] = Field(min_length=1, max_length=64)
    kind: str = Field(default="document", pattern="^(document|query)$")


class EmbedOut(BaseModel):
    model: str
    dimension: int
    vectors: list[list[float]]


def get_job_runner(request: Request) -> JobRunner:
    runner = getattr(request.app.state, "job_runner", None)
    if runner is None:
        runner = request.app.state.job_runner = JobRunner(request.app.state.services.db)
    return runner


def _job_out(job: Job) -> JobOut:
    return JobOut(id=str(job.id), kind=job.kind, status=job.status, params=job.params, progress=job.progress,
                  result=job.result, error=job.error, created_at=job.created_at, updated_at=job.updated_at)


async def _accepted(job: Job, services: Services, response: Response) -> JobOut:
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    async with services.db.session() as session:
        return _job_out(await session.get(Job, job.id))


def _ingest_work(services: Services, root: Path, book_id: str | None, title: str | None,
                 cleanup: Path | None = None):
    async def work(progress: JobProgress) -> dict[str, Any]:
        try:
            ingestor = Ingestor(services.db, services.store, services.embedder, progress=progress)
            report = await ingestor.ingest(root, book_id=book_id, title=title)
        finally:
            if cleanup is not None:
                await asyncio.to_thread(shutil.rmtree, cleanup, True)
        return {"book_id": report.book_id, "added": len(report.added), "updated": len(report.updated),
                "unchanged": len(report.unchanged), "removed": len(report.removed),
                "chunks_written": report.chunks_written,
                "problems": [{"path": p.source_path, "message": p.message} for p in report.problems][:100]}

    return work


def _allowed_path(raw: str, roots: list[Path]) -> Path:
    path = Path(raw).expanduser().resolve()
    if roots and not any(path.is_relative_to(root.resolve()) for root in roots):
        raise PathNotAllowed("The path is outside the folders books may be ingested from.")
    if not (path / "docs").is_dir():
        raise BadRequest("The path is not a Docusaurus site (no docs/ folder).", code="book_path_invalid")
    return path


@router.post("/admin/books", status_code=202, response_model=JobOut, responses=ERRORS)
async def ingest_book(body: IngestPathIn, admin: AdminUser, services: ServicesDep, settings: SettingsDep,
                      request: Request, response: Response) -> JobOut:
    """Ingest (or re-ingest, incrementally) a Docusaurus site that is on the server, as a job."""
    root = _allowed_path(body.path, settings.admin_ingest_roots)
    job = await get_job_runner(request).submit(
        "ingest", {"path": str(root), "book_id": body.book_id}, admin.id,
        _ingest_work(services, root, body.book_id, body.title))
    return await _accepted(job, services, response)


@router.post("/admin/books/upload", status_code=202, response_model=JobOut, responses=ERRORS)
async def upload_book(admin: AdminUser, services: ServicesDep, settings: SettingsDep, request: Request,
                      response: Response, archive: Annotated[UploadFile, File(description="zip or tar(.gz)")],
                      book_id: Annotated[str | None, Form(max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")] = None,
                      title: Annotated[str | None, Form(max_length=300)] = None) -> JobOut:
    """Upload a Docusaurus site as a zip or tar archive and ingest it as a job."""
    folder = settings.data_dir / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    try:
        saved = folder / "archive"
        await asyncio.to_thread(_save, archive, saved, settings.max_upload_bytes)
        root = await asyncio.to_thread(extract_archive, saved, folder / "site")
    except Exception:
        await asyncio.to_thread(shutil.rmtree, folder, True)
        raise
    job = await get_job_runner(request).submit(
        "ingest", {"upload": archive.filename, "book_id": book_id}, admin.id,
        _ingest_work(services, root, book_id or None, title, cleanup=folder))
    return await _accepted(job, services, response)


def _save(upload: UploadFile, target: Path, max_bytes: int) -> None:
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"The upload is larger than {max_bytes} bytes.")
            out.write(chunk)


@router.post("/admin/reindex", status_code=202, response_model=JobOut, responses=ERRORS)
async def reindex_all(admin: AdminUser, services: ServicesDep, request: Request, response: Response) -> JobOut:
    """Re-embed every current chunk into the vector index (e.g. after changing the embedding model)."""
    async def work(progress: JobProgress) -> dict[str, Any]:
        return {"chunks": await reindex(services.db, services.store, services.embedder, progress)}

    job = await get_job_runner(request).submit("reindex", {}, admin.id, work)
    return await _accepted(job, services, response)


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
async def get_job(job_id: uuid.UUID, admin: AdminUser, services: ServicesDep) -> JobOut:
    async with services.db.session() as session:
        job = await session.get(Job, job_id)
    if job is None:
        raise JobNotFound("No such job.")
    return _job_out(job)


@router.post("/ai/embed", response_model=EmbedOut, responses=ERRORS)
async def embed(body: EmbedIn, admin: AdminUser, services: ServicesDep) -> EmbedOut:
    """Embed texts with the configured embedding model (documents or queries)."""
    embedder = services.embedder
    if body.kind == "query":
        vectors = [await embedder.embed_query(text) for text in body.texts]
    else:
        vectors = await embedder.embed_documents(body.texts)
    return EmbedOut(model=embedder.model_name, dimension=embedder.dimension, vectors=[list(v) for v in vectors])
