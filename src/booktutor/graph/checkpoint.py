"""LangGraph checkpoints in Postgres, so interrupted flows resume across processes."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection, AsyncCursor
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

CONNECT_TIMEOUT_S = 5.0  # fail fast when Postgres is down instead of psycopg_pool's 30 s
CHECK_AFTER_IDLE_S = 5.0
CheckpointPool = AsyncConnectionPool[AsyncConnection[DictRow]]


class PooledPostgresSaver(AsyncPostgresSaver):
    """AsyncPostgresSaver on a connection pool, without the saver-wide lock.

    The base class takes one asyncio.Lock around every statement, which is needed when it shares a
    single connection but, with a pool, makes every run in the process wait for every other run's
    checkpoint reads and writes in turn. A pooled connection serves one caller at a time, so no lock;
    callers queue for one of the pool's connections instead (without the pool's wait timeout, which is
    there to fail fast when Postgres is down, not to fail runs queued behind hundreds of others).
    """

    _slots: asyncio.Semaphore | None = None
    _new_threads: set[str] | None = None  # threads whose first run is starting: no checkpoint to read

    def expect_new_thread(self, thread_id: str) -> None:
        """The next read of `thread_id`'s latest checkpoint finds none without asking Postgres: the run
        about to start created the thread (a round trip and ~0.5 ms of CPU per new conversation)."""
        if self._new_threads is None:
            self._new_threads = set()
        self._new_threads.add(thread_id)

    def forget_new_thread(self, thread_id: str) -> None:
        if self._new_threads is not None:
            self._new_threads.discard(thread_id)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        configurable = config.get("configurable", {})
        latest = not configurable.get("checkpoint_id") and not configurable.get("checkpoint_ns")
        if latest and self._new_threads and configurable.get("thread_id") in self._new_threads:
            self._new_threads.discard(configurable["thread_id"])
            return None
        return await super().aget_tuple(config)

    @asynccontextmanager
    async def _cursor(self, *, pipeline: bool = False) -> AsyncIterator[AsyncCursor[DictRow]]:
        if not isinstance(self.conn, AsyncConnectionPool) or self.pipe is not None:
            async with super()._cursor(pipeline=pipeline) as cur:
                yield cur
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.conn.max_size)
        async with self._slots, self.conn.connection() as conn:
            if pipeline and self.supports_pipeline:
                async with conn.pipeline(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur
            elif pipeline:
                async with conn.transaction(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur
            else:
                async with conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur


@contextmanager
def first_run_reads(checkpointer: BaseCheckpointSaver[str] | None, thread_id: str, new_thread: bool) -> Iterator[None]:
    """Inside, the run of a thread it just created reads no checkpoint from Postgres (there is none)."""
    if not new_thread or not isinstance(checkpointer, PooledPostgresSaver):
        yield
        return
    checkpointer.expect_new_thread(thread_id)
    try:
        yield
    finally:
        checkpointer.forget_new_thread(thread_id)


class IdleCheck:
    """The pool's connection check, only for connections idle `idle_s` or more: one used moments ago is
    alive, and a check on every checkout was a round trip per checkpoint read or write. After a database
    restart the idle connections are checked (and replaced) as before."""

    def __init__(self, idle_s: float = CHECK_AFTER_IDLE_S) -> None:
        self.idle_s = idle_s
        self._returned: weakref.WeakKeyDictionary[AsyncConnection[DictRow], float] = weakref.WeakKeyDictionary()

    async def check(self, conn: AsyncConnection[DictRow]) -> None:
        returned = self._returned.get(conn)
        if returned is not None and time.monotonic() - returned < self.idle_s:
            return
        await AsyncConnectionPool.check_connection(conn)

    async def returned(self, conn: AsyncConnection[DictRow]) -> None:
        self._returned[conn] = time.monotonic()


async def open_checkpointer(
    conninfo: str, max_size: int = 10, *, prepare: bool = True
) -> tuple[AsyncPostgresSaver, CheckpointPool]:
    """A pooled saver; `prepare=False` behind a pooler in transaction mode (pgbouncer), where a
    connection's prepared statements may be on another server session."""
    idle = IdleCheck()
    pool: CheckpointPool = AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        open=False,
        timeout=CONNECT_TIMEOUT_S,
        check=idle.check,  # after a database restart: no dead connections handed out
        reset=idle.returned,
        # prepared on first use: Postgres parses and plans each checkpoint statement once per connection
        kwargs={"autocommit": True, "prepare_threshold": 0 if prepare else None, "row_factory": dict_row},
    )
    await pool.open(wait=True, timeout=10)
    saver = PooledPostgresSaver(pool)
    await saver.setup()
    return saver, pool
