"""run leases: the process that drives a run, how long its lease lasts, and the answer so far

Revision ID: 0022_run_leases
Revises: 0021_guest_prune_index
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_run_leases"
down_revision: str | None = "0021_guest_prune_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("owner_process", sa.String(200), nullable=True))
    op.add_column("runs", sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("runs", sa.Column("partial_answer", sa.Text(), nullable=True))
    op.create_index(
        "ix_runs_running_lease", "runs", ["lease_expires_at"], postgresql_where=sa.text("status = 'running'")
    )


def downgrade() -> None:
    op.drop_index("ix_runs_running_lease", table_name="runs")
    op.drop_column("runs", "partial_answer")
    op.drop_column("runs", "lease_expires_at")
    op.drop_column("runs", "owner_process")
