"""chunks: the QUOTABLE_TEXTS_VERSION the stored sentence vectors were split with

Revision ID: 0026_sentence_vectors_stamp
Revises: 0025_chunks_tsv_no_pending_list
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_sentence_vectors_stamp"
down_revision: str | None = "0025_chunks_tsv_no_pending_list"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null for vectors stored before the stamp: the next `booktutor ingest` re-splits those chunks and
    # encodes only the texts their stored vectors lack.
    op.add_column("chunks", sa.Column("sentence_vectors_stamp", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("chunks", "sentence_vectors_stamp")
