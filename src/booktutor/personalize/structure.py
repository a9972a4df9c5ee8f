"""What a section teaches in tables and numbered steps, said in a line (for "Key ideas" and the hardware box).

A section taught in a table or a procedure has few sentences to quote; its table's columns and rows, or its
steps, are what it teaches: "a table of Purpose and Example for Microcontroller, Motor Driver, …",
"In order: Wire the button; Enable the pull-up; Count the presses."
"""

from __future__ import annotations

import re

from booktutor.personalize.jargon import plain

MAX_ROWS = 4
MAX_STEPS = 4
MAX_STEP_WORDS = 10
MAX_CELL_WORDS = 6
_DELIMITER_ROW = re.compile(r"\|?[\s:|-]+\|?")
_STEP = re.compile(r"^\s{0,3}\d+[.)]\s+(?P<text>\S.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s")
_LABEL = re.compile(r"^(?:\*\*|__)(?P<label>[^*_\n]{2,60}?)[:.]?(?:\*\*|__)\s*[:.—–-]?\s*")


def tables(lines: list[str]) -> list[tuple[list[str], list[list[str]]]]:
    """(header cells, body rows) of each pipe table among the lines, cells as written."""
    found, current = [], []
    for line in [*lines, ""]:
        if line.strip().startswith("|"):
            current.append(line.strip())
            continue
        if len(current) >= 3 and _DELIMITER_ROW.fullmatch(current[1]):
            cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in [current[0], *current[2:]]]
            found.append((cells[0], cells[1:]))
        current = []
    return found


def table_lead(lines: list[str]) -> str | None:
    """ "A table of Purpose and Example for Microcontroller, Motor Driver, …": the first table's columns
    after the first, and the first cells of its rows (the things it describes), when they are short names."""
    found = tables(lines)
    if not found:
        return None
    header, rows = found[0]
    columns = [_prose(cell) for cell in header if _prose(cell)]
    names = [_prose(row[0]) for row in rows if row and _prose(row[0])]
    unnamed = all(re.fullmatch(r"[\d\s.,:–-]+", name) for name in names)  # rows numbered, not named
    if len(columns) < 2 or not names or unnamed or any(len(name.split()) > MAX_CELL_WORDS for name in names):
        return f"A table of {_join(columns)}." if len(columns) >= 2 else None
    listed = ", ".join(names[:MAX_ROWS]) + (", …" if len(names) > MAX_ROWS else ".")
    return f"A table of {_join(columns[1:])} for {listed}"


def steps_lead(lines: list[str]) -> str | None:
    """ "In order: Connect the button; Enable the pull-up; … (6 in all)": the first numbered list of two items
    or more (steps, stages, parts of a course: a numbered list only says its items come in order)."""
    steps = _first_numbered_list(lines)
    if len(steps) < 2:
        return None
    shown = "; ".join(_step(text) for text in steps[:MAX_STEPS])
    if len(steps) > MAX_STEPS:
        return f"In order: {shown}; … ({len(steps)} in all)"
    return f"In order: {shown}" + ("" if shown.endswith("…") else ".")


def _first_numbered_list(lines: list[str]) -> list[str]:
    steps: list[str] = []
    for line in lines:
        match = _STEP.match(line)
        if match:
            steps.append(match.group("text"))
        elif steps and line.strip() and not line[:1].isspace() and not _BULLET.match(line):
            break  # the list ended (indented lines and sub-bullets belong to a step)
    return steps


def _step(text: str) -> str:
    """A step's label ("**Build**: …" → "Build") or its first clause, in a few words."""
    label = _LABEL.match(text)
    if label:
        return _prose(label.group("label"))
    first = re.split(r"(?<=[.!?:;])\s", _prose(text), maxsplit=1)[0].rstrip(".:;")
    words = first.split()
    return " ".join(words[:MAX_STEP_WORDS]) + (" …" if len(words) > MAX_STEP_WORDS else "")


def _prose(cell: str) -> str:
    """A cell or step as plain words, or as the code span it is; `<` and braces escaped (MDX would read them as
    JSX)."""
    if re.fullmatch(r"`[^`]+`", cell.strip()):
        return cell.strip()
    return re.sub(r"([<>{}])", r"\\\1", plain(cell)).strip()


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
