"""Languages the books are available in: stored human translations, and machine translation
(listed only when a language model provider is configured)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from booktutor.api.deps import BookRepoDep, TranslationDep
from booktutor.api.schemas import LanguageOut
from booktutor.languages import language_direction, language_name

router = APIRouter(tags=["languages"])


class BookLanguages(BaseModel):
    book_id: str
    default_language: str
    human: list[str] = Field(description="languages with a stored (human) version of at least one chapter")
    machine: list[str] = Field(description="languages chapters can be machine-translated into")


class LanguageAvailability(LanguageOut):
    human_books: list[str] = Field(default_factory=list)
    machine_books: list[str] = Field(default_factory=list)


class LanguageCatalog(BaseModel):
    languages: list[LanguageAvailability]
    books: list[BookLanguages]
    machine_translation: bool


@router.get("/languages", response_model=LanguageCatalog)
async def list_languages(repo: BookRepoDep, translation: TranslationDep) -> LanguageCatalog:
    """The languages each book can be read in: stored translations and machine-translatable ones."""
    books: list[BookLanguages] = []
    for book in await repo.list_books():
        stored = await repo.book_languages(book.id)
        human = [code for code in stored if code != book.default_language]
        machine = [code for code in translation.machine_languages() if code != book.default_language]
        books.append(
            BookLanguages(
                book_id=book.id,
                default_language=book.default_language,
                human=human,
                machine=machine,
            )
        )
    return LanguageCatalog(languages=_by_language(books), books=books, machine_translation=translation.can_translate)


def _by_language(books: list[BookLanguages]) -> list[LanguageAvailability]:
    entries: dict[str, LanguageAvailability] = {}

    def entry(code: str) -> LanguageAvailability:
        return entries.setdefault(
            code,
            LanguageAvailability(code=code, name=language_name(code), dir=language_direction(code), books=[]),
        )

    for book in books:
        entry(book.default_language).books.append(book.book_id)
        for code in book.human:
            entry(code).human_books.append(book.book_id)
        for code in book.machine:
            entry(code).machine_books.append(book.book_id)
    for item in entries.values():
        item.books = sorted({*item.books, *item.human_books, *item.machine_books})
    return [entries[code] for code in sorted(entries)]
