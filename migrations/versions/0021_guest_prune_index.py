"""guest pruning: an index on the creation time of guest users

Revision ID: 0021_guest_prune_index
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_guest_prune_index"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_users_guest_created_at", "users", ["created_at"], postgresql_where=sa.text("kind = 'guest'")
    )


def downgrade() -> None:
    op.drop_index("ix_users_guest_created_at", table_name="users")
