"""A chunk's practice sections read from every heading it covers, not only its first one.

The chunker joins a short section to its neighbours ("## Exercise 1" with the "## Self-check" after it): the
chunk's heading path names only the first, so a short self-check, quiz or lab would be missed. Such a chunk is
cut at each covered heading that names practice (and where that practice section ends), each part with its own
heading path, anchor, text and sub-sections, as if the chunker had kept it apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise

from booktutor.ingest.purpose import DEFINITION, classify_section
from booktutor.memory.book_records import OutlineRow

_HEADING_LINE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(?:```|~~~)")
Names = Callable[[str], str | None]
"""Whether a heading names practice (`booktutor.tools.practice.practice_kind`)."""
Lines = dict[int, tuple[int, int]]
"""Each covered heading (by its index in the chunk's sections) with its level and offset in the text."""
Paths = list[tuple[str, ...]]


def split_covered(row: OutlineRow, names_practice: Names) -> list[OutlineRow]:
    """The row as the parts it joins, cut where a covered heading (after its first) names practice and
    where such a part ends (the next heading at its level or above); the row itself when there is no cut."""
    headings = [str(section.get("heading", "")) for section in row.sections]
    if len(headings) < 2 or row.purpose == DEFINITION:
        return [row]
    lines = _heading_lines(row.text, headings)
    if lines.get(0) is None:
        return [row]
    paths = _paths(row.heading_path, headings, {i: level for i, (level, _) in lines.items()})
    cuts = _cuts(headings, lines, paths, names_practice)
    if not cuts:
        return [row]
    bounds = [0, *cuts, len(headings)]
    return [_part(row, paths, lines, start, end, first=start == 0) for start, end in pairwise(bounds)]


def _heading_lines(text: str, headings: list[str]) -> Lines:
    """Each covered heading's (level, offset) in the chunk's text, matched in order (not `#` lines of code)."""
    found: Lines = {}
    offset, fenced, wanted = 0, False, 0
    for line in text.splitlines(keepends=True):
        fenced = fenced != bool(_FENCE.match(line))
        match = None if fenced else _HEADING_LINE.match(line.rstrip("\n"))
        if match and wanted < len(headings) and _plain(match[2]) == _plain(headings[wanted]):
            found[wanted] = (len(match[1]), offset)
            wanted += 1
        offset += len(line)
    return found


def _paths(base: list[str], headings: list[str], levels: dict[int, int]) -> Paths:
    """Each covered heading's path: the chunk's path for the first, then by the headings' levels (a heading
    whose line is not in the text, cut off, is taken as a sub-section of the one before)."""
    first = levels[0]
    stack = [(first - (len(base) - 1 - k), heading) for k, heading in enumerate(base)]
    paths = [tuple(base)]
    for i in range(1, len(headings)):
        level = levels.get(i, stack[-1][0] + 1)
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, headings[i]))
        paths.append(tuple(heading for _, heading in stack))
    return paths


def _cuts(headings: list[str], lines: Lines, paths: Paths, names: Names) -> list[int]:
    """Where the parts start: a practice heading not inside the part before's practice, and the next heading
    at a practice part's level or above."""
    cuts: list[int] = []
    inside: tuple[str, ...] | None = None  # the practice part being read
    for i in range(1, len(headings)):
        if i not in lines:
            continue
        path = paths[i]
        if inside is not None and path[: len(inside)] == inside:
            continue
        if names(headings[i]) and not _within_practice(paths[0], path, names):
            cuts.append(i)
            inside = path
        elif inside is not None:
            cuts.append(i)
            inside = None
    return cuts


def _within_practice(first: tuple[str, ...], path: tuple[str, ...], names: Names) -> bool:
    """Whether the heading lies inside a practice section the chunk's first heading already belongs to."""
    shared = [h for h, own in zip(path[1:-1], first[1:], strict=False) if h == own]
    return any(names(heading) for heading in shared)


def _part(row: OutlineRow, paths: Paths, lines: Lines, start: int, end: int, *, first: bool) -> OutlineRow:
    begin = lines[start][1] if not first else 0
    stop = lines[end][1] if end in lines else len(row.text)
    text = row.text[begin:stop].rstrip()
    sections = row.sections[start:end]
    if first:
        return replace(row, text=text, sections=sections)
    path = paths[start]
    body = text.split("\n", 1)[1] if "\n" in text else ""
    purpose = classify_section(path, body, row.doc_path)
    anchor = str(sections[0].get("anchor", ""))
    return replace(row, heading_path=list(path), anchor=anchor, purpose=purpose, text=text, sections=sections)


def _plain(heading: str) -> str:
    return re.sub(r"[*_`\s]+", " ", heading).strip()
