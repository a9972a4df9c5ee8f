"""Learners' feedback on answers: one rating per answer, visible only to the thread's owner.

Methods flush but never commit; the caller owns the transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from booktutor.errors import BadRequest, MessageNotFound, ThreadNotFound
from booktutor.memory.feedback_models import RATINGS, MessageFeedback
from booktutor.memory.models import Message, Run, Thread

__all__ = ["FeedbackRepository", "MessageNotFound"]


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, message_id: str, owner_id: uuid.UUID, rating: str, comment: str | None) -> MessageFeedback:
        """Store (or replace) the owner's rating of an answer, copying its citations and route now."""
        if rating not in RATINGS:
            raise BadRequest(f"rating must be one of {', '.join(RATINGS)}.")
        message, route = await self._owned_answer(message_id, owner_id)
        values = {
            "thread_id": message.thread_id,
            "owner_id": owner_id,
            "run_id": message.run_id,
            "rating": rating,
            "comment": comment,
            "citations": list(message.citations or []),
            "route": route,
        }
        upsert = pg_insert(MessageFeedback).values(message_id=message_id, **values)
        upsert = upsert.on_conflict_do_update(
            index_elements=[MessageFeedback.message_id], set_={**values, "updated_at": func.now()}
        )
        await self.session.execute(upsert)
        return await self.session.get_one(MessageFeedback, message_id, populate_existing=True)

    async def remove(self, message_id: str, owner_id: uuid.UUID) -> None:
        await self._owned_answer(message_id, owner_id)
        await self.session.execute(delete(MessageFeedback).where(MessageFeedback.message_id == message_id))

    async def for_thread(self, thread_id: str, owner_id: uuid.UUID) -> list[MessageFeedback]:
        owned = await self.session.scalar(select(Thread.id).where(Thread.id == thread_id, Thread.owner_id == owner_id))
        if owned is None:
            raise ThreadNotFound(f"No thread with id '{thread_id}'.")
        stmt = (
            select(MessageFeedback)
            .join(Message, Message.id == MessageFeedback.message_id)
            .where(MessageFeedback.thread_id == thread_id)
            .order_by(Message.seq)
        )
        return list((await self.session.scalars(stmt)).all())

    async def _owned_answer(self, message_id: str, owner_id: uuid.UUID) -> tuple[Message, str | None]:
        """The answer with this id in one of the owner's threads, and the route its run took."""
        stmt = (
            select(Message, func.coalesce(Run.route, Message.route))
            .join(Thread, Thread.id == Message.thread_id)
            .outerjoin(Run, Run.id == Message.run_id)
            .where(Message.id == message_id, Thread.owner_id == owner_id)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None:
            raise MessageNotFound(f"No message with id '{message_id}'.")
        message, route = row
        if message.role != "assistant":
            raise BadRequest("Feedback is given on the tutor's answers, not on questions.")
        return message, route
