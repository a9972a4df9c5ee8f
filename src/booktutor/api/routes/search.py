"""Hybrid search over a book."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from booktutor.api.deps import BookRepoDep, ServicesDep
from booktutor.api.schemas import ErrorEnvelope, SearchResponse
from booktutor.errors import BookNotFound
from booktutor.retrieval.search import SearchQuery

router = APIRouter(tags=["search"])


@router.get(
    "/search", response_model=SearchResponse, responses={404: {"model": ErrorEnvelope}, 422: {"model": ErrorEnvelope}}
)
async def search(
    services: ServicesDep,
    repo: BookRepoDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="What to look for")],
    book_id: Annotated[str | None, Query(max_length=100)] = None,
    lang: Annotated[str | None, Query(min_length=2, max_length=16, pattern=r"^[A-Za-z-]+$")] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 8,
) -> SearchResponse:
    if book_id and await repo.get_book(book_id) is None:
        raise BookNotFound(f"No book with id '{book_id}'.")
    await services.check_index()
    result = await services.searcher.search(SearchQuery(text=q, k=k, book_id=book_id, language=lang))
    return SearchResponse(
        query=q, book_id=book_id, language=lang, degraded=result.degraded, reranked=result.reranked, hits=result.hits
    )
