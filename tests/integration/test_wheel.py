"""The built wheel is self-contained: installed outside the checkout, `booktutor db upgrade`,
`booktutor ingest --sample` and `booktutor serve` work, and /ready turns green.

To stay cheap, the wheel is installed with `--no-deps` into a fresh venv that sees the test venv's
site-packages through a `.pth` line. A plain path line does not process that directory's own `.pth`
files, so the editable install of this checkout (`__editable__.booktutor-*.pth`, which puts `src/` on
the path) never runs there: `import booktutor` can only find the wheel, and the test checks that it
does. Every dependency must still be importable from the test venv, so a module the wheel needs but
does not ship fails here. The bundled encoder is loaded from the wheel and encodes one text; the
sample book is then ingested and served with the `fake` embedder, since encoding the whole book (the
slow part, minutes on a loaded machine) tests the encoder, not the package.
Measured on the 2-core machine under a load average of about 20 (eight engineers' test runs): 30-50 s
to build the wheel, 197 s in all (447 s when the sample was encoded for real); it prints its own split,
and `pytest --durations` shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine
from tests.integration.live_server import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1200)]
ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 600.0  # generous: a loaded machine; a limit only turns a hang into a failure
ENCODE = """
import asyncio
from importlib.resources import files
from booktutor.providers.embeddings import LocalOnnxEmbedder
print((files("booktutor") / "providers" / "minilm" / "model.onnx").is_file())
print(len(asyncio.run(LocalOnnxEmbedder().embed_query("gear ratio"))))
"""


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=WAIT_S)  # noqa: S603
    assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout


def _build_wheel(out: Path) -> Path:
    """`pip wheel` on a copy of the sources (no build isolation: the test venv has the build tools)."""
    source = out / "source"
    keep = ("src", "migrations", "scripts", "widget/dist", "widget/src")
    for name in keep:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "alembic.ini", "package.json"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copy2(ROOT / "package-lock.json", source / "package-lock.json")
    env = {**os.environ, "BOOKTUTOR_WIDGET_BUNDLE": str(ROOT / "widget" / "dist" / "widget.js")}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(out / "dist"), str(source)], out, env)
    return next((out / "dist").glob("booktutor-*.whl"))


def _venv_with_wheel(wheel: Path, where: Path) -> Path:
    venv = where / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], where)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], where).strip())
    (site / "test_venv_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "--python", str(python)]
    _run([*pip, "install", "--no-deps", "--no-index", str(wheel)], where)
    return venv


@pytest.fixture
async def fresh_database(database_url: URL) -> AsyncIterator[str]:
    """An empty database on the test server: `db upgrade` must create everything from the wheel's migrations."""
    name = f"booktutor_wheel_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(database_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def test_the_wheel_installs_and_serves_outside_the_checkout(tmp_path: Path, fresh_database: str) -> None:
    started = time.monotonic()
    wheel = _build_wheel(tmp_path / "build")
    built = time.monotonic()
    venv = _venv_with_wheel(wheel, tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKTUTOR_") and k != "PYTHONPATH"}
    env.update(
        BOOKTUTOR_DATA_DIR=str(work / "data"),
        BOOKTUTOR_DATABASE_URL=fresh_database,
        BOOKTUTOR_JOB_WORKER_IN_PROCESS="false",
        BOOKTUTOR_LOG_JSON="false",
        BOOKTUTOR_EMBEDDING_PROVIDER="fake",
    )
    python, booktutor = str(venv / "bin" / "python"), str(venv / "bin" / "booktutor")
    where = _run([python, "-c", "import booktutor; print(booktutor.__file__)"], work, env)
    assert where.startswith(str(venv)), f"booktutor was imported from {where}, not the wheel"
    assert "booktutor 0." in _run([booktutor, "--version"], work, env)
    assert _run([python, "-c", ENCODE], work, env).split() == ["True", "384"]
    _run([booktutor, "db", "upgrade"], work, env)
    _run([booktutor, "ingest", "--sample"], work, env)
    port = free_port()
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [booktutor, "serve", "--port", str(port)], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_ready(f"http://127.0.0.1:{port}", server, work / "serve.log")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            assert http.get("/widget.js").status_code == 200  # the bundle ships in the wheel
            books = http.get("/api/v1/books").json()["books"]
            assert [book["id"] for book in books] == ["physical-ai-short-course"]
    finally:
        server.terminate()
        server.wait(timeout=WAIT_S)
        log.close()
    print(f"wheel: built in {built - started:.0f}s, installed and served in {time.monotonic() - built:.0f}s")


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    started = time.monotonic()
    with httpx.Client(base_url=url, timeout=10) as http:
        while time.monotonic() - started < WAIT_S:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                if http.get("/api/v1/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    raise AssertionError(f"/ready never turned green: {log.read_text()[-3000:]}")
