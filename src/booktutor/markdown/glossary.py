"""Key terms authored in a chapter's "Key terms"/"Glossary" section or on a glossary page."""

from __future__ import annotations

import re
from collections.abc import Iterator

from booktutor.markdown.fences import iter_fence_flags

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_EXPLICIT_ID = re.compile(r"\s*\{#[^\s{}]+\}\s*$")
# English and Urdu section titles ("key terms", "terms", "glossary")
GLOSSARY_TITLE = re.compile(
    r"^(key\s+terms|glossary|کلیدی\s+اصطلاحات|اہم\s+اصطلاحات|اصطلاحات|فرہنگ)(?!\w)",
    re.IGNORECASE,
)
# "- **Term**: definition" or "- **Term:** definition" (also "—" or "-" as separator)
_BULLET_TERM = re.compile(r"^\s*[-*+][ \t]+\*\*(?P<term>[^*]+?)\s*:?\*\*\s*(?:[:：—–-]\s*)?(?P<definition>.+)$")
_CONTINUATION = re.compile(r"^\s{2,}\S")
_MARKUP = re.compile(r"[*_`]")


def extract_key_terms(markdown: str, *, whole_page: bool = False) -> dict[str, str]:
    """Map term -> definition, first definition winning.

    Reads bullet lines `- **Term**: definition.` and, on glossary pages, sub-headings followed
    by a definition paragraph (`### Term` + text). A page whose first heading is "Glossary" or
    "Key terms" (or `whole_page=True`) counts as a glossary throughout.
    """
    terms: dict[str, str] = {}
    for lines in _glossary_regions(markdown, whole_page):
        for term, definition in [*_bullet_terms(lines), *_heading_terms(lines)]:
            terms.setdefault(term, definition)
    return terms


def _glossary_regions(markdown: str, whole_page: bool) -> Iterator[list[str]]:
    """Lines of each glossary section (fenced lines blanked so they never match)."""
    lines = ["" if fenced else line for line, fenced in iter_fence_flags(markdown.split("\n"))]
    headings = [(i, len(m.group(1)), _heading_text(m.group(2))) for i, m in _headings(lines)]
    if whole_page or (headings and GLOSSARY_TITLE.match(headings[0][2])):
        yield lines
        return
    for index, level, text in headings:
        if GLOSSARY_TITLE.match(text):
            end = next((i for i, lvl, _ in headings if i > index and lvl <= level), len(lines))
            yield lines[index + 1 : end]


def _headings(lines: list[str]) -> Iterator[tuple[int, re.Match[str]]]:
    for index, line in enumerate(lines):
        match = _HEADING.match(line)
        if match:
            yield index, match


def _heading_text(raw: str) -> str:
    return _MARKUP.sub("", _EXPLICIT_ID.sub("", raw)).strip()


def _bullet_terms(lines: list[str]) -> Iterator[tuple[str, str]]:
    for index, line in enumerate(lines):
        match = _BULLET_TERM.match(line)
        if not match:
            continue
        parts = [match.group("definition").strip()]
        for follower in lines[index + 1 :]:
            if not _CONTINUATION.match(follower) or _BULLET_TERM.match(follower):
                break
            parts.append(follower.strip())
        yield _MARKUP.sub("", match.group("term")).strip(), " ".join(parts)


def _heading_terms(lines: list[str]) -> Iterator[tuple[str, str]]:
    """`### Term` immediately followed by a paragraph: the paragraph defines the term."""
    for index, match in _headings(lines):
        term = _heading_text(match.group(2))
        paragraph = _next_paragraph(lines, index + 1)
        is_chapter_heading = len(match.group(1)) == 1
        if term and paragraph and not is_chapter_heading and not GLOSSARY_TITLE.match(term):
            yield term, paragraph


def _next_paragraph(lines: list[str], start: int) -> str:
    parts: list[str] = []
    for line in lines[start:]:
        stripped = line.strip()
        if not stripped:
            if parts:
                break
            continue
        if _HEADING.match(line) or (not parts and stripped[0] in "-*+|>`:<"):
            break
        parts.append(stripped)
    return " ".join(parts)
