"""Lookups several routes make, answering 404 with the same error when nothing is found."""

from __future__ import annotations

from booktutor.api.schemas import BookList, BookOut
from booktutor.errors import BookNotFound
from booktutor.memory.books import BookRepository
from booktutor.memory.models import Book


async def require_book(books: BookRepository, book_id: str) -> Book:
    book = await books.get_book(book_id)
    if book is None:
        raise BookNotFound(f"No book with id '{book_id}'.")
    return book


async def book_listing(books: BookRepository) -> BookList:
    """Every book with its languages and chapter count: what `GET /books` and `booktutor books --json` show."""
    listing = []
    for book in await books.list_books():
        listing.append(
            BookOut(
                id=book.id,
                title=book.title,
                default_language=book.default_language,
                languages=await books.book_languages(book.id),
                chapter_count=await books.chapter_count(book.id),
            )
        )
    return BookList(books=listing)
