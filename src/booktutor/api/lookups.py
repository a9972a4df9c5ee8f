"""Lookups several routes make, answering 404 with the same error when nothing is found."""

from __future__ import annotations

from booktutor.errors import BookNotFound
from booktutor.memory.books import BookRepository
from booktutor.memory.models import Book


async def require_book(books: BookRepository, book_id: str) -> Book:
    book = await books.get_book(book_id)
    if book is None:
        raise BookNotFound(f"No book with id '{book_id}'.")
    return book
