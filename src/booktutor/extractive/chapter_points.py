"""The answer to "Give me the key points of chapter 2": each chapter of that number with its key points in the
book's words (booktutor.tools.chapter_points), each point cited to its section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def chapter_points_answer(listing: Sequence[dict[str, Any]]) -> str | None:
    """The chapters' key points; None when no chapter asked for was found or none has a point to quote."""
    blocks = [_block(chapter) for chapter in listing if chapter.get("points")]
    if not blocks:
        return None
    lead = f"{len(blocks)} chapters have that number (in different parts of the book).\n\n" if len(blocks) > 1 else ""
    return lead + "\n\n".join(blocks)


def _block(chapter: dict[str, Any]) -> str:
    items = [f"- {point['text']} [{point['n']}]" for point in chapter["points"]]
    return "\n".join([f"Key points of {chapter['chapter_title']} [{chapter['n']}]:", *items])
