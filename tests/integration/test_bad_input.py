"""Bad input is a clear 4xx, never a 500: each case the resilience probe found, over real HTTP against a
live server and real Postgres."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import tarfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tests.integration.http_helpers import bearer, finished_job, register, with_settings
from tests.integration.live_server import live_server

from booktutor.api.app import create_app
from booktutor.ingest.archive import extract_archive
from booktutor.ingest.discover import discover_book
from booktutor.providers.extractive_model import ExtractiveModel

pytestmark = pytest.mark.integration
ADMIN = "keeper@example.com"


@pytest.fixture
async def http(services, ingestor, book_copy, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    await ingestor.ingest(book_copy, book_id="mini", title="Mini")
    limited = with_settings(
        services,
        admin_emails=[ADMIN],
        data_dir=tmp_path / "data",
        max_archive_members=50,
        max_archive_expanded_bytes=2_000_000,
    )
    app = create_app(services=limited, model=ExtractiveModel(embedder=services.embedder))
    async with live_server(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
        client.headers["X-Guest-Token"] = (await client.get("/api/v1/threads")).headers["X-Guest-Token"]
        yield client


def _run(thread_id: str = "t-bad", run_id: str = "r-bad", message_id: str = "m-bad") -> dict:
    return {
        "threadId": thread_id,
        "runId": run_id,
        "state": {},
        "messages": [{"id": message_id, "role": "user", "content": "What is a gear?"}],
        "tools": [],
        "context": [],
        "forwardedProps": {"book_id": "mini"},
    }


async def test_stream_cursors_ids_and_answers_are_validated(http):
    started = await http.post("/api/v1/agent/run", json=_run())
    assert started.status_code == 200
    for last_event_id in ("r-bad:²", "r-bad:" + "9" * 4400, "²", "r-bad:-3", "r-bad:1e9"):
        header = {"Last-Event-ID": last_event_id.encode("latin-1")}  # the bytes a client sends for "²"
        resumed = await http.get("/api/v1/threads/t-bad/runs/r-bad/stream", headers=header)
        expected = 422 if len(last_event_id) > 300 else 200  # the header is bounded; a bad seq replays all
        assert resumed.status_code == expected, (last_event_id, resumed.text)
    assert (await http.get("/api/v1/threads/t-bad/runs/r-bad/stream", params={"after": 10**30})).status_code == 422

    long_id = "x" * 201
    for body in (_run(thread_id=long_id), _run(run_id=long_id), _run(message_id=long_id)):
        refused = await http.post("/api/v1/agent/run", json=body)
        assert refused.status_code == 422, refused.text
    assert (await http.get(f"/api/v1/threads/{long_id}/runs/r/stream")).status_code == 422

    for text in ("gear\\u0000s", "gear\\ud800s"):  # NUL, an unpaired surrogate: not storable in PostgreSQL
        unstorable = await http.post(
            "/api/v1/chatbot/query", content=f'{{"question": "{text}"}}', headers={"Content-Type": "application/json"}
        )
        assert unstorable.status_code == 422, unstorable.text
        assert unstorable.json()["error"]["code"] in ("invalid_characters", "validation_error")

    beyond_int32 = base64.urlsafe_b64encode(json.dumps({"k": "m", "s": 2**40}).encode()).decode().rstrip("=")
    paged = await http.get("/api/v1/threads/t-bad", params={"cursor": beyond_int32})
    assert paged.status_code == 422 and paged.json()["error"]["code"] == "validation_error"

    quiz = await http.post("/api/v1/books/mini/chapters/basics-gears/quiz", json={"count": 1, "kinds": ["mcq"]})
    assert quiz.status_code == 201, quiz.text
    for answer in ("²", "٣", "9" * 5000):
        graded = await http.post(f"/api/v1/quizzes/{quiz.json()['id']}/answers", json={"answer": answer})
        assert graded.status_code == 422, graded.text
        assert graded.json()["error"]["code"] in ("invalid_choice", "validation_error"), graded.text


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _file(name: str, text: str = "# Title\n\nSome text about gears.\n") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(text.encode())
    return info, text.encode()


def _link(name: str, target: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info, None


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bad_crc(data: bytes) -> bytes:
    """The zip with one byte of its (stored) member changed, so its CRC no longer matches."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("site/docs/intro.md", data)
    raw = bytearray(buffer.getvalue())
    at = raw.index(data)
    raw[at] ^= 0xFF
    return bytes(raw)


async def test_hostile_archives_and_paths_are_refused_or_defused(http, tmp_path):
    admin = bearer(await register(http, ADMIN))

    async def upload(name: str, data: bytes) -> httpx.Response:
        return await http.post("/api/v1/admin/books/upload", headers=admin, files={"archive": (name, data)})

    refused = {
        "dotdot": await upload("a.tar.gz", _tar([_file("site/docs/intro.md"), _file("../escape.md")])),
        "bad crc": await upload("a.zip", _bad_crc(b"# Intro\n\nText.\n")),
        "bomb": await upload("a.zip", _zip({"site/docs/intro.md": b"# A\n", "site/docs/zeros.md": b"0" * 5_000_000})),
        "members": await upload("a.zip", _zip({f"site/docs/{n}.md": b"# A\n" for n in range(60)})),
    }
    for case, response in refused.items():
        assert response.status_code == 422 and response.json()["error"]["code"] == "bad_archive", (case, response.text)
    assert not (tmp_path / "data" / "uploads" / "escape.md").exists()

    linked = _tar(
        [
            _file("site/docs/intro.md"),
            _link("site/docs/passwd.md", "/etc/passwd"),
            _link("site/docs/loop", "."),
            _link("site/docs/up", "../.."),
        ]
    )
    extracted = await asyncio.to_thread(_extracted, linked, tmp_path / "direct")
    assert [path.relative_to(extracted).as_posix() for path in extracted.rglob("*")] == ["docs", "docs/intro.md"]
    accepted = await upload("links.tar.gz", linked)
    assert accepted.status_code == 202, accepted.text
    # the job removes its upload folder when it ends, so what reached the book is checked, not the folder
    job = await finished_job(http, accepted.json()["id"], admin)
    assert job["status"] == "succeeded" and job["result"]["added"] == 1, job

    for path in ("/tmp/a\x00b", "/" + "n" * 300 + "/docs", "~no-such-user/site"):
        bad = await http.post("/api/v1/admin/books", headers=admin, json={"path": path})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "book_path_invalid", (path, bad.text)


def _extracted(data: bytes, folder: Path) -> Path:
    folder.mkdir()
    (folder / "archive").write_bytes(data)
    return extract_archive(folder / "archive", folder / "site")


def test_the_folder_walk_never_follows_links(tmp_path):
    outside = tmp_path / "outside"
    (outside / "docs").mkdir(parents=True)
    (outside / "docs" / "secret.md").write_text("# Secret\n")
    site = tmp_path / "site"
    (site / "docs" / "part").mkdir(parents=True)
    (site / "docs" / "part" / "intro.md").write_text("# Intro\n")
    (site / "docs" / "part" / "loop").symlink_to(site / "docs")
    (site / "docs" / "elsewhere").symlink_to(outside / "docs")
    (site / "docs" / "secret.md").symlink_to(outside / "docs" / "secret.md")
    (site / "i18n").mkdir()
    (site / "i18n" / "ur").symlink_to(outside)
    book = discover_book(site)
    assert [file.source_path for file in book.files()] == ["part/intro.md"]
    assert book.language_codes == ("en",)
