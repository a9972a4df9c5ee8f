"""Hybrid search over a book."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from booktutor.api.deps import BookRepoDep, ServicesDep
from booktutor.api.lookups import require_book
from booktutor.api.params import LanguageQuery
from booktutor.api.schemas import SearchResponse, error_responses
from booktutor.retrieval.search import SearchQuery

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResponse, responses=error_responses(404, 422))
async def search(
    services: ServicesDep,
    repo: BookRepoDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="What to look for")],
    book_id: Annotated[str | None, Query(max_length=100)] = None,
    lang: LanguageQuery = None,
    k: Annotated[int, Query(ge=1, le=50)] = 8,
) -> SearchResponse:
    """Hybrid search (dense vectors and full text) over a book's chunks; `degraded` when only full text answered."""
    if book_id:
        await require_book(repo, book_id)
    await services.check_index()
    result = await services.searcher.search(SearchQuery(text=q, k=k, book_id=book_id, language=lang))
    return SearchResponse(
        query=q, book_id=book_id, language=lang, degraded=result.degraded, reranked=result.reranked, hits=result.hits
    )
