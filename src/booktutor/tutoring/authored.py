"""Store a chapter's authored ```quiz questions while its new version is published."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.ingest.models import ParsedDocument
from booktutor.ingest.quiz_blocks import extract_quiz_blocks
from booktutor.memory.models import Book, Document
from booktutor.memory.tutoring_models import AuthoredQuestionRow


async def store_authored_questions(session: AsyncSession, document_id: uuid.UUID, doc: ParsedDocument) -> int:
    """Replace the chapter's questions with the document's; only the book's source language counts.

    Translations repeat the English quiz blocks, so the source-language document is the single
    source of truth and translated pages' blocks are ignored.
    """
    row = (
        await session.execute(
            select(Document.chapter_id, Document.book_id, Book.default_language)
            .join(Book, Book.id == Document.book_id)
            .where(Document.id == document_id)
        )
    ).one()
    if doc.language != row.default_language:
        return 0
    questions = extract_quiz_blocks(doc.markdown, title=doc.title)
    await session.execute(delete(AuthoredQuestionRow).where(AuthoredQuestionRow.chapter_id == row.chapter_id))
    if questions:
        await session.execute(
            pg_insert(AuthoredQuestionRow),
            [
                {
                    "id": uuid.uuid4(),
                    "book_id": row.book_id,
                    "chapter_id": row.chapter_id,
                    "document_id": document_id,
                    "question_key": q.id,
                    "position": position,
                    "kind": q.type,
                    "prompt": q.question,
                    "choices": list(q.choices),
                    "answer": q.answer,
                    "explanation": q.explanation,
                    "key_terms": list(q.key_terms),
                    "heading_path": list(q.heading_path),
                    "anchor": q.anchor,
                    "content_hash": doc.content_hash,
                }
                for position, q in enumerate(questions)
            ],
        )
    return len(questions)
