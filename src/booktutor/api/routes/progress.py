"""The learner's mastery per chapter and section, and what to study next."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from booktutor.api.deps import BookRepoDep, CurrentUser, QuizServiceDep, SettingsDep
from booktutor.api.schemas import ErrorEnvelope
from booktutor.errors import BookNotFound
from booktutor.tutoring.views import ProgressView

router = APIRouter(tags=["progress"])


@router.get("/users/me/progress", response_model=ProgressView, responses={404: {"model": ErrorEnvelope}})
async def my_progress(
    user: CurrentUser,
    quizzes: QuizServiceDep,
    books: BookRepoDep,
    settings: SettingsDep,
    book_id: Annotated[str | None, Query(max_length=100)] = None,
) -> ProgressView:
    """The caller's mastery per section and what to study next."""
    book_id = book_id or settings.default_book_id
    if await books.get_book(book_id) is None:
        raise BookNotFound(f"No book with id '{book_id}'.")
    return await quizzes.progress(user.id, book_id)
