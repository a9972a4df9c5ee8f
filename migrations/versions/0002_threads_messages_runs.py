"""threads messages runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:48:31.151554
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('threads',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.UUID(), nullable=False),
    sa.Column('book_id', sa.String(length=100), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_threads_owner_updated', 'threads', ['owner_id', 'updated_at'], unique=False)
    op.create_table('messages',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('seq', sa.Integer(), sa.Identity(always=True), nullable=False),
    sa.Column('thread_id', sa.String(length=200), nullable=False),
    sa.Column('run_id', sa.String(length=200), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('route', sa.String(length=32), nullable=True),
    sa.Column('citations', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('abstained', sa.Boolean(), nullable=False),
    sa.Column('extra', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('seq')
    )
    op.create_index('ix_messages_thread_seq', 'messages', ['thread_id', 'seq'], unique=False)
    op.create_table('runs',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('thread_id', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.UUID(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('route', sa.String(length=32), nullable=True),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_runs_one_running_per_thread', 'runs', ['thread_id'], unique=True, postgresql_where=sa.text("status = 'running'"))


def downgrade() -> None:
    op.drop_index('ix_runs_one_running_per_thread', table_name='runs', postgresql_where=sa.text("status = 'running'"))
    op.drop_table('runs')
    op.drop_index('ix_messages_thread_seq', table_name='messages')
    op.drop_table('messages')
    op.drop_index('ix_threads_owner_updated', table_name='threads')
    op.drop_table('threads')
