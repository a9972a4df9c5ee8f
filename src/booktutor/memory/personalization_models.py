"""Learner preferences and cached generated chapters (personalized rewrites, translations)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from booktutor.memory.models import Base


class UserPreferences(Base):
    """One row per user (guests included): what personalization and chat adapt to."""

    __tablename__ = "user_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    software_background: Mapped[str | None] = mapped_column(String(16))
    hardware_background: Mapped[str | None] = mapped_column(String(16))
    experience_level: Mapped[str | None] = mapped_column(String(16))
    goals: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    preferred_language: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class GeneratedChapter(Base):
    """A chapter generated for a variant (a normalised profile or a target language).

    Looked up by the source fingerprint it was made from, so a re-ingest that changes the
    chapter makes old rows unreachable; they are deleted when the new version is stored.
    """

    __tablename__ = "generated_chapters"
    __table_args__ = (
        UniqueConstraint(
            "kind",
            "chapter_id",
            "variant_key",
            "model_id",
            "source_hash",
            name="uq_generated_chapters_lookup",
        ),
        Index("ix_generated_chapters_chapter", "chapter_id", "kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # personalized | translation
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), nullable=False)
    chapter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chapters.id", ondelete="CASCADE"), nullable=False)
    variant_key: Mapped[str] = mapped_column(String(200), nullable=False)
    model_id: Mapped[str] = mapped_column(String(200), nullable=False)
    source_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    markdown: Mapped[str] = mapped_column(Text, nullable=False)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
