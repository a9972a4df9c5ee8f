"""A learner's mastery per chapter and section, and what to study next, from their quiz answers."""

from __future__ import annotations

import uuid

from booktutor.memory.book_records import document_for
from booktutor.memory.books import BookRepository
from booktutor.memory.database import Database
from booktutor.memory.models import Chapter
from booktutor.tutoring.mastery import MASTERED, P_INIT, Recommendation, SectionEstimate, recommend
from booktutor.tutoring.repository import TutoringRepository
from booktutor.tutoring.views import ChapterProgress, ProgressView, SectionProgress


async def learner_progress(db: Database, user_id: uuid.UUID, book_id: str) -> ProgressView:
    estimates, chapters, current = await _estimates(db, user_id, book_id)
    by_chapter: dict[str, list[SectionEstimate]] = {}
    for estimate in estimates:
        by_chapter.setdefault(estimate.chapter_key, []).append(estimate)
    return ProgressView(
        book_id=book_id,
        model="bkt",
        mastered_at=MASTERED,
        prior=P_INIT,
        chapters=[_chapter_progress(key, title, by_chapter.get(key, [])) for key, title in chapters],
        recommendation=recommend(estimates, chapters, current),
    )


async def recommend_next(db: Database, user_id: uuid.UUID, book_id: str) -> Recommendation | None:
    return recommend(*await _estimates(db, user_id, book_id))


def _chapter_progress(key: str, title: str, sections: list[SectionEstimate]) -> ChapterProgress:
    return ChapterProgress(
        chapter_id=key,
        title=title,
        mastery=round(sum(s.p_known for s in sections) / len(sections), 3) if sections else None,
        sections=[
            SectionProgress(
                anchor=s.anchor, heading=s.heading, p_known=round(s.p_known, 3), mastered=s.p_known >= MASTERED
            )
            for s in sections
        ],
    )


async def _estimates(
    db: Database, user_id: uuid.UUID, book_id: str
) -> tuple[list[SectionEstimate], list[tuple[str, str]], str | None]:
    """(section estimates in book order, (key, title) of every chapter, the last chapter practised)."""
    async with db.session() as session:
        repo = TutoringRepository(session)
        chapters = await BookRepository(session).list_chapters(book_id)
        language = await repo.default_language(book_id)
        rows = await repo.mastery_rows(user_id, book_id)
        last = await repo.last_practised_chapter(user_id, book_id)
    titles = [(c.key, _chapter_title(c, language)) for c in chapters]
    index = {c.id: (i, c.key) for i, c in enumerate(chapters)}
    estimates = [
        SectionEstimate(
            index[r.chapter_id][1],
            titles[index[r.chapter_id][0]][1],
            index[r.chapter_id][0],
            r.anchor,
            r.heading,
            r.p_known,
        )
        for r in rows
        if r.chapter_id in index
    ]
    estimates.sort(key=lambda e: (e.chapter_order, e.anchor))
    current = index[last][1] if last in index else None
    return estimates, titles, current


def _chapter_title(chapter: Chapter, language: str) -> str:
    document = document_for(chapter, language, any_language=True)
    return document.title if document else chapter.key
