"""The content API over HTTP, backed by real Postgres, Qdrant (local mode) and MiniLM."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager
from tests.integration.conftest import build_test_services

from booktutor.api.app import create_app
from booktutor.retrieval.qdrant_server_store import QdrantServerStore

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(services, ingestor, book_copy):
    await ingestor.ingest(book_copy, book_id="mini", title="Mini book")
    app = create_app(services=services)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
    ):
        await services.wait_warm()
        yield http


def _error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


async def test_health_and_ready(client):
    assert (await client.get("/api/v1/health")).json() == {"status": "ok"}
    ready = await client.get("/api/v1/ready")
    assert ready.status_code == 200
    assert set(ready.json()["components"]) == {"database", "vector_store", "embedding_model"}


async def test_every_response_carries_a_request_id(client):
    response = await client.get("/api/v1/books", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    assert (await client.get("/api/v1/books")).headers["X-Request-ID"]


async def test_books_and_languages(client):
    books = (await client.get("/api/v1/books")).json()["books"]
    assert books == [
        {"id": "mini", "title": "Mini book", "default_language": "en", "languages": ["en", "ur"], "chapter_count": 3}
    ]
    languages = (await client.get("/api/v1/languages")).json()["languages"]
    assert {(lang["code"], lang["dir"]) for lang in languages} == {("en", "ltr"), ("ur", "rtl")}


async def test_chapters_are_ordered_like_the_sidebar(client):
    body = (await client.get("/api/v1/books/mini/chapters")).json()
    assert [c["id"] for c in body["chapters"]] == ["intro", "basics-gears", "basics-batteries"]
    assert body["chapters"][0]["languages"] == ["en", "ur"]
    assert body["chapters"][0]["url"] == "/docs/intro"


async def test_chapter_markdown_etag_and_conditional_get(client):
    response = await client.get("/api/v1/books/mini/chapters/basics-gears")
    assert response.status_code == 200
    chapter = response.json()
    assert chapter["title"] == "Gears and torque"
    assert "## Backlash" in chapter["markdown"]
    etag = response.headers["ETag"]
    again = await client.get("/api/v1/books/mini/chapters/basics-gears", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


async def test_chapters_reach_learners_without_quizzes_answers_or_mdx_machinery(client):
    gears = (await client.get("/api/v1/books/mini/chapters/basics-gears")).json()["markdown"]
    assert "## Backlash" in gears
    assert "```quiz" not in gears and "What is the ratio of a 40-tooth" not in gears
    batteries = (await client.get("/api/v1/books/mini/chapters/basics-batteries")).json()["markdown"]
    assert "import Tabs" not in batteries and "<TabItem" not in batteries
    assert "Charge packs only on the metal shelf" in batteries


async def test_chapter_in_urdu_and_missing_language(client):
    urdu = await client.get("/api/v1/books/mini/chapters/intro", params={"lang": "ur"})
    assert urdu.status_code == 200
    assert urdu.json()["title"] == "ورکشاپ روبوٹ"
    body = _error(
        await client.get("/api/v1/books/mini/chapters/basics-gears", params={"lang": "ur"}),
        404,
        "language_not_available",
    )
    assert body["details"] == {"available": ["en"]}


async def test_not_found_errors(client):
    _error(await client.get("/api/v1/books/nope/chapters"), 404, "book_not_found")
    _error(await client.get("/api/v1/books/mini/chapters/nope"), 404, "chapter_not_found")
    _error(await client.get("/api/v1/books/nope/chapters/intro"), 404, "book_not_found")
    _error(await client.get("/api/v1/no-such-route"), 404, "not_found")
    _error(await client.get("/api/v1/search", params={"q": "gears", "book_id": "nope"}), 404, "book_not_found")


async def test_validation_errors_use_the_envelope(client):
    body = _error(await client.get("/api/v1/search"), 422, "validation_error")
    assert body["details"][0]["loc"] == ["query", "q"]
    _error(await client.get("/api/v1/search", params={"q": "x", "k": 0}), 422, "validation_error")
    _error(await client.get("/api/v1/search", params={"q": "x", "k": 51}), 422, "validation_error")
    _error(await client.get("/api/v1/search", params={"q": "x" * 501}), 422, "validation_error")
    _error(await client.get("/api/v1/books/mini/chapters/intro", params={"lang": "<script>"}), 422, "validation_error")
    _error(await client.post("/api/v1/books"), 405, "method_not_allowed")


async def test_search_returns_hits_with_citation_fields(client):
    response = await client.get("/api/v1/search", params={"q": "what is backlash in gears", "book_id": "mini", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is False
    assert body["hits"][0]["doc_path"] == "basics/gears.md"
    section = next(h for h in body["hits"] if h["heading"] == "Backlash")
    assert section["anchor_url"] == "/docs/basics/gears#backlash"
    assert section["chapter_title"] == "Gears and torque"
    assert section["heading_path"] == ["Gears and torque", "Backlash"]
    assert "backlash" in section["snippet"].lower()
    assert len(body["hits"]) <= 3


async def test_search_language_filter(client):
    body = (await client.get("/api/v1/search", params={"q": "روبوٹ", "lang": "ur"})).json()
    assert body["hits"] and all(h["language"] == "ur" for h in body["hits"])
    assert body["hits"][0]["anchor_url"].startswith("/ur/docs/intro")


async def test_search_degrades_to_full_text_when_qdrant_is_down(
    test_settings, clean_db, local_embedder, ingestor, book_copy
):
    await ingestor.ingest(book_copy, book_id="mini")
    dead = QdrantServerStore("http://127.0.0.1:9", None, "chunks", 1.0)
    services = build_test_services(test_settings, clean_db, dead, local_embedder)
    app = create_app(services=services)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
    ):
        response = await http.get("/api/v1/search", params={"q": "backlash gears"})
        ready = await http.get("/api/v1/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True
    assert body["hits"][0]["doc_path"] == "basics/gears.md"
    assert ready.status_code == 503
    assert ready.json()["components"]["vector_store"]["ok"] is False
