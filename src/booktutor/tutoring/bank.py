"""The questions a new quiz draws from: the book's authored ones, then generated ones.

Generated questions come from the language model when one is configured (validated, cached per
section) and from the offline generator when the model wrote too few; both caches live in Postgres.
"""

from __future__ import annotations

import structlog

from booktutor.memory.models import Chapter, Document
from booktutor.providers.embeddings import Embedder
from booktutor.tutoring.generate import GENERATOR_VERSION, ChapterMaterial, Section, generate_offline
from booktutor.tutoring.imported import imported_questions
from booktutor.tutoring.llm_generate import LLM_GENERATOR_VERSION, LLMQuestionGenerator, section_hash, worth_asking
from booktutor.tutoring.questions import QuizQuestion, normalized
from booktutor.tutoring.repository import TutoringRepository

log = structlog.get_logger(__name__)
MIN_GENERATED = 2  # fewer validated LLM questions than this: add the offline ones


class QuestionBank:
    def __init__(self, embedder: Embedder, question_writer: LLMQuestionGenerator | None = None) -> None:
        self.embedder = embedder
        self.question_writer = question_writer

    async def questions(
        self, repo: TutoringRepository, chapter: Chapter, document: Document, kinds: tuple[str, ...], source: str
    ) -> list[QuizQuestion]:
        """Authored questions first, then generated ones that ask something new, of the wanted kinds;
        `source` is "any", "authored" or "generated"."""
        material = await repo.chapter_material(document)
        picked = []
        if source != "generated":
            picked = await repo.authored_questions(chapter, document)
            picked += imported_questions(material.book_chapters).get(document.source_path, [])
        if source != "authored":
            picked += await self._generated(repo, material, document.book_id)
        unique: dict[str, QuizQuestion] = {}
        for question in picked:
            unique.setdefault(normalized(question.prompt), question)
        return [q for q in unique.values() if q.kind in kinds]

    async def without_model(self, repo: TutoringRepository, chapter: Chapter, document: Document) -> list[QuizQuestion]:
        """The authored, imported and offline-generated questions: what a chapter can be asked about, known
        without a model call."""
        material = await repo.chapter_material(document)
        picked = await repo.authored_questions(chapter, document)
        picked += imported_questions(material.book_chapters).get(document.source_path, [])
        return picked + await self._offline_generated(repo, material, document.book_id)

    async def _generated(self, repo: TutoringRepository, material: ChapterMaterial, book_id: str) -> list[QuizQuestion]:
        written = await self._llm_written(repo, material, book_id)
        if len(written) >= MIN_GENERATED:
            return written
        seen = {normalized(q.prompt) for q in written}
        offline = await self._offline_generated(repo, material, book_id)
        return written + [q for q in offline if normalized(q.prompt) not in seen]

    async def _offline_generated(
        self, repo: TutoringRepository, material: ChapterMaterial, book_id: str
    ) -> list[QuizQuestion]:
        key = material.content_hash()
        cached = await repo.cached_questions(key, GENERATOR_VERSION)
        if cached is not None:
            return cached
        questions = await generate_offline(material, self.embedder)
        await repo.cache_questions(book_id, key, GENERATOR_VERSION, questions)
        return questions

    async def _llm_written(
        self, repo: TutoringRepository, material: ChapterMaterial, book_id: str
    ) -> list[QuizQuestion]:
        """Validated LLM questions per section, cached by section content hash; a section whose
        model call fails is skipped (and not cached) so the offline questions take its place."""
        if self.question_writer is None:
            return []
        questions: list[QuizQuestion] = []
        for section in _sections(material):
            key = section_hash(section)
            cached = await repo.cached_questions(key, LLM_GENERATOR_VERSION)
            if cached is None:
                try:
                    cached = await self.question_writer.generate(material, section)
                except Exception:
                    log.warning("question_generation_failed", anchor=section.anchor, exc_info=True)
                    continue
                await repo.cache_questions(book_id, key, LLM_GENERATOR_VERSION, cached)
            seen = {normalized(q.prompt) for q in questions}
            questions += [q for q in cached if normalized(q.prompt) not in seen]
        return questions


def _sections(material: ChapterMaterial) -> list[Section]:
    """The chapter's sections worth asking about, its chunks merged back per anchor."""
    merged: dict[str, Section] = {}
    for chunk in material.sections:
        known = merged.get(chunk.anchor)
        merged[chunk.anchor] = (
            Section(chunk.heading_path, chunk.anchor, f"{known.text}\n\n{chunk.text}") if known else chunk
        )
    return [s for s in merged.values() if worth_asking(s)]
