"""A practice section's steps: its sub-sections' headings, or, read from its text, the items of the list under a
"Steps"-like sub-heading ("Steps", "Procedure", "Instructions", "Tasks", "What to do"), numbered or bulleted, or
of a numbered list in a lab's own text. A learner asking for "step 3" means the third item the book numbers (or
its "Step 3: ..." sub-section), not a sub-section's heading such as "Steps".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from booktutor.ingest.purpose import DEFINITION, LAB, NAVIGATION, OBJECTIVES, SUMMARY, classify_section
from booktutor.markdown.fences import iter_fence_flags
from booktutor.memory.book_records import OutlineRow
from booktutor.tools.answer_keys import keyless
from booktutor.tutoring.quiz_pages import ANSWER_KEY_HEADING

_STEPS_HEADING = re.compile(
    r"^(?:(?:the|your|lab|exercise|activity|step[- ]by[- ]step)\s+)*"
    r"(?:steps?|procedures?|instructions?|tasks?|directions|method|what\s+to\s+do)(?:\s+to\s+follow)?$",
    re.I,
)
_HEADING_LINE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
_NOT_STEPS = frozenset({NAVIGATION, SUMMARY, OBJECTIVES, DEFINITION})
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
MAX_STEP_CHARS = 800
_NUMBERED = re.compile(r"^\W*(?:step|task|part|stage)\s*\d+\b", re.I)
_ITEM = re.compile(r"^ ?(?:(?P<number>\d{1,3})[.)]|[-*+])\s+(?P<text>\S.*)$")


def is_steps_heading(heading: str) -> bool:
    """Whether a sub-section's heading says it holds the section's steps ("Steps", "Procedure", "Your tasks")."""
    return bool(_STEPS_HEADING.match(_plain(heading).rstrip(":").strip()))


def row_steps(row: OutlineRow, root: tuple[str, ...], purpose: str) -> list[str]:
    """The steps a chunk of the practice section at `root` lists (a lab's own numbered list too), without answer
    keys; none from a sub-section's own sub-sections."""
    path = tuple(row.heading_path)
    if len(path) > len(root) + 1:
        return []
    text = keyless(row.text, path, row.doc_path, purpose)
    return listed_steps(text, path[-1], own=path == root and purpose == LAB)


def listed_steps(text: str, under: str, *, own: bool) -> list[str]:
    """The steps the text lists: the items (top-level, wrapped lines joined) of the list under a steps-like
    heading; when `own` (the text is the section's own, opening `under` its heading), also of a numbered list
    before any sub-heading. `under` is the heading the text sits under before its first heading line."""
    current, opening = under, True
    steps: list[str] = []
    going = False
    for line, fenced in iter_fence_flags(text.split("\n")):
        heading = None if fenced else _HEADING.match(line)
        if heading:
            opening = opening and _plain(heading[2]) == _plain(under)
            current, going = heading[2], False
            continue
        item = None if fenced else _ITEM.match(line)
        if item and (is_steps_heading(current) or (own and opening and item["number"])):
            steps.append(_plain(item["text"]))
            going = True
        elif going and line.strip() and not fenced and not line.lstrip().startswith(("-", "*", "+", ">", "|")):
            steps[-1] = f"{steps[-1]} {_plain(line)}"
        else:
            going = going and bool(line.strip()) and not fenced
    return steps


def numbered_headings(row: OutlineRow, root: tuple[str, ...]) -> list[str]:
    """The chunk's headings below the practice section at `root`, at any depth, that number a step ("Step 2:
    Fit the gains", "Task 1")."""
    headings = [*row.heading_path[len(root) :], *(str(s.get("heading", "")) for s in row.sections)]
    return [h for h in dict.fromkeys(headings) if _NUMBERED.match(_plain(h))]


def step_texts(row: OutlineRow, root: tuple[str, ...], purpose: str) -> dict[str, str]:
    """What the chunk says under each of its headings below `root` that number a step, up to its next heading,
    without answer keys: a "Step 3: Path Planning" sub-section's own words."""
    if len(row.heading_path) <= len(root):
        return {}
    texts: dict[str, list[str]] = {}
    current = row.heading_path[-1]
    for line, fenced in iter_fence_flags(keyless(row.text, row.heading_path, row.doc_path, purpose).split("\n")):
        if heading := None if fenced else _HEADING.match(line):
            current = heading[2]
        elif _NUMBERED.match(_plain(current)):
            texts.setdefault(_plain(current), []).append(line)
    return {heading: "\n".join(lines).strip()[:MAX_STEP_CHARS] for heading, lines in texts.items()}


def numbered_steps(numbered: list[str], texts: dict[str, str]) -> tuple[list[str], list[str]]:
    """The steps "step 3" counts, and what each says under its heading in `step_texts`' answer ("" for a list's
    item)."""
    return list(numbered), [texts.get(_plain(step), "") for step in numbered]


def work_steps(steps: Sequence[str]) -> list[str]:
    """The section's steps without its answer key ("Answer Key", "Solutions"): a key is not part of the work, and
    its heading listed as a step points the learner at the answers."""
    return [step for step in steps if not ANSWER_KEY_HEADING.match(_plain(step))]


def same_step(text: str, step: str) -> bool:
    """Whether a question read from the section's text is one of its listed steps (a lab's numbered list)."""
    return _plain(text).lower() == _plain(step).lower()


def _plain(text: str) -> str:
    return " ".join(re.sub(r"\*\*|__|`", "", text).split())


def heading_steps(row: OutlineRow, root: tuple[str, ...]) -> list[str]:
    """The chunk's sub-section headings that are steps of the practice section at `root` (`_sub_headings`): part
    of the work, not the section's summary, objectives, further reading or a defined term."""
    return [h for h in _sub_headings(row, root) if h and classify_section(("", h), "") not in _NOT_STEPS]


def _sub_headings(row: OutlineRow, root: tuple[str, ...]) -> list[str]:
    """The headings of the chunk that are steps of the practice section at `root`: the sub-sections its own
    chunk joins, or a sub-section's heading with the sibling sub-sections its chunk joins; never a sub-section's
    own sub-sections (their depth read from the chunk's heading lines, when its text shows them)."""
    headings = [str(s.get("heading", "")) for s in row.sections]
    depth = len(row.heading_path) - len(root)
    if depth > 1 or not headings:
        return []
    levels = {_heading_plain(m[2]): len(m[1]) for m in _HEADING_LINE.finditer(row.text)}
    first = levels.get(_heading_plain(headings[0]))
    step_level = None if first is None else first + (1 if depth == 0 else 0)
    steps = headings[1:] if depth == 0 else headings
    return [h for h in steps if step_level is None or levels.get(_heading_plain(h), step_level) == step_level]


def _heading_plain(heading: str) -> str:
    return re.sub(r"[*_`\s]+", " ", heading).strip()
