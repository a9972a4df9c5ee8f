"""A chapter personalized for the caller: rewritten by a language model, or adapted offline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from booktutor.api.chapter_stream import chapter_event_stream
from booktutor.api.deps import CurrentUser, PersonalizationDep, ServicesDep
from booktutor.api.params import BookIdPath, ChapterIdPath
from booktutor.api.schemas import error_responses, event_stream_response
from booktutor.api.streaming import wants_event_stream, with_dependency_headers
from booktutor.memory.books import BookRepository
from booktutor.personalize.preferences import PreferencesRepository
from booktutor.personalize.profile import Background, LearnerProfile, Level
from booktutor.personalize.service import PersonalizedChapter
from booktutor.rewrite.source import load_chapter

router = APIRouter(prefix="/books", tags=["personalization"])


@router.get(
    "/{book_id}/chapters/{chapter_id}/personalized",
    response_model=PersonalizedChapter,
    responses={
        **error_responses(404),
        **event_stream_response("JSON, or AG-UI events with Accept: text/event-stream"),
    },
)
async def personalized_chapter(
    book_id: BookIdPath,
    chapter_id: ChapterIdPath,
    request: Request,
    response: Response,
    user: CurrentUser,
    services: ServicesDep,
    personalization: PersonalizationDep,
    level: Level | None = None,
    software_background: Background | None = None,
    hardware_background: Background | None = None,
    goals: Annotated[list[str] | None, Query(max_length=10)] = None,
) -> Any:
    """The caller's stored profile, overridden by the query parameters, decides the adaptation."""
    async with services.db.session() as session:
        await load_chapter(BookRepository(session), book_id, chapter_id)  # 404s before any streaming
        stored = await PreferencesRepository(session).profile(user.id)
    overrides = LearnerProfile(
        level=level,
        software=software_background,
        hardware=hardware_background,
        goals=tuple(g.strip()[:200] for g in goals or () if g.strip()),
    )
    profile = stored.merged(overrides)
    if wants_event_stream(request.headers.get("accept")):
        stream = chapter_event_stream(
            lambda sink: personalization.personalize(book_id, chapter_id, profile, on_section=sink),
            thread_id=f"personalized-{book_id}-{chapter_id}",
            event_name="personalized_chapter",
            ping_s=services.settings.stream_ping_s,
        )
        return with_dependency_headers(stream, response)  # a new guest's token and cookie
    return (await personalization.personalize(book_id, chapter_id, profile)).to_json()
