"""Path and query parameters that several routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

BookIdPath = Annotated[str, Path(min_length=1, max_length=100)]
ChapterIdPath = Annotated[str, Path(min_length=1, max_length=300)]
LanguageQuery = Annotated[str | None, Query(min_length=2, max_length=16, pattern=r"^[A-Za-z-]+$")]
