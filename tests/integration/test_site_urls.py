"""A Docusaurus site's config and front matter decide the URLs of chapters, search hits and citations."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.http_helpers import app_client

from booktutor.retrieval.search import SearchQuery

pytestmark = pytest.mark.integration

CONFIG = """\
import type {Config} from '@docusaurus/types';
const repo = process.env.REPO_NAME ?? 'lathe-book';
const config: Config = {
  title: 'Lathe Basics',
  url: 'https://example.org',
  baseUrl: `/${repo}/`,
  i18n: {defaultLocale: 'en', locales: ['en', 'ur']},
  presets: [['classic', {docs: {routeBasePath: 'learn'}, blog: {routeBasePath: 'blog'}}]],
};
export default config;
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _site(root: Path) -> Path:
    _write(root / "docusaurus.config.ts", CONFIG)
    _write(root / "docs" / "01-welcome.md", "# Welcome\n\nA lathe spins the work against a cutting tool.\n")
    _write(
        root / "docs" / "02-cutting" / "01-speeds.md",
        "---\nid: spindle-speeds\n---\n# Speeds\n\n## Surface speed\n\n"
        "Surface speed sets the spindle rpm for a diameter.\n",
    )
    _write(root / "docs" / "02-cutting" / "index.md", "# Cutting\n\nCutting removes chips of metal.\n")
    urdu = root / "i18n" / "ur" / "docusaurus-plugin-content-docs" / "current"
    _write(urdu / "01-welcome.md", "---\nslug: /khush-amdeed\n---\n# خوش آمدید\n\nخراد کام کو گھماتا ہے۔\n")
    return root


async def test_config_and_front_matter_make_the_urls(services, ingestor, tmp_path):
    site = _site(tmp_path / "lathe")
    report = await ingestor.ingest(site, book_id="lathe")
    assert report.problems == []
    async with app_client(services) as http:
        books = (await http.get("/api/v1/books")).json()["books"]
        assert books[0]["title"] == "Lathe Basics"
        chapters = (await http.get("/api/v1/books/lathe/chapters")).json()["chapters"]
        assert {c["doc_path"]: c["url"] for c in chapters} == {
            "01-welcome.md": "/lathe-book/learn/welcome",
            "02-cutting/index.md": "/lathe-book/learn/cutting",
            "02-cutting/01-speeds.md": "/lathe-book/learn/cutting/spindle-speeds",
        }
        urdu = await http.get("/api/v1/books/lathe/chapters/01-welcome", params={"lang": "ur"})
        assert urdu.json()["url"] == "/lathe-book/ur/learn/khush-amdeed"
        # The demo site serves its pages under /docs/; a citation link to the book's own URL lands there
        cited = await http.get("/lathe-book/learn/cutting/spindle-speeds")
        assert cited.status_code == 307 and cited.headers["location"] == "/docs/cutting/spindle-speeds"
        assert (await http.get(cited.headers["location"])).status_code == 200
        cited = await http.get("/lathe-book/ur/learn/khush-amdeed")
        assert cited.status_code == 307 and cited.headers["location"] == "/ur/docs/khush-amdeed"
        for unknown in ("/lathe-book/learn/nothing", "/api/v1/nothing"):
            missing = await http.get(unknown)
            assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    result = await services.searcher.search(SearchQuery(text="surface speed spindle rpm", k=3, book_id="lathe"))
    assert result.hits[0].anchor_url.startswith("/lathe-book/learn/cutting/spindle-speeds#")

    # A new config changes the URLs on the next ingest, though no chapter changed.
    _write(site / "docusaurus.config.ts", CONFIG.replace("routeBasePath: 'learn'", "routeBasePath: '/'"))
    again = await ingestor.ingest(site, book_id="lathe")
    assert again.added == again.updated == []
    result = await services.searcher.search(SearchQuery(text="surface speed spindle rpm", k=3, book_id="lathe"))
    assert result.hits[0].anchor_url.startswith("/lathe-book/cutting/spindle-speeds#")
