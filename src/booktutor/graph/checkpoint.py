"""LangGraph checkpoints in Postgres, so interrupted flows resume across processes."""

from __future__ import annotations

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

CONNECT_TIMEOUT_S = 5.0  # fail fast when Postgres is down instead of psycopg_pool's 30 s
CheckpointPool = AsyncConnectionPool[AsyncConnection[DictRow]]


async def open_checkpointer(conninfo: str, max_size: int = 10) -> tuple[AsyncPostgresSaver, CheckpointPool]:
    pool: CheckpointPool = AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        open=False,
        timeout=CONNECT_TIMEOUT_S,
        check=AsyncConnectionPool.check_connection,  # after a database restart: no dead connections handed out
        kwargs={"autocommit": True, "prepare_threshold": None, "row_factory": dict_row},
    )
    await pool.open(wait=True, timeout=10)
    saver = AsyncPostgresSaver(pool)
    await saver.setup()
    return saver, pool
