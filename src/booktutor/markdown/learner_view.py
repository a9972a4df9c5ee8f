"""What a learner reads of a chapter: authors' quizzes and their answers removed, MDX made plain.

Quizzes reach learners only through the tutor (which imports them), so every view of a chapter
that is meant to be read (personalized, translated, the demo site) drops:
- ```quiz fences;
- sections whose heading names a quiz, a self-check, review questions or an answer key (the
  section and its sub-sections; a quiz page keeps only its title and a pointer to the tutor);
- knowledge checks without such a heading, the same way (markdown.knowledge_checks): a container or a label
  line naming one, and a question whose key is marked on an option ("✓", "(correct)") or follows it in an
  answer box or fold;
- `<details>` blocks whose summary reveals an answer or a solution, admonitions titled so
  (`:::tip Answer`), and "Answer:" lines.

`learner_markdown` also removes MDX imports/exports and JSX tags (their text kept) while
keeping admonitions, so nothing of the source's machinery shows as text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from booktutor.markdown.fences import QUIZ_LANGUAGE, iter_fence_flags
from booktutor.markdown.knowledge_checks import (
    admonition_end,
    alone_line,
    answer_title,
    keyed_question_end,
    label_text,
    quiz_container_end,
    reveals_answer,
)
from booktutor.markdown.mdx import clean_markdown, dedent_jsx_content
from booktutor.markdown.widgets import drop_widgets

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_MARKUP = re.compile(r"[*_`]|\{#[^}]*\}|\[|\]\([^)]*\)")
QUIZ_TITLE = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:chapter\s+|module\s+|section\s+|unit\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:quiz(?:zes)?|self[- ]?(?:check|assessment|test|quiz)|check\s+your\s+(?:understanding|knowledge)"
    r"|knowledge\s+check|review\s+questions|test\s+your\s+(?:knowledge|understanding)|practice\s+questions"
    r"|assessment(?:\s+questions)?|answer\s+key|answers(?:\s+to\s+.*)?|quiz\s+answers|comprehension\s+questions"
    r"|questions(?:\s+for\s+review)?|کوئز|سوالات|جوابات)\s*[:!?]?\s*(?:\(.*\))?$",
    re.IGNORECASE,
)
_FENCE_LANGUAGE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w-]*)")
_DETAILS_OPEN_ANY = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_ANSWER_LINE = re.compile(
    r"^\s*(?:[-*>]\s*)?(?:\*\*|__)?\s*(?:correct\s+)?answer\s*(?:key)?\s*:?\s*(?:\*\*|__)?\s*:?\s*\S", re.IGNORECASE
)
QUIZ_PAGE_NOTE = (
    ":::note[Quiz]\nThe questions on this page are asked in quizzes: ask the tutor to quiz you on this module.\n:::"
)


def heading_title(line: str) -> tuple[int, str] | None:
    """(level, plain text) of an ATX heading line, else None."""
    match = _HEADING.match(line)
    if not match:
        return None
    return len(match.group(1)), _MARKUP.sub("", match.group(2)).strip()


def is_quiz_title(title: str) -> bool:
    return bool(QUIZ_TITLE.match(title.strip()))


def strip_quizzes(body: str) -> str:
    """The chapter without authored quiz blocks, quiz sections, answer reveals and answer lines."""
    lines = body.split("\n")
    flags = [fenced for _, fenced in iter_fence_flags(lines)]
    kept: list[str] = []
    skip_level: int | None = None  # inside a quiz section of this heading level
    quiz_fence = hidden_details = 0
    checks = _knowledge_check_lines(lines, flags)
    for index, line in enumerate(lines):
        fenced = flags[index]
        if index in checks:
            continue
        heading = None if fenced else heading_title(line)
        if heading and skip_level is not None and heading[0] <= skip_level:
            skip_level = None
        if heading and skip_level is None and is_quiz_title(heading[1]):
            skip_level = heading[0]
            if heading[0] == 1:
                kept += [line, "", QUIZ_PAGE_NOTE, ""]
            continue
        if skip_level is not None:
            continue
        if fenced:
            opening = index == 0 or not flags[index - 1]
            if opening:
                quiz_fence = _fence_language(line) == QUIZ_LANGUAGE
            if not quiz_fence and not hidden_details:  # a solution's code is part of the solution
                kept.append(line)
            continue
        if hidden_details or reveals_answer(lines, index):
            hidden_details += len(_DETAILS_OPEN_ANY.findall(line)) - len(_DETAILS_CLOSE.findall(line))
            hidden_details = max(hidden_details, 0)
            continue
        if not _ANSWER_LINE.match(line):
            kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept))


def _knowledge_check_lines(lines: list[str], flags: list[bool]) -> set[int]:
    """The lines of knowledge checks without a quiz heading and of answer boxes (markdown.knowledge_checks)."""
    hidden: set[int] = set()
    index = 0
    while index < len(lines):
        end = 0 if flags[index] else _check_end(lines, flags, index)
        hidden.update(range(index, end))
        index = max(end, index + 1)
    return hidden


def _check_end(lines: list[str], flags: list[bool], index: int) -> int:
    if answer_title(lines[index]):
        return admonition_end(lines, index)
    if is_quiz_title(label_text(lines[index], alone_line(lines, index)) or "-"):
        return next((i for i in range(index + 1, len(lines)) if not flags[i] and heading_title(lines[i])), len(lines))
    return quiz_container_end(lines, index) or keyed_question_end(lines, index)


def _fence_language(line: str) -> str:
    match = _FENCE_LANGUAGE.match(line)
    return match.group(2).lower() if match else ""


@lru_cache(maxsize=256)  # a pure function of the page; chapter GETs ask for the same pages again and again
def learner_markdown(body: str) -> str:
    """The chapter as a learner reads it: no quizzes or answers, no MDX imports, JSX tags or widgets."""
    return clean_markdown(dedent_jsx_content(drop_widgets(strip_quizzes(body))), keep_admonitions=True)
