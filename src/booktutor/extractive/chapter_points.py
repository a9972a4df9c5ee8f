"""The answer to "Give me the key points of chapter 2": each chapter of that number with its key points in the
book's words (booktutor.tools.chapter_points), each point cited to its section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def chapter_points_answer(listing: Sequence[dict[str, Any]]) -> str | None:
    """The chapters' key points, or which chapter the learner means; None when no chapter asked for was found or
    none has a point to quote."""
    if listing and listing[0].get("which_chapter"):
        return _which(listing[0].get("choices") or [])
    blocks = [_block(chapter) for chapter in listing if chapter.get("points")]
    if not blocks:
        return None
    lead = f"{len(blocks)} chapters have that number (in different parts of the book).\n\n" if len(blocks) > 1 else ""
    return lead + "\n\n".join(blocks)


def _block(chapter: dict[str, Any]) -> str:
    items = [f"- {point['text']} [{point['n']}]" for point in chapter["points"]]
    cited = f" [{chapter['n']}]" if chapter.get("n") else ""
    return "\n".join([f"Key points of {chapter['chapter_title']}{cited}:", *items])


def _which(choices: Sequence[dict[str, Any]]) -> str | None:
    """Which chapter the learner means, asked with the book's chapters to choose from (no page is in view)."""
    items = [f"- {choice['chapter_title']} [{choice['n']}]" for choice in choices if choice.get("n")]
    if not items:
        return None
    return (
        "\n".join(["Which chapter do you mean? I can't tell which page you are reading. The book's chapters:", *items])
        + "\n\nAsk again with the chapter's name, and I will summarize it."
    )


def missing_part_answer(missing: dict[str, Any]) -> str | None:
    """That the book has no part of the number asked for, and the numbers its parts have, citing its first and
    last numbered pages (booktutor.tools.book_parts); None when the listing is not one."""
    try:
        asked, kind, numbers = str(missing["asked"]), str(missing["kind"]), [int(n) for n in missing["numbers"]]
        first, last = (f"{missing[f'{end}_title']} [{int(missing[end])}]" for end in ("first", "last"))
    except (KeyError, TypeError, ValueError):
        return None
    if not numbers:
        return None
    if len(numbers) == 1:
        return f"The book has no {asked}: it has only {kind} {numbers[0]}, {first}."
    contiguous = len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1))
    said = f"{numbers[0]} to {numbers[-1]}" if contiguous else ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
    return f"The book has no {asked}: its {kind}s are numbered {said}, from {first} to {last}."
