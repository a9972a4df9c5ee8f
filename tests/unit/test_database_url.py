"""Postgres URLs are normalised for asyncpg (and back for libpq) without changing what they mean."""

from booktutor.memory.database import to_asyncpg_url, to_libpq_conninfo


def test_a_local_server_is_reached_without_tls_negotiation():
    for raw in ("postgresql://u@127.0.0.1:5432/db", "postgres://u@localhost/db", "postgresql://u@/db?host=/run/pg"):
        url = to_asyncpg_url(raw)
        assert url.drivername == "postgresql+asyncpg" and url.query["ssl"] == "disable"
    assert "sslmode=disable" in to_libpq_conninfo(to_asyncpg_url("postgresql://u@127.0.0.1/db"))


def test_a_remote_server_keeps_the_drivers_default_or_the_asked_mode():
    assert "ssl" not in to_asyncpg_url("postgresql://u:p@db.example.com/db").query
    neon = to_asyncpg_url("postgresql://u:p@ep-x.neon.tech/db?sslmode=require&channel_binding=require")
    assert neon.query == {"ssl": "require"}
    assert to_asyncpg_url("postgresql://u@db.example.com/db?sslmode=disable").query == {"ssl": "disable"}
    assert to_asyncpg_url("postgresql://u@127.0.0.1/db?sslmode=require").query == {"ssl": "require"}


def test_a_connection_closed_mid_statement_through_sqlalchemy_means_the_database_is_unavailable() -> None:
    """What SQLAlchemy raises when a pooled asyncpg connection dies mid-statement (the server was cut):
    a DBAPIError not marked invalidated, caused by asyncpg's ConnectionDoesNotExistError."""
    import asyncpg
    from sqlalchemy.exc import DBAPIError

    from booktutor.memory.database import is_database_unavailable

    closed = asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    wrapped = DBAPIError("SELECT 1", None, closed, connection_invalidated=False)
    wrapped.__cause__ = closed

    assert is_database_unavailable(wrapped)
    assert not is_database_unavailable(DBAPIError("SELECT 1", None, asyncpg.UniqueViolationError("dup")))
