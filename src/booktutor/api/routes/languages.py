"""Languages the books are available in."""

from __future__ import annotations

from fastapi import APIRouter

from booktutor.api.deps import BookRepoDep
from booktutor.api.schemas import LanguageList, LanguageOut
from booktutor.languages import language_direction, language_name

router = APIRouter(tags=["languages"])


@router.get("/languages", response_model=LanguageList)
async def list_languages(repo: BookRepoDep) -> LanguageList:
    by_language: dict[str, list[str]] = {}
    for book in await repo.list_books():
        for code in await repo.book_languages(book.id):
            by_language.setdefault(code, []).append(book.id)
    return LanguageList(languages=[
        LanguageOut(code=code, name=language_name(code), dir=language_direction(code), books=books)
        for code, books in sorted(by_language.items())
    ])
