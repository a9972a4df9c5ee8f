"""A quiz whose answers are on a page of their own ("Self-check" and "Self-check answers", "Quiz 1" and "Quiz 1
solutions"): which page holds a quiz page's answers, and those answers by question number.

The answers page of a quiz page is the answer-key page it links to; else the nearest answer-key page of its
folder whose name is part of the quiz's ("Self-check answers" for "Self-check: Units 1 and 2"), the one after
it first; a page named only "Answers" or "Solutions" answers the quiz page right before it. Its answers are its
numbered lines ("1. **C** — why", "4. UDP, because ...", "**Q6.** It disconnects ..."), inside a fold or not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Protocol

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.knowledge_checks import plain, readable
from booktutor.markdown.mdx import clean_markdown
from booktutor.tutoring.quiz_pages import ANSWER_KEY_HEADING, KEY_ONLY, is_quiz_page, key_line

_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)")
_NAME_WORD = re.compile(r"\w+")
_KEY_WORDS = frozenset({"answer", "answers", "key", "keys", "solution", "solutions", "sheet", "to", "the", "for", "of"})
_NUMBERED = re.compile(
    r"^(?:#{2,6}\s+)?(?:\*\*)?(?:Q(?:uestion)?\s*)?(?P<number>\d{1,3})"
    r"(?:\s*[.):]\s*(?:\*\*(?=\s|$))?\s*(?P<text>.*)|\s*(?:\*\*)?\s*)$",
    re.IGNORECASE,
)
_DASHED = re.compile(r"^\*\*(?P<answer>[^*]+)\*\*\s*[—–]\s*(?P<why>.+)$")
"""A text answer in bold, then a dash and why ("**QoS 1** — the lower of the two")."""


class Page(Protocol):
    @property
    def source_path(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def markdown(self) -> str: ...


def is_answer_page(page: Page) -> bool:
    """A page titled (or headed) as an answer key: "Self-check answers", "Solutions to the exercises"."""
    first = next((m.group(1) for line in page.markdown.split("\n") if (m := _HEADING.match(line))), "")
    return bool(ANSWER_KEY_HEADING.match(plain(page.title)) or ANSWER_KEY_HEADING.match(plain(first)))


def answers_page(pages: Sequence[Page], index: int) -> Page | None:
    """The page holding the answers of the quiz page `pages[index]` (pages in sidebar order), if any."""
    quiz = pages[index]
    keys = [(i, p) for i, p in enumerate(pages) if i != index and is_answer_page(p)]
    linked = _link_stems(quiz.markdown)
    if found := next((p for _, p in keys if PurePosixPath(p.source_path).stem in linked), None):
        return found
    folder = PurePosixPath(quiz.source_path).parent
    near = [(i, p) for i, p in keys if PurePosixPath(p.source_path).parent == folder]
    quiz_words = _name_words(quiz.title) | _name_words(PurePosixPath(quiz.source_path).stem)
    named = [(i, p) for i, p in near if (words := _name_words(p.title)) and words <= quiz_words]
    if named:
        return min(named, key=lambda item: (item[0] < index, abs(item[0] - index)))[1]
    after = next((p for i, p in near if i > index and not _name_words(p.title)), None)
    return after if after is not None and _quiz_right_before(pages, pages.index(after)) == index else None


def answer_key(markdown: str) -> dict[int, tuple[str, str]]:
    """An answers page's answers by question number: (answer, why); a lettered or true/false answer as its letter
    or word, a text answer whole (a bold answer before a dash without the why)."""
    key: dict[int, tuple[str, str]] = {}
    lines = [line for line, fenced in iter_fence_flags(clean_markdown(markdown).split("\n")) if not fenced]
    for index, line in enumerate(lines):
        numbered = _NUMBERED.match(line)
        if numbered is None or line.startswith((" ", "\t")) or int(numbered.group("number")) in key:
            continue
        own = (numbered.group("text") or "").strip()
        text = " ".join([own, *_continued(lines, index + 1, own_text=bool(own))]).strip()
        keyed = key_line(line) if KEY_ONLY.match(plain(text)) else None
        if answer := (keyed[1], keyed[2]) if keyed else _text_answer(text):
            key[int(numbered.group("number"))] = answer[0], _sentence(answer[1])
    return key


def _text_answer(text: str) -> tuple[str, str] | None:
    dashed = _DASHED.match(text)
    if dashed:
        return plain(dashed.group("answer")), readable(dashed.group("why"))  # the why as the book writes it
    return (plain(text), "") if plain(text) else None


def _sentence(why: str) -> str:
    """The why as said after "Correct.": "the lower of the two." -> "The lower of the two." (a code word kept)."""
    return why[:1].upper() + why[1:] if re.match(r"[a-z]+\b(?![_(.])", why) else why


def _continued(lines: list[str], start: int, *, own_text: bool) -> list[str]:
    """The lines an answer goes on with, up to a blank line, a heading or the next numbered line; after a
    numbered line or heading with no text of its own, its next paragraph."""
    kept: list[str] = []
    for line in lines[start:]:
        if (_NUMBERED.match(line) and not line.startswith((" ", "\t"))) or _HEADING.match(line):
            break
        if not line.strip():
            if kept or own_text:
                break
            continue
        kept.append(line.strip())
    return kept


def _link_stems(markdown: str) -> set[str]:
    return {PurePosixPath(target.split("#")[0].rstrip("/")).stem for target in _LINK_TARGET.findall(markdown)} - {""}


def _name_words(name: str) -> frozenset[str]:
    return frozenset(_NAME_WORD.findall(plain(name).lower().replace("-", " "))) - _KEY_WORDS


def _quiz_right_before(pages: Sequence[Page], index: int) -> int:
    """The index of the quiz page nearest before `index` in its folder, or -1."""
    folder = PurePosixPath(pages[index].source_path).parent
    for i in range(index - 1, -1, -1):
        page = pages[i]
        if PurePosixPath(page.source_path).parent == folder and is_quiz_page(page.title, page.markdown):
            return -1 if is_answer_page(page) else i
    return -1
