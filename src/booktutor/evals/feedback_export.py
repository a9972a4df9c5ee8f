"""Learners' thumbs-down answers as eval cases: from their complaints to the CI gate.

Each case is in the dataset format (docs/evals.md) with labels to check, not to trust: `relevant`
holds the doc paths the disliked answer cited (or the selection's doc), `answerable` is false only
when the tutor abstained without citing anything, and `reference_answer`, `keywords` and
`evidence` are left empty for the developer to fill. `feedback` keeps what the learner saw and said.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from booktutor.memory.database import Database
from booktutor.memory.feedback_models import MessageFeedback
from booktutor.memory.models import Message, Thread


async def thumbs_down_cases(db: Database, book_id: str | None = None) -> list[dict[str, Any]]:
    """Every thumbs-down answer (oldest first) with the learner's question before it, as an eval case."""
    answer = aliased(Message)
    stmt = (
        select(MessageFeedback, answer, Thread.book_id)
        .join(answer, answer.id == MessageFeedback.message_id)
        .join(Thread, Thread.id == MessageFeedback.thread_id)
        .where(MessageFeedback.rating == "down")
        .order_by(answer.seq)
    )
    if book_id is not None:
        stmt = stmt.where(Thread.book_id == book_id)
    cases = []
    async with db.session() as session:
        for feedback, message, book in (await session.execute(stmt)).all():
            question = await session.scalar(
                select(Message)
                .where(Message.thread_id == message.thread_id, Message.role == "user", Message.seq < message.seq)
                .order_by(Message.seq.desc())
                .limit(1)
            )
            if question is not None:
                cases.append(to_case(feedback, message, question, book))
    return cases


def _cited_paths(citations: Sequence[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(str(c["doc_path"]) for c in citations if c.get("doc_path")))


def to_case(feedback: MessageFeedback, answer: Message, question: Message, book_id: str | None) -> dict[str, Any]:
    extra = question.extra or {}
    selection = extra.get("mode") == "selection" and bool(str(extra.get("selected_text") or "").strip())
    relevant = _cited_paths(feedback.citations or answer.citations or [])
    if not relevant and selection and extra.get("doc_path"):
        relevant = [str(extra["doc_path"])]
    case: dict[str, Any] = {
        "id": f"feedback-{answer.id}",
        "question": question.content,
        "relevant": relevant,
        "answerable": bool(relevant),
        "mode": "selection" if selection else "book",
    }
    if selection:
        case["selected_text"] = str(extra["selected_text"])
    case.update({"reference_answer": "", "keywords": [], "evidence": []})
    case["feedback"] = {
        "message_id": answer.id,
        "thread_id": answer.thread_id,
        "book_id": book_id,
        "comment": feedback.comment or "",
        "answer": answer.content,
        "abstained": answer.abstained,
        "route": feedback.route,
        "citations": [c.get("anchor_url") or c.get("doc_path") or "" for c in feedback.citations or []],
        "rated_at": feedback.updated_at.isoformat() if feedback.updated_at else None,
    }
    return case


def write_cases(path: Path, cases: Sequence[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
