"""Apply Alembic migrations programmatically (`booktutor db upgrade`, and on start with the embedded
PostgreSQL), and check that a database's schema is current (on start with a database server, where
only `booktutor db upgrade` migrates)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

SOURCE_ROOT = Path(__file__).resolve().parents[3]
PACKAGED = Path(__file__).resolve().parents[1] / "_migrations"  # what the wheel carries (setup.py)


def migrations_root() -> Path:
    """The folder holding alembic.ini and migrations/: the source checkout, the installed wheel's copy,
    or the working directory."""
    for candidate in (SOURCE_ROOT, PACKAGED, Path.cwd()):
        if (candidate / "alembic.ini").is_file() and (candidate / "migrations").is_dir():
            return candidate
    raise FileNotFoundError("alembic.ini and migrations/ not found: run from the project folder")


def alembic_config(url: URL) -> Config:
    root = migrations_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.attributes["url"] = url.render_as_string(hide_password=False)
    return config


async def upgrade_to_head(url: URL) -> None:
    # Alembic's async env runs its own event loop, so it gets a thread of its own. Features add
    # their migrations as branches off the shared base, so every head is applied.
    await asyncio.to_thread(command.upgrade, alembic_config(url), "heads")


class SchemaNotCurrent(RuntimeError):
    """The database's schema is not the one this code needs; `booktutor db upgrade` makes it so."""


async def require_current_schema(engine: AsyncEngine, url: URL) -> None:
    """Raise SchemaNotCurrent unless the database is at every head of the migrations this code carries."""
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    try:
        async with engine.connect() as conn:
            current = set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all())
    except ProgrammingError:  # no alembic_version table: an empty database
        current = set()
    if current != heads:
        missing = ", ".join(sorted(heads - current)) or "none"
        raise SchemaNotCurrent(
            f"the database schema is not current (missing: {missing}): run `booktutor db upgrade` "
            "(with a database server, the API and workers never migrate themselves)"
        )
