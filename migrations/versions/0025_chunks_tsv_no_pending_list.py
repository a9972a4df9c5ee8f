"""full-text index without a pending list: chunk inserts go straight into ix_chunks_tsv

With GIN's `fastupdate` (Postgres' default) new entries wait in a pending list that every full-text
search reads in full until a VACUUM (or autovacuum, off on some servers) merges it: after ingesting a
book, up to 4 MB of it (gin_pending_list_limit). At 10k chunks that doubled the Postgres CPU of a
search (docs/benchmarks.md). Inserts cost a little more; ingest time is the encoder's.

Revision ID: 0025_chunks_tsv_no_pending_list
Revises: 0024_chunk_purpose
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025_chunks_tsv_no_pending_list"
down_revision: str | None = "0024_chunk_purpose"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER INDEX ix_chunks_tsv SET (fastupdate = off)")
    op.execute("SELECT gin_clean_pending_list('ix_chunks_tsv'::regclass)")  # what is pending already


def downgrade() -> None:
    op.execute("ALTER INDEX ix_chunks_tsv RESET (fastupdate)")
