"""chunks: the quotable sentences' vectors, made once at ingest for the offline answerer

Revision ID: 0023_chunk_sentence_vectors
Revises: 0022_run_leases
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_chunk_sentence_vectors"
down_revision: str | None = "0022_run_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null until the next `booktutor ingest` (or reindex) fills it; the answerer encodes live meanwhile.
    op.add_column("chunks", sa.Column("sentence_vectors", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("chunks", "sentence_vectors")
