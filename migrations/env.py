"""Alembic environment: async engine, one advisory lock so concurrent starts migrate once."""

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from booktutor.memory.registry import Base

MIGRATION_LOCK_ID = 72_114_001
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    url = context.config.attributes.get("url") or context.config.get_main_option("sqlalchemy.url")
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
        await connection.commit()
        try:
            await connection.run_sync(_run)
        finally:
            await connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"))
            await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_async_migrations())
