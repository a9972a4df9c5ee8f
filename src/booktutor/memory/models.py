"""SQLAlchemy models: Postgres is the source of truth for books, chapters, chunks and users."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Text-search configuration per language; languages without a stemmer use `simple`.
TS_CONFIG_SQL = "CASE language WHEN 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONB, list[str]: ARRAY(Text)}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_guest_created_at", "created_at", postgresql_where=text("kind = 'guest'")),  # pruning
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16), default="guest", nullable=False)
    role: Mapped[str] = mapped_column(String(16), default="learner", nullable=False)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))


class Book(TimestampMixin, Base):
    __tablename__ = "books"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    default_language: Mapped[str] = mapped_column(String(16), default="en", nullable=False)
    source_root: Mapped[str | None] = mapped_column(Text)
    folder_labels: Mapped[dict[str, Any]] = mapped_column(
        default=dict, server_default=text("'{}'::jsonb"), nullable=False
    )
    """Folder ("sensing/") -> its label in the sidebar ("Part B: Sensing")."""

    chapters: Mapped[list[Chapter]] = relationship(back_populates="book", cascade="all, delete")


class Chapter(TimestampMixin, Base):
    """A chapter of a book; its language versions are Documents that share its source path."""

    __tablename__ = "chapters"
    __table_args__ = (
        UniqueConstraint("book_id", "source_path"),
        UniqueConstraint("book_id", "key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(300), nullable=False)
    source_path: Mapped[str] = mapped_column(Text, nullable=False)
    sort_key: Mapped[str] = mapped_column(Text, nullable=False, default="")

    book: Mapped[Book] = relationship(back_populates="chapters")
    documents: Mapped[list[Document]] = relationship(back_populates="chapter", cascade="all, delete-orphan")


class Document(TimestampMixin, Base):
    """One language version of a chapter. `version` names the chunk set readers see."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("chapter_id", "language"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    chapter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chapters.id", ondelete="CASCADE"), nullable=False)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), nullable=False)
    language: Mapped[str] = mapped_column(String(16), nullable=False)
    source_path: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    slug: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    front_matter: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    markdown: Mapped[str] = mapped_column(Text, nullable=False, default="")
    content_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    chapter: Mapped[Chapter] = relationship(back_populates="documents")


_EMPTY_JSON_LIST = text("'[]'::jsonb")


class Chunk(Base):
    __tablename__ = "chunks"
    __table_args__ = (
        Index("ix_chunks_document_version", "document_id", "version"),
        # No pending list (migration 0025): every search would read it in full until a VACUUM merges it.
        Index("ix_chunks_tsv", "tsv", postgresql_using="gin", postgresql_with={"fastupdate": "off"}),
        Index("ix_chunks_book_language", "book_id", "language"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    book_id: Mapped[str] = mapped_column(String(100), nullable=False)
    language: Mapped[str] = mapped_column(String(16), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    heading_path: Mapped[list[str]] = mapped_column(nullable=False, default=list)
    anchor: Mapped[str] = mapped_column(Text, nullable=False, default="")
    title_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False)
    token_count: Mapped[int] = mapped_column(Integer, nullable=False)
    has_code: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    code_languages: Mapped[list[str]] = mapped_column(nullable=False, default=list)
    has_table: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The quotable sentences' vectors, made at ingest for the offline answerer (providers.embedding_cache).
    sentence_vectors: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    # The QUOTABLE_TEXTS_VERSION they were split with (extractive.scoring); null before stamps existed.
    sentence_vectors_stamp: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What the chunk is for (booktutor.ingest.purpose) and the (heading, anchor) of each section it holds.
    purpose: Mapped[str] = mapped_column(String(32), nullable=False, default="exposition", server_default="exposition")
    sections: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=_EMPTY_JSON_LIST
    )
    tsv: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            f"setweight(to_tsvector({TS_CONFIG_SQL}, coalesce(title_text, '')), 'A') || "
            f"setweight(to_tsvector({TS_CONFIG_SQL}, coalesce(text, '')), 'B')",
            persisted=True,
        ),
    )


class Thread(TimestampMixin, Base):
    """A conversation; its id is the client's AG-UI threadId."""

    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_owner_updated", "owner_id", "updated_at"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    book_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text, nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")

    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="Message.seq"
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread_seq", "thread_id", "seq"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, Identity(always=True), nullable=False, unique=True)
    thread_id: Mapped[str] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), nullable=False)
    run_id: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="complete")
    route: Mapped[str | None] = mapped_column(String(32))
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    abstained: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    thread: Mapped[Thread] = relationship(back_populates="messages")


class Run(Base):
    """One agent run on a thread; at most one is `running` per thread."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_one_running_per_thread", "thread_id", unique=True, postgresql_where=text("status = 'running'")),
        Index("ix_runs_running_lease", "lease_expires_at", postgresql_where=text("status = 'running'")),
    )

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    thread_id: Mapped[str] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), nullable=False)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="running")
    route: Mapped[str | None] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who drives a running run, until when (heartbeats renew it), and the answer streamed so far:
    # a run whose process is gone is recovered with that partial answer (memory/run_leases.py).
    owner_process: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    partial_answer: Mapped[str | None] = mapped_column(Text)
