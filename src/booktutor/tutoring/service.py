"""The quiz service behind the REST routes, the tutor's tools and the chat quiz turns."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any

import structlog
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from sqlalchemy import select, text

from booktutor.errors import (
    BadRequest,
    ChapterNotFound,
    NoMoreHints,
    QuestionAlreadyAnswered,
    QuizFinished,
    QuizNotFound,
    QuizUnavailable,
)
from booktutor.graph.quiz import QuizDeps, build_quiz_graph, quiz_config
from booktutor.memory.books import BookRepository, document_for
from booktutor.memory.models import Book, Chapter
from booktutor.memory.tutoring_models import Quiz
from booktutor.providers.registry import build_model, provider_capabilities
from booktutor.services import Services
from booktutor.tutoring.generate import (
    GENERATOR_VERSION,
    ChapterMaterial,
    Section,
    generate_offline,
)
from booktutor.tutoring.grading import (
    Grade,
    InvalidChoice,
    LLMRubricGrader,
    OfflineShortGrader,
    choice_index,
    grade_choice,
)
from booktutor.tutoring.hints import hints_for
from booktutor.tutoring.llm_generate import (
    LLM_GENERATOR_VERSION,
    LLMQuestionGenerator,
    section_hash,
    worth_asking,
)
from booktutor.tutoring.mastery import MASTERED, P_INIT, SectionEstimate, recommend
from booktutor.tutoring.questions import QuizQuestion, normalized
from booktutor.tutoring.repository import TutoringRepository

log = structlog.get_logger(__name__)
MAX_ANSWER_CHARS = 2000
MAX_QUESTIONS = 20
KINDS = ("mcq", "short")
MIN_GENERATED = 2  # fewer validated LLM questions than this: add the offline ones


class QuizService:
    def __init__(
        self,
        services: Services,
        model=None,
        checkpointer: BaseCheckpointSaver | None = None,
        *,
        question_model=None,
    ) -> None:
        self.services = services
        offline = OfflineShortGrader(services.embedder)
        llm_configured = provider_capabilities(services.settings.llm_provider).language_model
        use_llm = model is not None and llm_configured
        self.short_grader = LLMRubricGrader(model, offline) if use_llm else offline
        if question_model is None and llm_configured:
            question_model = model or build_model(services.settings, embedder=services.embedder)
        self.question_writer = (
            LLMQuestionGenerator(question_model, services.embedder) if question_model is not None else None
        )
        self.graph = build_quiz_graph(checkpointer or InMemorySaver())
        self.deps = QuizDeps(service=self)

    # --- public API ---------------------------------------------------------------------
    async def start(
        self,
        user_id: uuid.UUID,
        book_id: str,
        chapter_ref: str,
        *,
        count: int = 5,
        kinds: tuple[str, ...] = KINDS,
        source: str = "any",
        thread_id: str | None = None,
    ) -> dict:
        if not 1 <= count <= MAX_QUESTIONS:
            raise BadRequest(f"count must be between 1 and {MAX_QUESTIONS}.")
        async with self.services.db.session() as session, session.begin():
            chapter = await self._chapter(session, book_id, chapter_ref)
            document = document_for(chapter, await self._default_language(session, book_id), any_language=True)
            questions = await self._questions(TutoringRepository(session), chapter, document, kinds, source)
            if not questions:
                raise QuizUnavailable("This chapter has no questions of the requested kind.")
            quiz = await TutoringRepository(session).create_quiz(
                user_id, book_id, chapter.id, questions[:count], thread_id
            )
        await self.graph.ainvoke(
            {"quiz_id": str(quiz.id), "position": 0, "hints": 0, "last": None},
            quiz_config(quiz.id),
            context=self.deps,
            durability="sync",
        )
        return await self.view(user_id, quiz.id)

    async def view(self, user_id: uuid.UUID, quiz_id: uuid.UUID) -> dict:
        async with self.services.db.session() as session:
            repo = TutoringRepository(session)
            quiz = await self._owned(repo, user_id, quiz_id)
            answers = await repo.answers(quiz.id)
            chapter = await session.get(Chapter, quiz.chapter_id)
        state = (await self.graph.aget_state(quiz_config(quiz.id))).values or {"hints": quiz.hints}
        return _quiz_view(quiz, answers, chapter.key if chapter else "", state)

    async def answer(
        self, user_id: uuid.UUID, quiz_id: uuid.UUID, answer: str | int, position: int | None = None
    ) -> dict:
        async with self._exclusive(quiz_id):
            quiz, question = await self._current(user_id, quiz_id, position)
            _validate_answer(question, answer)
            await self._resume(quiz.id, {"action": "answer", "answer": answer})
            result = (await self.graph.aget_state(quiz_config(quiz.id))).values.get("last")
        return {"result": result, "quiz": await self.view(user_id, quiz_id)}

    async def hint(self, user_id: uuid.UUID, quiz_id: uuid.UUID) -> dict:
        async with self._exclusive(quiz_id):
            quiz, question = await self._current(user_id, quiz_id, None)
            used = (await self.graph.aget_state(quiz_config(quiz.id))).values.get("hints", quiz.hints)
            available = hints_for(question)
            if used >= len(available):
                raise NoMoreHints("There are no more hints for this question.")
            await self._resume(quiz.id, {"action": "hint"})
            async with self.services.db.session() as session, session.begin():
                await TutoringRepository(session).set_hints(quiz.id, used + 1)
        return {
            "hint": available[used],
            "level": used + 1,
            "hints_remaining": len(available) - used - 1,
            "quiz": await self.view(user_id, quiz_id),
        }

    async def abandon(self, user_id: uuid.UUID, quiz_id: uuid.UUID) -> None:
        async with self.services.db.session() as session, session.begin():
            repo = TutoringRepository(session)
            await self._owned(repo, user_id, quiz_id)
            await repo.set_status(quiz_id, "abandoned")

    async def active_quiz_for_thread(self, user_id: uuid.UUID, thread_id: str) -> uuid.UUID | None:
        async with self.services.db.session() as session:
            quiz = await TutoringRepository(session).active_quiz_for_thread(user_id, thread_id)
        return quiz.id if quiz else None

    async def progress(self, user_id: uuid.UUID, book_id: str) -> dict:
        estimates, chapters, current = await self._estimates(user_id, book_id)
        by_chapter: dict[str, list[SectionEstimate]] = {}
        for estimate in estimates:
            by_chapter.setdefault(estimate.chapter_key, []).append(estimate)
        rows = []
        for key, title in chapters:
            sections = by_chapter.get(key, [])
            rows.append(
                {
                    "chapter_id": key,
                    "title": title,
                    "mastery": round(sum(s.p_known for s in sections) / len(sections), 3) if sections else None,
                    "sections": [
                        {
                            "anchor": s.anchor,
                            "heading": s.heading,
                            "p_known": round(s.p_known, 3),
                            "mastered": s.p_known >= MASTERED,
                        }
                        for s in sections
                    ],
                }
            )
        recommendation = recommend(estimates, chapters, current)
        return {
            "book_id": book_id,
            "model": "bkt",
            "mastered_at": MASTERED,
            "prior": P_INIT,
            "chapters": rows,
            "recommendation": asdict(recommendation) if recommendation else None,
        }

    async def recommend_next(self, user_id: uuid.UUID, book_id: str) -> dict | None:
        estimates, chapters, current = await self._estimates(user_id, book_id)
        recommendation = recommend(estimates, chapters, current)
        return asdict(recommendation) if recommendation else None

    # --- used by the quiz graph ---------------------------------------------------------
    async def question_count(self, quiz_id: uuid.UUID) -> int:
        async with self.services.db.session() as session:
            quiz = await session.get(Quiz, quiz_id)
        return len(quiz.questions) if quiz and quiz.status == "active" else 0

    async def grade_and_record(self, quiz_id: uuid.UUID, position: int, answer: Any, hints_used: int) -> dict:
        async with self.services.db.session() as session, session.begin():
            repo = TutoringRepository(session)
            quiz = await session.get(Quiz, quiz_id, with_for_update=True)
            stored = next((a for a in await repo.answers(quiz_id) if a.position == position), None)
            if stored is not None:  # this step is being replayed after a crash
                return dict(stored.feedback)
            question = QuizQuestion.model_validate(quiz.questions[position])
            grade = await self._grade(question, answer)
            result = _result_view(position, question, answer, grade, hints_used)
            if grade.counts:
                await repo.record_answer(quiz, question, _answer_text(question, answer), grade, hints_used, result)
        return result

    async def complete(self, quiz_id: uuid.UUID) -> None:
        async with self.services.db.session() as session, session.begin():
            quiz = await session.get(Quiz, quiz_id)
            if quiz is not None and quiz.status == "active":
                quiz.status = "completed"

    # --- internals ------------------------------------------------------------------------
    async def _grade(self, question: QuizQuestion, answer: Any) -> Grade:
        if question.kind == "mcq":
            return grade_choice(question, answer)
        return await self.short_grader.grade(question, str(answer).strip())

    async def _resume(self, quiz_id: uuid.UUID, reply: dict) -> None:
        await self.graph.ainvoke(Command(resume=reply), quiz_config(quiz_id), context=self.deps, durability="sync")

    async def _current(self, user_id, quiz_id, position) -> tuple[Quiz, QuizQuestion]:
        async with self.services.db.session() as session:
            quiz = await self._owned(TutoringRepository(session), user_id, quiz_id)
        if quiz.status != "active" or quiz.position >= len(quiz.questions):
            raise QuizFinished("This quiz is finished.")
        if position is not None and position != quiz.position:
            raise QuestionAlreadyAnswered(
                f"Question {position} is not the current one ({quiz.position}).",
                details={"current_position": quiz.position},
            )
        if not (await self.graph.aget_state(quiz_config(quiz.id))).values:
            await self._reseed(quiz)
        return quiz, QuizQuestion.model_validate(quiz.questions[quiz.position])

    async def _reseed(self, quiz: Quiz) -> None:
        """Rebuild a pruned checkpoint from the quiz row: the database holds every graded answer."""
        await self.graph.ainvoke(
            {"quiz_id": str(quiz.id), "position": quiz.position, "hints": quiz.hints, "last": None},
            quiz_config(quiz.id),
            context=self.deps,
            durability="sync",
        )

    @asynccontextmanager
    async def _exclusive(self, quiz_id: uuid.UUID) -> AsyncIterator[None]:
        """One answer or hint at a time per quiz, across processes (a Postgres advisory lock)."""
        async with self.services.db.session() as session, session.begin():
            await session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 7))"),
                {"key": f"quiz:{quiz_id}"},
            )
            yield

    @staticmethod
    async def _owned(repo: TutoringRepository, user_id: uuid.UUID, quiz_id: uuid.UUID) -> Quiz:
        quiz = await repo.get_quiz(quiz_id)
        if quiz is None or quiz.owner_id != user_id:
            raise QuizNotFound("No such quiz.")  # another learner's quiz looks the same as none
        return quiz

    @staticmethod
    async def _chapter(session, book_id: str, chapter_ref: str) -> Chapter:
        chapter = await BookRepository(session).get_chapter(book_id, chapter_ref)
        if chapter is None:
            raise ChapterNotFound(f"No chapter '{chapter_ref}' in book '{book_id}'.")
        return chapter

    @staticmethod
    async def _default_language(session, book_id: str) -> str:
        return await session.scalar(select(Book.default_language).where(Book.id == book_id)) or "en"

    async def _questions(self, repo: TutoringRepository, chapter: Chapter, document, kinds, source) -> list:
        picked = [] if source == "generated" else await repo.authored_questions(chapter, document)
        if source != "authored":
            seen = {normalized(q.prompt) for q in picked}
            picked += [q for q in await self._generated(repo, document) if normalized(q.prompt) not in seen]
        return [q for q in picked if q.kind in kinds]

    async def _generated(self, repo: TutoringRepository, document) -> list[QuizQuestion]:
        material = await repo.chapter_material(document)
        written = await self._llm_written(repo, material, document.book_id)
        if len(written) >= MIN_GENERATED:
            return written
        seen = {normalized(q.prompt) for q in written}
        offline = await self._offline_generated(repo, material, document.book_id)
        return written + [q for q in offline if normalized(q.prompt) not in seen]

    async def _offline_generated(
        self, repo: TutoringRepository, material: ChapterMaterial, book_id: str
    ) -> list[QuizQuestion]:
        key = material.content_hash()
        cached = await repo.cached_questions(key, GENERATOR_VERSION)
        if cached is not None:
            return cached
        questions = await generate_offline(material, self.services.embedder)
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

    async def _estimates(self, user_id, book_id) -> tuple[list[SectionEstimate], list[tuple[str, str]], str | None]:
        async with self.services.db.session() as session:
            repo = TutoringRepository(session)
            chapters = await BookRepository(session).list_chapters(book_id)
            language = await self._default_language(session, book_id)
            rows = await repo.mastery_rows(user_id, book_id)
            last = await repo.last_practised_chapter(user_id, book_id)
        titles = [
            (c.key, (document_for(c, language, any_language=True) or c).title if c.documents else c.key)
            for c in chapters
        ]
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


def _sections(material: ChapterMaterial) -> list[Section]:
    """The chapter's sections worth asking about, its chunks merged back per anchor."""
    merged: dict[str, Section] = {}
    for chunk in material.sections:
        known = merged.get(chunk.anchor)
        merged[chunk.anchor] = (
            Section(chunk.heading_path, chunk.anchor, f"{known.text}\n\n{chunk.text}") if known else chunk
        )
    return [s for s in merged.values() if worth_asking(s)]


