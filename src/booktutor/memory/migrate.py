"""Apply Alembic migrations programmatically (`booktutor db upgrade` and on start)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

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
