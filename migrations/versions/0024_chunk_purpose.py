"""chunk purpose: what each chunk is for (exposition, exercise, ...) and the sections it holds

Revision ID: 0024_chunk_purpose
Revises: 0023_chunk_sentence_vectors
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0024_chunk_purpose"
down_revision: str | None = "0023_chunk_sentence_vectors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "chunks", sa.Column("purpose", sa.String(32), nullable=False, server_default=sa.text("'exposition'"))
    )
    op.add_column(
        "chunks",
        sa.Column(
            "sections", postgresql.JSONB(astext_type=sa.Text()), nullable=False, server_default=sa.text("'[]'::jsonb")
        ),
    )


def downgrade() -> None:
    op.drop_column("chunks", "sections")
    op.drop_column("chunks", "purpose")