def _validate_answer(question: QuizQuestion, answer: str | int) -> None:
    if isinstance(answer, str) and not answer.strip():
        raise BadRequest("The answer is empty.", code="answer_empty")
    if isinstance(answer, str) and len(answer) > MAX_ANSWER_CHARS:
        raise BadRequest(f"The answer is longer than {MAX_ANSWER_CHARS} characters.", code="answer_too_long")
    if question.kind == "mcq":
        try:
            choice_index(question, answer)
        except InvalidChoice as error:
            raise BadRequest(str(error), code="invalid_choice") from error
    elif not isinstance(answer, str):
        raise BadRequest("A short-answer question needs a text answer.", code="invalid_answer")


def _answer_text(question: QuizQuestion, answer: Any) -> str:
    return question.choices[choice_index(question, answer)] if question.kind == "mcq" else str(answer).strip()


def _result_view(position: int, question: QuizQuestion, answer: Any, grade: Grade, hints_used: int) -> dict:
    result = {
        "position": position,
        "question_id": question.id,
        "verdict": grade.verdict,
        "score": grade.score,
        "feedback": grade.feedback,
        "method": grade.method,
        "hints_used": hints_used,
    }
    if not grade.counts:  # the question stays open: nothing about its answer may leave the server
        return result
    return {
        **result,
        "your_answer": _answer_text(question, answer),
        "missing": grade.missing,
        "correct_answer": question.correct_answer_text(),
        "explanation": question.explanation,
        "citation": question.citation(),
        "source_sentence": question.source_sentence,
    }


def _quiz_view(quiz: Quiz, answers, chapter_key: str, state: dict) -> dict:
    current = None
    if quiz.status == "active" and quiz.position < len(quiz.questions):
        question = QuizQuestion.model_validate(quiz.questions[quiz.position])
        available, used = hints_for(question), int(state.get("hints", 0))
        current = {
            **question.public(),
            "position": quiz.position,
            "hints": available[:used],
            "hints_remaining": max(0, len(available) - used),
        }
    last = state.get("last")
    return {
        "id": str(quiz.id),
        "book_id": quiz.book_id,
        "chapter_id": chapter_key,
        "status": quiz.status,
        "total": len(quiz.questions),
        "position": quiz.position,
        "score": round(quiz.score, 3),
        "correct": sum(a.verdict == "correct" for a in answers),
        "current": current,
        "pending_feedback": last if last and last.get("verdict") == "ungraded" else None,
        "answers": [dict(a.feedback) for a in answers],
        "created_at": quiz.created_at.isoformat(),
    }
