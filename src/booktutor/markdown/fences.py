"""Fenced code blocks: which lines are inside one, and a fence's language."""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it.token import Token

# ```quiz blocks hold authored questions (docs/authoring.md), not prose.
QUIZ_LANGUAGE = "quiz"
_FENCE_OPEN = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


def fence_language(token: Token) -> str:
    return token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""


def iter_fence_flags(lines: list[str]) -> Iterator[tuple[str, bool]]:
    """Yield (line, is_inside_or_delimiting_a_fenced_code_block).

    Follows CommonMark fence rules (closing fence uses the same character and is at least
    as long) but tolerates any indentation, as fences nested in lists or JSX often are.
    """
    fence: tuple[str, int] | None = None
    for line in lines:
        if fence is not None:
            if _closes_fence(line, fence):
                fence = None
            yield line, True
            continue
        match = _FENCE_OPEN.match(line)
        marker = match.group(1) if match else ""
        if match and not (marker[0] == "`" and "`" in match.group(2)):
            fence = (marker[0], len(marker))
            yield line, True
        else:
            yield line, False


def _closes_fence(line: str, fence: tuple[str, int]) -> bool:
    char, length = fence
    stripped = line.strip()
    return len(stripped) >= length and stripped == char * len(stripped)


def clip_markdown(text: str, limit: int) -> str:
    """At most `limit` characters of Markdown, cut at the end of a line; a code block the cut leaves open is
    closed again, so what is kept of it still reads as code (an open fence swallows everything after it)."""
    if len(text) <= limit:
        return text
    kept = text[:limit]
    kept = kept[: kept.rfind("\n")] if "\n" in kept else kept
    fence = _open_fence(kept.split("\n"))
    return f"{kept}\n{fence}" if fence else kept


def _open_fence(lines: list[str]) -> str:
    """The marker that would close the fenced code block still open after `lines`, or ""."""
    marker = ""
    for line, fenced in iter_fence_flags(lines):
        if not fenced:
            marker = ""
        elif not marker:
            match = _FENCE_OPEN.match(line)
            marker = match.group(1) if match else ""
        elif _closes_fence(line, (marker[0], len(marker))):
            marker = ""
    return marker
