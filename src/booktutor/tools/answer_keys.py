"""Book text as the tools give it to any model or answerer: the questions, options and prompts of the book's
practice, never their answer keys or worked solutions (the chat quiz grades them: extractive.practice_keys).

Hidden anywhere: a checked option's mark (`- [x]`, a trailing ✓ on any list item) and an "Answer:" line's
answer. Hidden in practice (a quiz, exercise or lab section by its heading, its page or its purpose, or from a
label line such as "**Knowledge check**" to the next heading) and after a numbered question that asks ("...?"):
a revealed answer (a `<details>` fold whose summary names an answer or solution, which reaches chunk text as
its summary's line and its body, or an admonition so titled, which reaches it as a bold lead-in such as
"**Tip: Answer**" and its body), a "Solution:" or "Explanation:" line, and an answer key's section.
Each omission leaves `ANSWER_HIDDEN` in its place; every other explanation is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from booktutor.extractive.practice_keys import ANSWER_HIDDEN
from booktutor.ingest.purpose import PRACTICE, is_practice_page, practice_heading
from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.knowledge_checks import REVEALS
from booktutor.markdown.learner_view import heading_title, is_quiz_title
from booktutor.tutoring.quiz_pages import (
    ANSWER_KEY_HEADING,
    ANSWER_LINE,
    BULLET_LINE,
    CHECKBOX_LINE,
    CORRECT_MARK,
    EXPLANATION_LINE,
    LABEL_LEVEL,
    OPTION_LINE,
    QUESTION_LINE,
    alone_line,
    label_name,
)

_ANY_ANSWER = re.compile(
    r"^(?P<label>\s*(?:[-*>]\s+)?(?:\*\*|_)?(?:correct answer|answers?|answer key|model answer|sample answer|"
    r"expected answer)(?:\*\*|_)?\s*[:：]\s*(?:\*\*|_)?)\s*\S",
    re.I,
)
"""An answer line anywhere: its label kept, its answer hidden."""
_CHECKED = re.compile(r"\[[xX]\]")
CACHED_TEXTS = 4096
"""The same sections come back search after search (~0.05 ms each to read line by line; 6 per search)."""
MAX_LABEL_WORDS = 6
"""A revealed answer's summary ("Show the model answer") is a short line of its own."""


def keyless(text: str, heading_path: Sequence[str] = (), doc_path: str = "", purpose: str = "") -> str:
    """The text of a section (its heading path, page and purpose, when known) without answer keys."""
    return _keyless(text, tuple(heading_path), doc_path, purpose)


@lru_cache(maxsize=CACHED_TEXTS)
def _keyless(text: str, heading_path: tuple[str, ...], doc_path: str, purpose: str) -> str:
    practice = purpose in PRACTICE or is_practice_page(doc_path) or any(map(_names_practice, heading_path))
    key = practice and any(ANSWER_KEY_HEADING.match(heading) for heading in heading_path)
    lines = text.split("\n")
    state = _State(practice=practice, key=key)
    kept: list[str] = []
    for index, (line, fenced) in enumerate(iter_fence_flags(lines)):
        shown = line if fenced else state.line(line, lines, index)
        if shown is not None and (fenced or shown.strip() or not kept or kept[-1].strip()):
            kept.append(shown)  # one blank line where a hidden answer's paragraphs were
    return "\n".join(kept)


@dataclass
class _State:
    practice: bool
    key: bool
    region: int = 0
    """The level of the heading that opened the practice region (0: the text's own section)."""
    key_level: int = 0
    hiding: bool = False
    """Inside a revealed answer's body."""
    listed: bool = False
    """The revealed answer being hidden has numbered lines of its own (worked steps)."""
    last_question: int = 0
    asked: bool = False
    """The last numbered line asked a question: a revealed answer after it is its key, in practice or not."""

    def line(self, line: str, lines: list[str], index: int) -> str | None:
        if heading := heading_title(line):
            return self._heading(line, *heading, own=index == 0)
        if not line.strip():
            return line
        if self.key:
            return None if self._said_hidden() else ANSWER_HIDDEN
        question = QUESTION_LINE.match(line)
        if self.hiding and not self._ends_hiding(line, question):
            self.listed = self.listed or bool(question)
            return None
        self.hiding = False
        if question and not line.startswith((" ", "\t")):
            self.last_question = int(question.group("number"))
            self.asked = question.group("text").rstrip("*_ ").endswith("?")
        elif label := label_name(line, alone_line(lines, index)):
            return self._heading(line, LABEL_LEVEL, label, own=False)
        return self._shown(line, lines, index)

    def _heading(self, line: str, level: int, title: str, *, own: bool) -> str:
        """A heading opens a practice region (or an answer key's) when it names one, and closes one at its level;
        the text's own heading keeps what its section is."""
        self.hiding = self.asked = False
        if self.key and level <= self.key_level:
            self.key = False
        if _names_practice(title) or QUESTION_LINE.match(line) or (own and self.practice):
            self.practice, self.region = True, self.region or level
        elif self.practice and not self.key and (self.region == 0 or level <= self.region):
            self.practice, self.region = False, 0
        if self.practice and ANSWER_KEY_HEADING.match(title):
            self.key, self.key_level = True, level
        return line

    def _said_hidden(self) -> bool:
        said, self.hiding = self.hiding, True
        return said

    def _ends_hiding(self, line: str, question: re.Match[str] | None) -> bool:
        """A revealed answer ends at the next question (numbered after the last one, unless the answer numbers
        its own steps) or at the next exercise's label ("**Exercise 2.**")."""
        if not question or line.startswith((" ", "\t")):
            return False
        return line.lstrip().startswith("**") or (
            not self.listed and int(question.group("number")) == self.last_question + 1
        )

    def _shown(self, line: str, lines: list[str], index: int) -> str:
        if CHECKBOX_LINE.match(line) or OPTION_LINE.match(line) or BULLET_LINE.match(line):
            return CORRECT_MARK.sub("", _CHECKED.sub("[ ]", line, count=1))
        if answer := _ANY_ANSWER.match(line):
            return f"{answer.group('label').rstrip()} {ANSWER_HIDDEN}"
        asking = self.practice or self.asked
        if asking and (answer := ANSWER_LINE.match(line) or EXPLANATION_LINE.match(line)):
            return f"{line[: answer.start('text')].rstrip()} {ANSWER_HIDDEN}"
        if asking and _reveal_label(lines, index):
            self.hiding, self.listed = True, False
            return ANSWER_HIDDEN
        return line


def _names_practice(heading: str) -> bool:
    return bool(practice_heading(heading) or is_quiz_title(heading))


def _reveal_label(lines: list[str], index: int) -> bool:
    """A short line opening a paragraph and naming an answer or solution ("Solution", "Show answer", "Answer:"):
    what is left of a `<details>` fold's summary or of an admonition's title ("**Tip: Answer**", `:::tip Answer`),
    or a label before the answer's paragraphs. A numbered line is one only as a paragraph of its own."""
    line = lines[index].strip().strip("*_").strip()
    opens = index == 0 or not lines[index - 1].strip()
    alone = index + 1 == len(lines) or not lines[index + 1].strip()
    words = line.rstrip(":：").split()
    short = 0 < len(words) <= MAX_LABEL_WORDS and not line.endswith((".", "?")) and line != ANSWER_HIDDEN
    leads = alone or not QUESTION_LINE.match(lines[index])
    return opens and leads and short and bool(REVEALS.search(line))
