"""message feedback: a learner's thumbs up/down (and comment) on an answer

Revision ID: 0018_message_feedback
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018_message_feedback"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "message_feedback",
        sa.Column(
            "message_id", sa.String(200), sa.ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("thread_id", sa.String(200), sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner_id", sa.UUID(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("run_id", sa.String(200), nullable=True),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("citations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("route", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.CheckConstraint("rating IN ('up', 'down')", name="ck_message_feedback_rating"),
    )
    op.create_index("ix_message_feedback_thread", "message_feedback", ["thread_id"])
    op.create_index("ix_message_feedback_owner", "message_feedback", ["owner_id"])


def downgrade() -> None:
    op.drop_table("message_feedback")
