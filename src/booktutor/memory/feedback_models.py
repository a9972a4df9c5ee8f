"""A learner's rating of one answer, with what the answer cited and how it was routed at the time."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from booktutor.memory.models import Base, TimestampMixin

RATINGS = ("up", "down")


class MessageFeedback(TimestampMixin, Base):
    """One row per answer: posting again replaces it. `owner_id` moves with the thread when a guest signs up."""

    __tablename__ = "message_feedback"
    __table_args__ = (
        CheckConstraint("rating IN ('up', 'down')", name="ck_message_feedback_rating"),
        Index("ix_message_feedback_thread", "thread_id"),
        Index("ix_message_feedback_owner", "owner_id"),
    )

    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[str] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), nullable=False)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    run_id: Mapped[str | None] = mapped_column(String(200))
    rating: Mapped[str] = mapped_column(String(8), nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    route: Mapped[str | None] = mapped_column(String(32))
