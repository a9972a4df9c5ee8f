"""Books and chapters of the book's content."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from booktutor.api.deps import BookRepoDep
from booktutor.api.lookups import book_listing, require_book
from booktutor.api.params import BookIdPath, ChapterIdPath, LanguageQuery
from booktutor.api.schemas import BookList, ChapterList, ChapterOut, ChapterSummary, error_responses
from booktutor.errors import ChapterNotFound, LanguageNotFound
from booktutor.markdown.learner_view import learner_markdown
from booktutor.markdown.urls import anchor_url
from booktutor.memory.book_records import document_for, published_documents
from booktutor.memory.models import Chapter

router = APIRouter(prefix="/books", tags=["books"])
NOT_FOUND = error_responses(404)


@router.get("", response_model=BookList)
async def list_books(repo: BookRepoDep) -> BookList:
    """The books on this server, with their languages and chapter counts."""
    return await book_listing(repo)


@router.get("/{book_id}/chapters", response_model=ChapterList, responses=NOT_FOUND)
async def list_chapters(book_id: BookIdPath, repo: BookRepoDep) -> ChapterList:
    """A book's chapters in sidebar order, each with the languages it exists in."""
    book = await require_book(repo, book_id)
    chapters = await repo.list_chapters(book_id)
    summaries = []
    for position, chapter in enumerate(chapters, start=1):
        document = document_for(chapter, book.default_language, any_language=True)
        if document is None:  # list_chapters returns published chapters only
            continue
        summaries.append(
            ChapterSummary(
                id=chapter.key,
                doc_path=chapter.source_path,
                title=document.title,
                position=position,
                languages=_languages(chapter),
                url=anchor_url(
                    chapter.source_path,
                    document.front_matter,
                    "",
                    language=document.language,
                    default_language=book.default_language,
                    permalink=document.slug,
                ),
            )
        )
    return ChapterList(book_id=book_id, chapters=summaries)


@router.get(
    "/{book_id}/chapters/{chapter_id}",
    response_model=ChapterOut,
    responses={**NOT_FOUND, 304: {"description": "Not modified"}},
)
async def get_chapter(
    book_id: BookIdPath,
    chapter_id: ChapterIdPath,
    repo: BookRepoDep,
    response: Response,
    lang: LanguageQuery = None,
    if_none_match: Annotated[str | None, Header()] = None,
):
    """One chapter's Markdown in a language (`lang`, else the book's default), with an ETag for conditional GETs
    (304). It is the learner's view: authors' quizzes and their answers are removed (learners meet them through
    quizzes), and so are MDX imports and JSX tags (their text kept); admonitions stay."""
    page = await repo.chapter_page(book_id, chapter_id, lang)
    if page is None:
        await require_book(repo, book_id)
        raise ChapterNotFound(f"No chapter '{chapter_id}' in book '{book_id}'.")
    if page.language is None:
        raise LanguageNotFound(
            f"Chapter '{chapter_id}' is not available in '{lang or page.book_default_language}'.",
            details={"available": page.languages},
        )
    etag = f'"{page.content_hash}-{page.version}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Language"}
    if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")} | {"*"}:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    front_matter = page.front_matter or {}
    return ChapterOut(
        id=page.key,
        book_id=book_id,
        doc_path=page.source_path,
        language=page.language,
        languages=page.languages,
        title=page.title,
        description=front_matter.get("description"),
        front_matter=front_matter,
        markdown=learner_markdown(page.markdown or ""),
        content_hash=page.content_hash,
        version=page.version,
        updated_at=page.updated_at,
        url=anchor_url(
            page.source_path,
            front_matter,
            "",
            language=page.language,
            default_language=page.book_default_language,
            permalink=page.permalink,
        ),
    )


def _languages(chapter: Chapter) -> list[str]:
    return sorted(d.language for d in published_documents(chapter))
