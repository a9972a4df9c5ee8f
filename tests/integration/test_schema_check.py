"""On a database server the API and workers never migrate (replicas would race on the schema): they
start only on a current schema and otherwise say to run `booktutor db upgrade`."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from booktutor.memory.migrate import SchemaNotCurrent
from booktutor.services import build_services

pytestmark = pytest.mark.integration


async def test_services_without_migrating_refuse_a_stale_schema(test_settings, database_url, tmp_path):
    current = await build_services(test_settings, migrate=False)  # the test database is at head
    await current.close()
    name = f"booktutor_empty_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(database_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        empty = database_url.set(database=name).render_as_string(hide_password=False)
        settings = test_settings.model_copy(update={"database_url": empty, "data_dir": tmp_path})
        with pytest.raises(SchemaNotCurrent, match="booktutor db upgrade"):
            await build_services(settings, migrate=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
