"""What each kind of job does. A handler gets the worker's dependencies, the job's saved params
and its progress counters, and returns the job's result (a JSON object)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from agents import Model

from booktutor.errors import AppError, BadRequest
from booktutor.ingest.pipeline import Ingestor
from booktutor.ingest.reindex import reindex
from booktutor.jobs.progress import JobProgress
from booktutor.memory.books import BookRepository
from booktutor.personalize.profile import LearnerProfile
from booktutor.personalize.service import PersonalizationService
from booktutor.services import Services
from booktutor.translate.service import TranslationService
from booktutor.tutoring.authored import store_authored_questions

log = structlog.get_logger(__name__)
MAX_REPORTED_PROBLEMS = 100


@dataclass
class JobDeps:
    """What handlers run with: the process's services and the model that writes chapter variants."""

    services: Services
    model: Model | None = None


Handler = Callable[[JobDeps, dict[str, Any], JobProgress], Awaitable[dict[str, Any]]]


async def ingest_book(deps: JobDeps, params: dict[str, Any], progress: JobProgress) -> dict[str, Any]:
    root = Path(params["path"])
    if not (root / "docs").is_dir():  # gone since submission: ingesting nothing would remove every chapter
        raise BadRequest(f"The book's folder {root} is gone or is not a Docusaurus site.", code="book_path_invalid")
    services = deps.services
    ingestor = Ingestor(
        services.db, services.store, services.embedder, progress=progress, on_published=[store_authored_questions]
    )
    report = await ingestor.ingest(root, book_id=params.get("book_id"), title=params.get("title"))
    return {
        "book_id": report.book_id,
        "added": len(report.added),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
        "removed": len(report.removed),
        "chunks_written": report.chunks_written,
        "sentence_vectors_refreshed": report.sentence_vectors_refreshed,
        "problems": [{"path": p.source_path, "message": p.message} for p in report.problems[:MAX_REPORTED_PROBLEMS]],
    }


async def reindex_all(deps: JobDeps, params: dict[str, Any], progress: JobProgress) -> dict[str, Any]:
    services = deps.services
    return {"chunks": await reindex(services.db, services.store, services.embedder, progress)}


async def pregenerate(deps: JobDeps, params: dict[str, Any], progress: JobProgress) -> dict[str, Any]:
    """Translate and personalize every chapter of a book ahead of readers, filling the cache.

    One chapter variant failing (a translation that fails its checks, say) is reported and skipped;
    the job fails only when every variant failed (no usable model, say). `stored` counts stored
    human translations, which need no generating."""
    book_id = params["book_id"]
    async with deps.services.db.session() as session:
        chapters = [c.key for c in await BookRepository(session).list_chapters(book_id)]
    variants = _variants(deps, params)
    progress.start(items=len(chapters) * len(variants))
    outcome: dict[str, Any] = {"chapters": len(chapters), "generated": 0, "cached": 0, "stored": 0, "failed": []}
    for chapter in chapters:
        for name, make in variants:
            await _generate_one(make, book_id, chapter, name, outcome)
            progress.advance(items=1)
    if outcome["failed"] and not any(outcome[key] for key in ("generated", "cached", "stored")):
        raise RuntimeError(f"every chapter variant failed; first: {outcome['failed'][0]['error']}")
    outcome["failed"] = outcome["failed"][:MAX_REPORTED_PROBLEMS]
    return outcome


VariantMaker = Callable[[str, str], Awaitable[str | None]]


def _variants(deps: JobDeps, params: dict[str, Any]) -> list[tuple[str, VariantMaker]]:
    translation = TranslationService(deps.services, deps.model)
    personalization = PersonalizationService(deps.services, deps.model)
    variants: list[tuple[str, VariantMaker]] = []
    for language in params.get("languages", []):

        async def translate(book_id: str, chapter: str, language: str = language) -> str | None:
            return (await translation.chapter(book_id, chapter, language)).cache or "stored"

        variants.append((f"translation:{language}", translate))
    for raw in params.get("profiles", []):
        profile = LearnerProfile.from_mapping(raw)

        async def personalize(book_id: str, chapter: str, profile: LearnerProfile = profile) -> str | None:
            return (await personalization.personalize(book_id, chapter, profile)).cache

        variants.append((f"profile:{_profile_label(profile)}", personalize))
    return variants


def _profile_label(profile: LearnerProfile) -> str:
    return "/".join(str(value) for value in (profile.software, profile.hardware, profile.level))


async def _generate_one(make: VariantMaker, book_id: str, chapter: str, variant: str, outcome: dict[str, Any]) -> None:
    try:
        cache = await make(book_id, chapter)
    except (AppError, ValueError) as exc:
        log.warning("pregenerate_variant_failed", chapter=chapter, variant=variant, error=str(exc))
        outcome["failed"].append({"chapter": chapter, "variant": variant, "error": str(exc)[:500]})
        return
    outcome[{"hit": "cached", "stored": "stored"}.get(cache or "", "generated")] += 1


HANDLERS: dict[str, Handler] = {"ingest": ingest_book, "reindex": reindex_all, "pregenerate": pregenerate}


async def clean_up(params: dict[str, Any]) -> None:
    """Remove what a job owned once it has ended for good (an uploaded archive's folder)."""
    if folder := params.get("upload_dir"):
        await asyncio.to_thread(shutil.rmtree, folder, True)
