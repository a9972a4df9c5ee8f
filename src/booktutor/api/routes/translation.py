"""Chapters in another language (stored human translation first) and selected-text translation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from booktutor.api.chapter_stream import chapter_event_stream
from booktutor.api.deps import IdempotencyDep, ServicesDep, TranslationDep
from booktutor.api.params import BookIdPath, ChapterIdPath
from booktutor.api.schemas import error_responses, event_stream_response
from booktutor.api.streaming import wants_event_stream
from booktutor.personalize.profile import LanguageCode
from booktutor.translate.service import TranslatedChapter

router = APIRouter(tags=["translation"])
LanguagePath = Annotated[str, Path(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
ERRORS = error_responses(404, 503)


class TranslateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=8000)
    target_language: LanguageCode
    source_language: LanguageCode | None = None


@router.get(
    "/books/{book_id}/chapters/{chapter_id}/translated/{language_code}",
    response_model=TranslatedChapter,
    responses={**ERRORS, **event_stream_response("JSON, or AG-UI events with Accept: text/event-stream")},
)
async def translated_chapter(
    book_id: BookIdPath,
    chapter_id: ChapterIdPath,
    language_code: LanguagePath,
    request: Request,
    services: ServicesDep,
    translation: TranslationDep,
) -> Any:
    """A chapter in another language: a stored human translation, else a machine translation (503
    `translation_unavailable` without a model)."""
    await translation.ensure_available(book_id, chapter_id, language_code)  # 404/503 before streaming
    if wants_event_stream(request.headers.get("accept")):
        return chapter_event_stream(
            lambda sink: translation.chapter(book_id, chapter_id, language_code, on_section=sink),
            thread_id=f"translated-{book_id}-{chapter_id}",
            event_name="translated_chapter",
            ping_s=services.settings.stream_ping_s,
        )
    result = await translation.chapter(book_id, chapter_id, language_code)
    return JSONResponse(result.to_json(), headers={"Content-Language": result.language})


class TranslatedText(BaseModel):
    text: str
    source_language: str
    target_language: str
    dir: str
    source: str
    model: str | None


@router.post("/translate", response_model=TranslatedText, responses=error_responses(503))
async def translate_text(body: TranslateIn, translation: TranslationDep, idempotency: IdempotencyDep) -> Any:
    """Machine-translate a selected passage (code, inline code and URLs kept as they are)."""

    async def compute() -> tuple[int, dict[str, Any]]:
        source = body.source_language.lower() if body.source_language else None
        return 200, await translation.text(body.text, body.target_language.lower(), source)

    return await idempotency.run(compute)
