"""Database access for quizzes, their questions and answers, and mastery."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.markdown.glossary import extract_key_terms
from booktutor.markdown.urls import anchor_url
from booktutor.memory.books import BookRepository
from booktutor.memory.models import Book, Chapter, Document
from booktutor.memory.tutoring_models import (
    AuthoredQuestionRow,
    GeneratedQuestionSet,
    Mastery,
    Quiz,
    QuizAnswer,
)
from booktutor.tutoring.generate import ChapterMaterial, Section
from booktutor.tutoring.grading import Grade
from booktutor.tutoring.imported import BookPage, retarget_block_questions
from booktutor.tutoring.mastery import P_INIT, bkt_update, evidence, guess_rate
from booktutor.tutoring.questions import QuizQuestion


class TutoringRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def authored_questions(self, chapter: Chapter, document: Document) -> list[QuizQuestion]:
        rows = (
            await self.session.scalars(
                select(AuthoredQuestionRow)
                .where(AuthoredQuestionRow.chapter_id == chapter.id)
                .order_by(AuthoredQuestionRow.position)
            )
        ).all()
        questions = [
            QuizQuestion(
                id=row.question_key,
                kind=row.kind,
                style="authored",
                prompt=row.prompt,
                choices=list(row.choices),
                answer=row.answer,
                explanation=row.explanation,
                key_terms=list(row.key_terms),
                doc_path=document.source_path,
                chapter_title=document.title,
                heading=row.heading_path[-1] if row.heading_path else document.title,
                anchor=row.anchor,
                anchor_url=anchor_url(
                    document.source_path,
                    document.front_matter,
                    row.anchor,
                    language=document.language,
                    default_language=document.language,
                    permalink=document.slug,
                ),
            )
            for row in rows
        ]
        return retarget_block_questions(
            questions, document.markdown, document.title, lambda anchor: _url(document, anchor)
        )

    async def chapter_material(self, document: Document) -> ChapterMaterial:
        chunks = await BookRepository(self.session).chunks_of_document(document.id)
        chapters = (
            await self.session.execute(
                select(Document.markdown, Document.title, Document.source_path, Document.front_matter)
                .join(Chapter, Chapter.id == Document.chapter_id)
                .where(
                    Document.book_id == document.book_id,
                    Document.language == document.language,
                    Document.version > 0,
                )
                .order_by(Chapter.sort_key, Chapter.source_path)
            )
        ).all()
        pool: dict[str, str] = {}
        for row in chapters:
            for term, definition in extract_key_terms(row.markdown).items():
                pool.setdefault(term, definition)
        return ChapterMaterial(
            doc_path=document.source_path,
            chapter_title=document.title,
            front_matter=document.front_matter,
            language=document.language,
            markdown=document.markdown,
            permalink=document.slug,
            book_terms=pool,
            book_chapters=[
                BookPage(row.source_path, row.title, row.markdown, row.front_matter, document.language)
                for row in chapters
            ],
            sections=[Section(tuple(c.heading_path), c.anchor, c.text) for c in chunks],
        )

    async def cached_questions(self, section_hash: str, generator: str) -> list[QuizQuestion] | None:
        row = await self.session.scalar(
            select(GeneratedQuestionSet).where(
                GeneratedQuestionSet.section_hash == section_hash,
                GeneratedQuestionSet.generator == generator,
            )
        )
        return None if row is None else [QuizQuestion.model_validate(q) for q in row.questions]

    async def cache_questions(
        self, book_id: str, section_hash: str, generator: str, questions: list[QuizQuestion]
    ) -> None:
        await self.session.execute(
            pg_insert(GeneratedQuestionSet)
            .values(
                id=uuid.uuid4(),
                book_id=book_id,
                section_hash=section_hash,
                generator=generator,
                questions=[q.model_dump() for q in questions],
            )
            .on_conflict_do_nothing()
        )

    # --- quizzes ---------------------------------------------------------------------
    async def create_quiz(
        self,
        owner_id: uuid.UUID,
        book_id: str,
        chapter_id: uuid.UUID,
        questions: list[QuizQuestion],
        thread_id: str | None,
    ) -> Quiz:
        quiz = Quiz(
            id=uuid.uuid4(),
            owner_id=owner_id,
            book_id=book_id,
            chapter_id=chapter_id,
            thread_id=thread_id,
            status="active",
            questions=[q.model_dump() for q in questions],
            position=0,
            hints=0,
            score=0.0,
        )
        self.session.add(quiz)
        await self.session.flush()
        return quiz

    async def get_quiz(self, quiz_id: uuid.UUID, *, for_update: bool = False) -> Quiz | None:
        return await self.session.get(Quiz, quiz_id, populate_existing=True, with_for_update=for_update)

    async def lock_quiz(self, quiz_id: uuid.UUID) -> None:
        """Hold a Postgres advisory lock on the quiz until the transaction ends (one answer or hint at a
        time per quiz, across processes); it needs no quiz row, so a missing quiz is reported later."""
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 7))"), {"key": f"quiz:{quiz_id}"}
        )

    async def complete_quiz(self, quiz_id: uuid.UUID) -> None:
        await self.session.execute(
            update(Quiz).where(Quiz.id == quiz_id, Quiz.status == "active").values(status="completed")
        )

    async def chapter_key(self, chapter_id: uuid.UUID) -> str:
        return await self.session.scalar(select(Chapter.key).where(Chapter.id == chapter_id)) or ""

    async def default_language(self, book_id: str) -> str:
        return await self.session.scalar(select(Book.default_language).where(Book.id == book_id)) or "en"

    async def answers(self, quiz_id: uuid.UUID) -> list[QuizAnswer]:
        return list(
            (
                await self.session.scalars(
                    select(QuizAnswer).where(QuizAnswer.quiz_id == quiz_id).order_by(QuizAnswer.position)
                )
            ).all()
        )

    async def active_quiz_for_thread(self, owner_id: uuid.UUID, thread_id: str) -> Quiz | None:
        return await self.session.scalar(
            select(Quiz)
            .where(
                Quiz.owner_id == owner_id,
                Quiz.thread_id == thread_id,
                Quiz.status == "active",
            )
            .order_by(Quiz.created_at.desc())
            .limit(1)
        )

    async def set_hints(self, quiz_id: uuid.UUID, hints: int) -> None:
        await self.session.execute(update(Quiz).where(Quiz.id == quiz_id).values(hints=hints))

    async def set_status(self, quiz_id: uuid.UUID, status: str) -> None:
        await self.session.execute(update(Quiz).where(Quiz.id == quiz_id).values(status=status))

    async def record_answer(
        self,
        quiz: Quiz,
        question: QuizQuestion,
        answer: str,
        grade: Grade,
        hints_used: int,
        result: dict[str, Any],
    ) -> bool:
        """Store a graded answer once (a replayed graph step finds it stored) and update mastery."""
        inserted = await self.session.execute(
            pg_insert(QuizAnswer)
            .values(
                id=uuid.uuid4(),
                quiz_id=quiz.id,
                position=quiz.position,
                answer=answer,
                verdict=grade.verdict,
                score=grade.score,
                hints_used=hints_used,
                feedback=result,
            )
            .on_conflict_do_nothing()
            .returning(QuizAnswer.id)
        )
        if inserted.scalar_one_or_none() is None:
            return False
        unsure = grade.verdict == "unsure"  # scored and counted once the learner marks it
        await self.session.execute(
            update(Quiz)
            .where(Quiz.id == quiz.id)
            .values(position=Quiz.position + 1, hints=0, score=Quiz.score + (0.0 if unsure else grade.score))
        )
        if not unsure:
            await self._update_mastery(quiz, question, evidence(grade.score, hints_used))
        return True

    async def self_assess(self, quiz: Quiz, position: int, correct: bool) -> dict[str, Any] | None:
        """The learner's own verdict on an answer the grader was unsure about; None if not such an answer."""
        stored = await self.session.scalar(
            select(QuizAnswer).where(QuizAnswer.quiz_id == quiz.id, QuizAnswer.position == position).with_for_update()
        )
        if stored is None or stored.verdict != "unsure":
            return None
        score = 1.0 if correct else 0.0
        verdict = "correct" if correct else "incorrect"
        feedback = {
            **stored.feedback,
            "verdict": verdict,
            "score": score,
            "method": "self",
            "feedback": "You marked this answer correct." if correct else "You marked this answer as not right yet.",
        }
        stored.verdict, stored.score, stored.feedback = verdict, score, feedback
        await self.session.execute(update(Quiz).where(Quiz.id == quiz.id).values(score=Quiz.score + score))
        question = QuizQuestion.model_validate(quiz.questions[position])
        await self._update_mastery(quiz, question, evidence(score, stored.hints_used))
        return feedback

    async def _update_mastery(self, quiz: Quiz, question: QuizQuestion, score: float) -> None:
        key = {"user_id": quiz.owner_id, "chapter_id": quiz.chapter_id, "anchor": question.anchor}
        row = await self.session.get(Mastery, key, with_for_update=True)
        prior = row.p_known if row else P_INIT
        p_known = bkt_update(prior, score, guess=guess_rate(len(question.choices)))
        correct = int(score >= 0.5)
        if row is None:
            self.session.add(
                Mastery(
                    **key,
                    book_id=quiz.book_id,
                    heading=question.heading,
                    p_known=p_known,
                    attempts=1,
                    correct=correct,
                )
            )
        else:
            row.p_known, row.attempts, row.correct = (
                p_known,
                row.attempts + 1,
                row.correct + correct,
            )
        await self.session.flush()

    async def mastery_rows(self, user_id: uuid.UUID, book_id: str) -> list[Mastery]:
        return list(
            (
                await self.session.scalars(
                    select(Mastery).where(Mastery.user_id == user_id, Mastery.book_id == book_id)
                )
            ).all()
        )

    async def last_practised_chapter(self, user_id: uuid.UUID, book_id: str) -> uuid.UUID | None:
        return await self.session.scalar(
            select(Mastery.chapter_id)
            .where(Mastery.user_id == user_id, Mastery.book_id == book_id)
            .order_by(Mastery.updated_at.desc())
            .limit(1)
        )


def _url(document: Document, anchor: str) -> str:
    return anchor_url(
        document.source_path,
        document.front_matter,
        anchor,
        language=document.language,
        default_language=document.language,
        permalink=document.slug,
    )
