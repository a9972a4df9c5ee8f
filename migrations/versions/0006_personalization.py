"""user preferences and generated chapters (personalization, translation)

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_preferences",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("software_background", sa.String(length=16), nullable=True),
        sa.Column("hardware_background", sa.String(length=16), nullable=True),
        sa.Column("experience_level", sa.String(length=16), nullable=True),
        sa.Column("goals", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("preferred_language", sa.String(length=16), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "generated_chapters",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("book_id", sa.String(length=100), nullable=False),
        sa.Column("chapter_id", sa.UUID(), nullable=False),
        sa.Column("variant_key", sa.String(length=200), nullable=False),
        sa.Column("model_id", sa.String(length=200), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("meta", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["book_id"], ["books.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["chapter_id"], ["chapters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "kind",
            "chapter_id",
            "variant_key",
            "model_id",
            "source_hash",
            name="uq_generated_chapters_lookup",
        ),
    )
    op.create_index("ix_generated_chapters_chapter", "generated_chapters", ["chapter_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_generated_chapters_chapter", table_name="generated_chapters")
    op.drop_table("generated_chapters")
    op.drop_table("user_preferences")
