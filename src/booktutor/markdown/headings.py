"""Heading ids (Docusaurus / github-slugger compatible) and heading paths."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markdown_it.token import Token

_EXPLICIT_ID = re.compile(r"\s*\{#([^\s{}]+)\}\s*$")


def github_slug(text: str) -> str:
    """Lowercase; keep letters, marks, numbers, connector punctuation, spaces and hyphens."""
    kept = "".join(ch for ch in text.lower() if _is_slug_char(ch))
    return kept.replace(" ", "-")


def _is_slug_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch in " -" or category[0] in "LMN" or category == "Pc"


class HeadingSlugger:
    """Assigns unique ids within one document; repeats get -1, -2, ..."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, text: str) -> str:
        original = github_slug(text)
        result = original
        while result in self._occurrences:
            self._occurrences[original] += 1
            result = f"{original}-{self._occurrences[original]}"
        self._occurrences[result] = 0
        return result


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str  # plain text, explicit id removed
    anchor: str
    line: str  # normalised ATX heading line, e.g. "## IMUs"


def read_heading(open_token: Token, inline: Token, slugger: HeadingSlugger) -> Heading:
    level = int(open_token.tag[1])
    raw = inline.content
    explicit = _EXPLICIT_ID.search(raw)
    text = _EXPLICIT_ID.sub("", _plain_text(inline)).strip()
    anchor = explicit.group(1) if explicit else slugger.slug(text)
    source = raw[: explicit.start()] if explicit else raw
    return Heading(level, text, anchor, f"{'#' * level} {source.strip()}")


def _plain_text(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


class HeadingTracker:
    """Follows headings through a document and reports each one's heading path.

    The chapter title is the root of every path; the first H1 stands for the title itself.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.slugger = HeadingSlugger()
        self._stack: list[tuple[int, str]] = []
        self._seen_h1 = False

    def push(self, heading: Heading) -> tuple[str, ...]:
        if heading.level == 1 and not self._seen_h1:
            self._seen_h1 = True
            self._stack = []
            return (self.title,)
        while self._stack and self._stack[-1][0] >= heading.level:
            self._stack.pop()
        self._stack.append((heading.level, heading.text))
        return (self.title, *(text for _, text in self._stack))
