"""The demo book site (the ingested book's chapters with the widget embedded) and /widget.js."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field

from booktutor.api.deps import BookRepoDep, SettingsDep
from booktutor.api.site_render import render_chapter
from booktutor.config import Settings
from booktutor.errors import ChapterNotFound, WidgetNotBuilt
from booktutor.languages import language_direction, language_name
from booktutor.markdown.urls import anchor_url
from booktutor.memory.book_records import document_for, published_documents
from booktutor.memory.books import BookRepository
from booktutor.memory.models import Book, Chapter, Document

router = APIRouter(include_in_schema=False)
API_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = Path(__file__).resolve().parents[4]
STATIC_DIR = API_DIR / "static"
TEMPLATES = Jinja2Templates(directory=API_DIR / "templates")
# Offered even without a stored translation: a machine translation may exist.
DEMO_LANGUAGES = ("ur",)
NO_CACHE = {"Cache-Control": "no-cache"}
# Pages load only their own scripts and styles and talk only to this server.
PAGE_HEADERS = {
    **NO_CACHE,
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
}
LanguageCode = Annotated[str, PathParam(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,8})?$")]


@dataclass(frozen=True)
class ChapterLink:
    chapter: Chapter
    title: str
    url: str
    depth: int


@dataclass(frozen=True)
class SiteBook:
    book: Book
    languages: list[str]
    chapters: list[Chapter]

    def shown_document(self, chapter: Chapter, language: str) -> Document:
        """The document in `language`, else the default-language one (or any published one)."""
        document = document_for(chapter, language, fallback=(self.book.default_language,), any_language=True)
        if document is None:  # the repository returns published chapters only
            raise ChapterNotFound(f"Chapter '{chapter.key}' has no published document.")
        return document

    def url(self, chapter: Chapter, language: str) -> str:
        document = self.shown_document(chapter, language)
        return anchor_url(
            chapter.source_path,
            document.front_matter,
            "",
            language=language,
            default_language=self.book.default_language,
        )

    def links(self, language: str) -> list[ChapterLink]:
        return [
            ChapterLink(c, self.shown_document(c, language).title, self.url(c, language), c.source_path.count("/"))
            for c in self.chapters
        ]

    def find(self, path: str, language: str) -> Chapter | None:
        wanted = path.rstrip("/") or "/"
        return next((c for c in self.chapters if self.url(c, language) == wanted), None)


async def _site_book(repo: BookRepository, settings: Settings) -> SiteBook | None:
    book = await repo.get_book(settings.site_book_id) if settings.site_book_id else None
    if book is None:
        books = await repo.list_books()
        book = books[0] if books else None
    if book is None:
        return None
    stored = await repo.book_languages(book.id)
    others = sorted({*stored, *DEMO_LANGUAGES} - {book.default_language})
    languages = [book.default_language, *others]
    return SiteBook(book=book, languages=languages, chapters=await repo.list_chapters(book.id))


async def permalink_redirect(request: Request) -> Response | None:
    """A chapter asked for at its URL on the book's own site (a citation, which follows the site's
    `baseUrl` and docs `routeBasePath`) → 307 to this demo site's page for it; None for anything else."""
    path = request.url.path.rstrip("/") or "/"
    services = getattr(request.app.state, "services", None)
    if path.startswith("/api/") or services is None:
        return None
    try:
        async with services.db.session() as session:
            site = await _site_book(BookRepository(session), services.settings)
    except Exception:  # the page stays a 404; /ready says what is wrong
        return None
    for chapter in site.chapters if site else []:
        for document in published_documents(chapter):
            if document.slug == path and site is not None:
                return RedirectResponse(site.url(chapter, document.language), status_code=307)
    return None


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, repo: BookRepoDep, settings: SettingsDep) -> Response:
    site = await _site_book(repo, settings)
    if site is None or not site.chapters:
        return TEMPLATES.TemplateResponse(request, "empty.html", {}, headers=PAGE_HEADERS)
    return RedirectResponse(site.url(site.chapters[0], site.book.default_language), status_code=307)


@router.get("/docs/{route:path}", response_class=HTMLResponse)
async def chapter_page(route: str, request: Request, repo: BookRepoDep, settings: SettingsDep) -> Response:
    return await _render(request, repo, settings, language=None)


@router.get("/{language}/docs/{route:path}", response_class=HTMLResponse)
async def translated_chapter_page(
    language: LanguageCode, route: str, request: Request, repo: BookRepoDep, settings: SettingsDep
) -> Response:
    return await _render(request, repo, settings, language=language)


async def _render(request: Request, repo: BookRepository, settings: Settings, language: str | None) -> Response:
    site = await _site_book(repo, settings)
    language = language or (site.book.default_language if site else "en")
    chapter = site.find(request.url.path, language) if site and language in site.languages else None
    if site is None or chapter is None:
        return TEMPLATES.TemplateResponse(
            request, "not_found.html", {"path": request.url.path}, status_code=404, headers=PAGE_HEADERS
        )
    document = site.shown_document(chapter, language)
    rendered = render_chapter(document.markdown)
    context = {
        "site": site,
        "book": site.book,
        "chapter": chapter,
        "document": document,
        "rendered": rendered,
        "language": language,
        "dir": language_direction(language),
        "content_dir": language_direction(document.language),
        "translation_missing": document.language != language,
        "links": site.links(language),
        "switches": [
            {"code": code, "name": language_name(code), "url": site.url(chapter, code), "current": code == language}
            for code in site.languages
        ],
    }
    return TEMPLATES.TemplateResponse(request, "chapter.html", context, headers=PAGE_HEADERS)


@router.get("/widget.js")
async def widget_bundle(settings: SettingsDep) -> FileResponse:
    path = settings.widget_bundle_path or REPO_ROOT / "widget" / "dist" / "widget.js"
    if settings.widget_bundle_path is None and not path.is_file():
        path = STATIC_DIR / "widget.js"  # the installed wheel's copy (setup.py)
    if not path.is_file():
        raise WidgetNotBuilt("The chat widget has not been built: run `make bootstrap` (npm run build:widget).")
    return FileResponse(path, media_type="text/javascript", headers=NO_CACHE)


class RenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    markdown: str = Field(max_length=200_000)


@router.post("/site/render")
async def render_markdown(body: RenderIn) -> dict[str, str]:
    """A personalized or translated chapter rendered as the site's own pages are (for site.js)."""
    return {"html": render_chapter(body.markdown).html}


@router.get("/site/{name}")
async def site_asset(name: Annotated[str, PathParam(pattern=r"^site\.(js|css)$")]) -> FileResponse:
    media_type = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(STATIC_DIR / name, media_type=media_type, headers=NO_CACHE)
