"""book folder labels: each folder's label in the book's sidebar ("Module 2: Perception" for "perception/")

A learner names a module by the label the sidebar shows, from a folder's `_category_` file or a sidebars file's
category; the tutor finds the folder by it.

Revision ID: 0027_book_folder_labels
Revises: 0026_sentence_vectors_stamp
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027_book_folder_labels"
down_revision: str | None = "0026_sentence_vectors_stamp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "books",
        sa.Column(
            "folder_labels",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
        ),
    )


def downgrade() -> None:
    op.drop_column("books", "folder_labels")
