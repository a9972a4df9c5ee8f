"""The built wheel on its own: build it, install it into a fresh venv (no PyTorch, no extras), and run
`booktutor db upgrade`, `ingest --sample` and `serve` from a folder outside the checkout.

Slow (the fresh venv resolves every dependency from the package index), and part of `make test` and CI.
The wheel must carry the ONNX encoder, the chat widget and the migrations: nothing is read from the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from tests.integration.live_server import free_port

from booktutor.memory.database import to_asyncpg_url

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(2400), pytest.mark.needs("npm")]

ROOT = Path(__file__).resolve().parents[2]


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 1800) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: the dev venv has the build requirements (setuptools, onnx, safetensors).
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)]
    _run(command, ROOT, dict(os.environ))
    (built,) = out.glob("booktutor-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(venv)], venv, dict(os.environ))
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], venv, dict(os.environ))
    return venv


@pytest.fixture
def fresh_database() -> Iterator[str]:
    configured = os.environ.get("BOOKTUTOR_TEST_DATABASE_URL")
    if not configured:
        pytest.skip("needs BOOKTUTOR_TEST_DATABASE_URL (a Postgres server)")
    maintenance = to_asyncpg_url(configured)
    name = f"booktutor_wheel_{uuid.uuid4().hex[:8]}"

    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(
            host=maintenance.host, port=maintenance.port, user=maintenance.username,
            password=maintenance.password, database=maintenance.database,
        )  # fmt: skip
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    import asyncio

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    yield make_url(configured).set(database=name).render_as_string(hide_password=False)
    asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_the_wheel_carries_model_widget_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())

    assert {"booktutor/providers/minilm/model.onnx", "booktutor/providers/minilm/tokenizer.json"} <= names
    assert "booktutor/api/static/widget.js" in names
    assert "booktutor/_migrations/alembic.ini" in names
    assert any(n.startswith("booktutor/_migrations/migrations/versions/") for n in names)


def test_installed_wheel_ingests_and_serves(installed: Path, fresh_database: str, tmp_path: Path) -> None:
    site = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import importlib.util as u; print(u.find_spec('torch'))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert site.stdout.strip() == "None", "the default install must not pull PyTorch"
    env = {
        "PATH": f"{installed / 'bin'}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
        "BOOKTUTOR_DATABASE_URL": fresh_database,
        "BOOKTUTOR_DATA_DIR": str(tmp_path / "data"),
        "BOOKTUTOR_PORT": str(port := free_port()),
        "BOOKTUTOR_HOST": "127.0.0.1",
    }
    booktutor = str(installed / "bin" / "booktutor")
    _run([booktutor, "db", "upgrade"], tmp_path, env, timeout=300)
    _run([booktutor, "ingest", "--sample"], tmp_path, env, timeout=600)
    server = subprocess.Popen(
        [booktutor, "serve"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, server)
        search = httpx.get(f"{base}/api/v1/search", params={"q": "what is a sensor"}, timeout=60)
        assert search.status_code == 200 and search.json()["hits"] and search.json()["degraded"] is False
        widget = httpx.get(f"{base}/widget.js", timeout=30)
        assert widget.status_code == 200 and len(widget.content) > 1000
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode()[-3000:] if server.stderr else "server exited"
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError("booktutor serve did not become healthy")
