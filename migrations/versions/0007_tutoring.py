"""tutoring: authored/generated questions, quizzes, answers, mastery

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")
TEXT_ARRAY = postgresql.ARRAY(sa.Text())
JSONB = postgresql.JSONB(astext_type=sa.Text())


def upgrade() -> None:
    op.create_table(
        "authored_questions",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column(
            "book_id", sa.String(100), sa.ForeignKey("books.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "chapter_id",
            sa.UUID(),
            sa.ForeignKey("chapters.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "document_id",
            sa.UUID(),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_key", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("choices", TEXT_ARRAY, nullable=False),
        sa.Column("answer", JSONB, nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("key_terms", TEXT_ARRAY, nullable=False),
        sa.Column("heading_path", TEXT_ARRAY, nullable=False),
        sa.Column("anchor", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("chapter_id", "question_key"),
    )
    op.create_table(
        "generated_question_sets",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column(
            "book_id", sa.String(100), sa.ForeignKey("books.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("section_hash", sa.String(64), nullable=False),
        sa.Column("generator", sa.String(64), nullable=False),
        sa.Column("questions", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("section_hash", "generator"),
    )
    op.create_table(
        "quizzes",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column(
            "owner_id", sa.UUID(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "book_id", sa.String(100), sa.ForeignKey("books.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "chapter_id",
            sa.UUID(),
            sa.ForeignKey("chapters.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("thread_id", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("questions", JSONB, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("hints", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("ix_quizzes_owner_created", "quizzes", ["owner_id", "created_at"])
    op.create_index("ix_quizzes_thread", "quizzes", ["thread_id"])
    op.create_table(
        "quiz_answers",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column(
            "quiz_id", sa.UUID(), sa.ForeignKey("quizzes.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("hints_used", sa.Integer(), nullable=False),
        sa.Column("feedback", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.UniqueConstraint("quiz_id", "position"),
    )
    op.create_table(
        "mastery",
        sa.Column(
            "user_id", sa.UUID(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "chapter_id",
            sa.UUID(),
            sa.ForeignKey("chapters.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("anchor", sa.Text(), nullable=False),
        sa.Column(
            "book_id", sa.String(100), sa.ForeignKey("books.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("p_known", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "chapter_id", "anchor"),
    )


def downgrade() -> None:
    op.drop_table("mastery")
    op.drop_table("quiz_answers")
    op.drop_index("ix_quizzes_thread", table_name="quizzes")
    op.drop_index("ix_quizzes_owner_created", table_name="quizzes")
    op.drop_table("quizzes")
    op.drop_table("generated_question_sets")
    op.drop_table("authored_questions")
