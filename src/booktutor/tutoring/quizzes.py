"""The quiz service behind the REST routes, the tutor's tools and the chat quiz turns: start a quiz,
answer, ask for hints, stop, and the learner's progress."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.errors import (
    BadRequest,
    ChapterNotFound,
    NoMoreHints,
    NotSelfAssessable,
    QuestionAlreadyAnswered,
    QuizFinished,
    QuizNotFound,
    QuizUnavailable,
)
from booktutor.memory.book_records import document_for
from booktutor.memory.books import BookRepository
from booktutor.memory.models import Chapter, Document
from booktutor.memory.tutoring_models import Quiz
from booktutor.providers.registry import build_model, provider_capabilities
from booktutor.services import Services
from booktutor.tutoring import progress
from booktutor.tutoring.bank import QuestionBank
from booktutor.tutoring.flow import QuizDeps, QuizState, build_quiz_graph, quiz_config
from booktutor.tutoring.grading import (
    Grade,
    InvalidChoice,
    LLMRubricGrader,
    OfflineShortGrader,
    choice_index,
    grade_choice,
)
from booktutor.tutoring.hints import hints_for
from booktutor.tutoring.llm_generate import LLMQuestionGenerator
from booktutor.tutoring.mastery import Recommendation
from booktutor.tutoring.questions import QuizQuestion
from booktutor.tutoring.repository import TutoringRepository
from booktutor.tutoring.topic_order import names_topic, topic_first
from booktutor.tutoring.views import (
    AnswerResult,
    GradeResult,
    HintView,
    ProgressView,
    QuizView,
    grade_result,
    quiz_view,
)

MAX_ANSWER_CHARS = 2000
MAX_QUESTIONS = 20
KINDS = ("mcq", "short")


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
        question_writer = (
            LLMQuestionGenerator(question_model, services.embedder) if question_model is not None else None
        )
        self.bank = QuestionBank(services.embedder, question_writer)
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
        focus: str = "",
        topic: str = "",
    ) -> QuizView:
        """A new quiz on the chapter; questions naming `topic` come first, then those of `focus` (a section
        anchor)."""
        if not 1 <= count <= MAX_QUESTIONS:
            raise BadRequest(f"count must be between 1 and {MAX_QUESTIONS}.")
        async with self.services.db.session() as session, session.begin():
            repo = TutoringRepository(session)
            found = await _chapter_document(session, repo, book_id, chapter_ref)
            if found is None:
                raise ChapterNotFound(f"No chapter '{chapter_ref}' in book '{book_id}'.")
            chapter, document = found
            questions = await self.bank.questions(repo, chapter, document, kinds, source)
            if focus or topic:
                questions = topic_first(questions, topic, focus)
            if not questions:
                raise QuizUnavailable("This chapter has no questions of the requested kind.")
            quiz = await repo.create_quiz(user_id, book_id, chapter.id, questions[:count], thread_id)
        await self._seed(quiz)
        return await self.view(user_id, quiz.id)

    async def asks_about(self, book_id: str, chapter_ref: str, topic: str, *, every_word: bool) -> bool:
        """Whether one of the chapter's questions names a word of `topic` (`every_word`: all of them); judged on
        the questions made without a model, so that choosing a chapter costs no model call."""
        async with self.services.db.session() as session, session.begin():
            repo = TutoringRepository(session)
            found = await _chapter_document(session, repo, book_id, chapter_ref)
            if found is None:
                return False
            questions = await self.bank.without_model(repo, *found)
            return names_topic(questions, topic, every_word=every_word)

    async def view(self, user_id: uuid.UUID, quiz_id: uuid.UUID) -> QuizView:
        async with self.services.db.session() as session:
            repo = TutoringRepository(session)
            quiz = await _owned(repo, user_id, quiz_id)
            answers = await repo.answers(quiz.id)
            chapter_key = await repo.chapter_key(quiz.chapter_id)
        state = (await self.graph.aget_state(quiz_config(quiz.id))).values or {"hints": quiz.hints}
        return quiz_view(quiz, answers, chapter_key, state)

    async def answer(
        self, user_id: uuid.UUID, quiz_id: uuid.UUID, answer: str | int, position: int | None = None
    ) -> AnswerResult:
        async with self._exclusive(quiz_id):
            quiz, question = await self._current(user_id, quiz_id, position)
            _validate_answer(question, answer)
            await self._resume(quiz.id, {"action": "answer", "answer": answer})
            result = (await self.graph.aget_state(quiz_config(quiz.id))).values.get("last")
        return AnswerResult(result=result, quiz=await self.view(user_id, quiz_id))

    async def hint(self, user_id: uuid.UUID, quiz_id: uuid.UUID) -> HintView:
        async with self._exclusive(quiz_id):
            quiz, question = await self._current(user_id, quiz_id, None)
            used = (await self.graph.aget_state(quiz_config(quiz.id))).values.get("hints", quiz.hints)
            available = hints_for(question)
            if used >= len(available):
                raise NoMoreHints("There are no more hints for this question.")
            await self._resume(quiz.id, {"action": "hint"})
            async with self.services.db.session() as session, session.begin():
                await TutoringRepository(session).set_hints(quiz.id, used + 1)
        return HintView(
            hint=available[used],
            level=used + 1,
            hints_remaining=len(available) - used - 1,
            quiz=await self.view(user_id, quiz_id),
        )

    async def self_assess(self, user_id: uuid.UUID, quiz_id: uuid.UUID, position: int, correct: bool) -> AnswerResult:
        """Record the learner's verdict on an answer the offline grader was unsure about."""
        async with self._exclusive(quiz_id), self.services.db.session() as session, session.begin():
            repo = TutoringRepository(session)
            quiz = await _owned(repo, user_id, quiz_id)
            result = await repo.self_assess(quiz, position, correct)
            if result is None:
                raise NotSelfAssessable("Only an answer the grader was unsure about can be marked by you.")
        return AnswerResult(result=GradeResult.model_validate(result), quiz=await self.view(user_id, quiz_id))

    async def abandon(self, user_id: uuid.UUID, quiz_id: uuid.UUID) -> None:
        async with self.services.db.session() as session, session.begin():
            repo = TutoringRepository(session)
            await _owned(repo, user_id, quiz_id)
            await repo.set_status(quiz_id, "abandoned")

    async def active_quiz_for_thread(self, user_id: uuid.UUID, thread_id: str) -> uuid.UUID | None:
        async with self.services.db.session() as session:
            quiz = await TutoringRepository(session).active_quiz_for_thread(user_id, thread_id)
        return quiz.id if quiz else None

    async def progress(self, user_id: uuid.UUID, book_id: str) -> ProgressView:
        return await progress.learner_progress(self.services.db, user_id, book_id)

    async def recommend_next(self, user_id: uuid.UUID, book_id: str) -> Recommendation | None:
        return await progress.recommend_next(self.services.db, user_id, book_id)

    # --- the quiz flow's steps (tutoring.flow.QuizSteps) ------------------------------------
    async def question_count(self, quiz_id: uuid.UUID) -> int:
        async with self.services.db.session() as session:
            quiz = await TutoringRepository(session).get_quiz(quiz_id)
        return len(quiz.questions) if quiz and quiz.status == "active" else 0

    async def grade_and_record(self, quiz_id: uuid.UUID, position: int, answer: Any, hints_used: int) -> dict:
        async with self.services.db.session() as session, session.begin():
            repo = TutoringRepository(session)
            quiz = await repo.get_quiz(quiz_id, for_update=True)
            if quiz is None:
                raise QuizNotFound("No such quiz.")
            stored = next((a for a in await repo.answers(quiz_id) if a.position == position), None)
            if stored is not None:  # this step is being replayed after a crash
                return dict(stored.feedback)
            question = QuizQuestion.model_validate(quiz.questions[position])
            grade = await self._grade(question, answer)
            answer_text = _answer_text(question, answer)
            result = grade_result(position, question, answer_text, grade, hints_used).model_dump()
            if grade.counts:
                await repo.record_answer(quiz, question, answer_text, grade, hints_used, result)
        return result

    async def complete(self, quiz_id: uuid.UUID) -> None:
        async with self.services.db.session() as session, session.begin():
            await TutoringRepository(session).complete_quiz(quiz_id)

    # --- internals ------------------------------------------------------------------------
    async def _grade(self, question: QuizQuestion, answer: Any) -> Grade:
        if question.kind == "mcq":
            return grade_choice(question, answer)
        return await self.short_grader.grade(question, str(answer).strip())

    async def _seed(self, quiz: Quiz) -> None:
        """Start the quiz's flow at its current question (a new quiz, or one whose checkpoint was pruned:
        the database holds every graded answer)."""
        await self.graph.ainvoke(
            QuizState(quiz_id=str(quiz.id), position=quiz.position, hints=quiz.hints, last=None),
            quiz_config(quiz.id),
            context=self.deps,
            durability="sync",
        )

    async def _resume(self, quiz_id: uuid.UUID, reply: dict) -> None:
        await self.graph.ainvoke(Command(resume=reply), quiz_config(quiz_id), context=self.deps, durability="sync")

    async def _current(self, user_id, quiz_id, position) -> tuple[Quiz, QuizQuestion]:
        async with self.services.db.session() as session:
            quiz = await _owned(TutoringRepository(session), user_id, quiz_id)
        if quiz.status != "active" or quiz.position >= len(quiz.questions):
            raise QuizFinished("This quiz is finished.")
        if position is not None and position != quiz.position:
            raise QuestionAlreadyAnswered(
                f"Question {position} is not the current one ({quiz.position}).",
                details={"current_position": quiz.position},
            )
        if not (await self.graph.aget_state(quiz_config(quiz.id))).values:
            await self._seed(quiz)
        return quiz, QuizQuestion.model_validate(quiz.questions[quiz.position])

    @asynccontextmanager
    async def _exclusive(self, quiz_id: uuid.UUID) -> AsyncIterator[None]:
        """One answer or hint at a time per quiz, across processes."""
        async with self.services.db.session() as session, session.begin():
            await TutoringRepository(session).lock_quiz(quiz_id)
            yield


async def _owned(repo: TutoringRepository, user_id: uuid.UUID, quiz_id: uuid.UUID) -> Quiz:
    quiz = await repo.get_quiz(quiz_id)
    if quiz is None or quiz.owner_id != user_id:
        raise QuizNotFound("No such quiz.")  # another learner's quiz looks the same as none
    return quiz


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


async def _chapter_document(
    session: AsyncSession, repo: TutoringRepository, book_id: str, chapter_ref: str
) -> tuple[Chapter, Document] | None:
    """The chapter and its document in the book's default language (else any), if both exist."""
    chapter = await BookRepository(session).get_chapter(book_id, chapter_ref)
    language = await repo.default_language(book_id)
    document = document_for(chapter, language, any_language=True) if chapter else None
    return (chapter, document) if chapter is not None and document is not None else None
