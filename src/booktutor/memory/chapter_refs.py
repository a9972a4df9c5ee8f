"""How a learner or a model names a chapter: its key, path or id, "chapter 2" / "2", or title words."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_

from booktutor.memory.models import Chapter

_CHAPTER_NUMBER = re.compile(r"\bchapter\s+(\d{1,3})\b", re.IGNORECASE)
_NUMBER_ONLY = re.compile(r"\s*(\d{1,3})\s*")
_WORD = re.compile(r"\w{3,}")
_STOPWORDS = frozenset(
    {
        "the",
        "for",
        "and",
        "this",
        "that",
        "chapter",
        "explain",
        "rewrite",
        "with",
        "into",
        "about",
        "read",
        "show",
        "translate",
        "version",
        "please",
        "make",
        "simpler",
    }
)


def exact_chapter_ref(reference: str) -> ColumnElement[bool]:
    """SQL condition: the chapter whose key, source path or id is exactly `reference`."""
    conditions = [Chapter.key == reference, Chapter.source_path == reference]
    with contextlib.suppress(ValueError):
        conditions.append(Chapter.id == uuid.UUID(reference))
    return or_(*conditions)


def match_chapter(chapters: Sequence[Chapter], reference: str) -> Chapter | None:
    """The chapter (of `chapters`, in book order) a loose reference names, or None.

    "chapter 2" or "2" is the second chapter; otherwise a case-insensitive key, path or title, and
    failing that the chapter sharing most words with the reference (the earlier one on a tie).
    """
    text = reference.strip()
    number = _CHAPTER_NUMBER.search(text) or _NUMBER_ONLY.fullmatch(text)
    if number and 1 <= int(number.group(1)) <= len(chapters):
        return chapters[int(number.group(1)) - 1]
    lowered = text.lower()
    for chapter in chapters:
        if lowered in {chapter.key.lower(), chapter.source_path.lower(), _title(chapter).lower()}:
            return chapter
    wanted = _words(text)
    best, best_score = None, 0
    for chapter in chapters:
        score = len(wanted & _words(f"{_title(chapter)} {chapter.key} {chapter.source_path}"))
        if score > best_score:
            best, best_score = chapter, score
    return best


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} - _STOPWORDS


def _title(chapter: Chapter) -> str:
    visible = [d for d in chapter.documents if d.version > 0]
    document = next((d for d in visible if d.language == "en"), visible[0] if visible else None)
    return document.title if document else chapter.key
