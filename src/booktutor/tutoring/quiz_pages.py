"""Questions a book already has in plain Markdown/MDX: quiz and assessment pages and sections.

Where (any mix): a quiz page; a section whose heading names a quiz; a container named as one
(`<div className="knowledge-check">`, `<Quiz>`) or a short label line ("**Knowledge check**", "Test
yourself:"), each up to the next heading; elsewhere on a page, a multiple-choice question that gives its own
answer (lettered options, or a "?" prompt, with a marked option or an answer line).
Shapes read: numbered questions (`1.`, `1)`, `**1.**`, `### Question 1`, `**Q1:**`, `Q1.`), and in a quiz
a heading or bold line that asks ("### Which ...?"); options `A)`, `(a)`, `a.`, `- **A)**`, checkboxes
`- [ ]` / `- [x]` (checked = correct), or plain bullets when one is marked; a trailing ✓/✔/✅ or "(correct)"
on the correct option; an "Answer:" / "Correct answer:" / "Model answer:" line; an answer inside
`<details>`; an answer key at the end ("1. B", "1) b — why", "| 1 | B |", "**Answers:** 1-B, 2-C"); true/false
questions; short questions with a model answer; the code a question shows. Questions without a recoverable
answer are skipped (they cannot be graded)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.knowledge_checks import (
    BULLET_LINE,
    CHECKBOX_LINE,
    CONTAINER,
    CORRECT_MARK,
    HINT,
    OPTION_LINE,
    QUESTION_LINE,
    REVEALS,
    admonition_end,
    alone_line,
    answer_title,
    label_text,
    names_quiz,
    plain,
    readable,
)
from booktutor.markdown.mdx import clean_markdown

__all__ = [  # the shapes tools.answer_keys reads through this module
    "BULLET_LINE",
    "CHECKBOX_LINE",
    "CORRECT_MARK",
    "OPTION_LINE",
    "QUESTION_LINE",
    "alone_line",
]

QUIZ_HEADING = re.compile(
    r"^(?:chapter\s+|module\s+|section\s+)?(?:\d+[.:]?\s*)?"
    r"(quiz(zes)?|assessments?|self[- ]?(check|assessment|test)|review questions|practice questions|"
    r"check your understanding|test your (knowledge|understanding)|knowledge check|questions|exercises?)\b",
    re.IGNORECASE,
)
ANSWER_KEY_HEADING = re.compile(
    r"^(answer key|answers|solutions|answer sheet)\b|"
    r"\b(?:quiz(?:zes)?|self[- ]?checks?|checks?|exercises?|review|practice|tests?|assessments?|labs?|homework|"
    r"problems?|worksheets?|questions?|activit(?:y|ies))"
    r"(?:\s+(?!and\b|&)[\w-]+){0,2}?[\s:—–-]+(answers|answer key|solutions|answer sheet)\s*$",
    re.IGNORECASE,
)
"""An answer key's title: "Answers", "Solutions to the exercises", "Self-check answers", "Quiz 1 solutions" (not
"Questions and answers", "Common issues and solutions")."""
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ANSWER_LINE = re.compile(
    r"^\s*(?:[-*>]\s+)?(?:\*\*|_)?(?:correct answer|answer|model answer|sample answer|solution|expected answer)"
    r"(?:\*\*|_)?\s*[:：]\s*(?:\*\*|_)?\s*(?P<text>.+?)\s*(?:\*\*|_)?\s*$",
    re.IGNORECASE,
)
EXPLANATION_LINE = re.compile(r"^\s*(?:\*\*|_)?(?:explanation|why)(?:\*\*|_)?\s*[:：]\s*(?P<text>.+)$", re.IGNORECASE)
_KEY_LINE = re.compile(
    r"^\s*(?:[-*]\s+)?(?:\*\*)?(?:Q(?:uestion)?\s*)?(?P<number>\d{1,3})(?:\*\*)?\s*[.):\-–—]?\s*(?:\*\*)?"
    r"(?P<answer>[A-Fa-f]|true|false)\b(?:\*\*)?[).]?\s*(?:[:\-–—]\s*)?(?P<rest>.*)$",
    re.IGNORECASE,
)
_KEY_ROW = re.compile(r"^\|\s*(?P<number>\d{1,3})\s*\|\s*(?P<answer>[A-Fa-f]|true|false)\s*\|(?P<rest>.*)$", re.I)
_DETAILS = re.compile(r"<details\b[^>]*>(?P<body>.*?)</details\s*>", re.DOTALL | re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(?P<text>.*?)</summary>", re.DOTALL | re.IGNORECASE)
_FOLD_MARK = "§DETAILS§"
"""A fold's body after a question: its answer in a quiz."""
_ANSWER_MARK = "§ANSWER§"
"""A fold or a box titled as an answer ("Answer", "Show solution"): the answer of the question above, anywhere."""
_BOLD_QUESTION = re.compile(r"^\s*(?:\*\*|__)[^*_]+\?\s*(?:\*\*|__)\s*$")
QUESTION_HEADING = re.compile(r"^#{2,6}\s+(?:Q|Question)\b", re.I)
_CONTAINER_MARK = "§QUIZ§"
LABEL_LEVEL = 7
"""A region a label or a container opened: it ends at the next heading of any level."""
_INLINE_KEY = re.compile(r"^\s*(?:[-*>]\s+)?(?:\*\*|_)?(?:answers?|answer key|key)(?:\*\*|_)?\s*[:：]", re.I)
_KEY_PAIR = re.compile(r"\b(\d{1,3})\s*[-–—.):=]\s*\(?([A-Fa-f]|true|false)\b", re.I)
_TRUE_FALSE = re.compile(r"^(true or false|true/false|t/f)\s*[:?.-]?\s*", re.IGNORECASE)


@dataclass(slots=True)
class PageQuestion:
    number: int
    prompt: str
    choices: list[str] = field(default_factory=list)
    correct: list[int] = field(default_factory=list)  # from checked boxes
    answer: str = ""  # the answer line or <details> text
    explanation: str = ""
    heading: str = ""  # the quiz section's heading
    lettered: bool = False  # its options are lettered ("A)", "(b)")
    in_quiz: bool = True  # asked in a quiz region, not elsewhere on a content page
    bullets: list[str] = field(default_factory=list)  # unlettered items after it: options if one is marked
    code: list[str] = field(default_factory=list)  # the fenced code it shows, fences included
    revealed: bool = False  # its answer follows it in a fold or a box titled as an answer

    @property
    def shown_prompt(self) -> str:
        """The prompt as the learner is asked it: with the code it shows."""
        return "\n\n".join([self.prompt, "\n".join(self.code)]) if self.code else self.prompt

    def offer(self, text: str, *, checked: bool = False, lettered: bool = False) -> None:
        """An option; a checked box or a trailing mark ("✓", "(correct)") says it is the correct one."""
        if checked or CORRECT_MARK.search(text):
            self.correct.append(len(self.choices))
        self.choices.append(plain(CORRECT_MARK.sub("", text)))
        self.lettered = self.lettered or lettered

    def settle(self) -> None:
        """Its unlettered items are its options when exactly one is marked, else part of its prompt."""
        if not self.choices and len(self.bullets) >= 2 and sum(map(bool, map(CORRECT_MARK.search, self.bullets))) == 1:
            for text in self.bullets:
                self.offer(text)
        elif self.bullets and not self.choices:
            self.prompt = " ".join([self.prompt, *map(plain, self.bullets)]).strip()
        self.bullets = []

    def self_evident(self) -> bool:
        """A question outside a quiz region that gives its answer: a multiple-choice one with a marked option or an
        answer line naming one of its lettered options, or one that asks and is answered in a fold or a box
        titled as its answer."""
        asks = self.prompt.endswith("?")
        return (len(self.choices) >= 2 and (self.lettered or asks)) or (self.revealed and asks)

    def keyed(self) -> tuple[str, list[str], int | str] | None:
        """(kind, choices, answer) once the answer is known; None when it cannot be graded."""
        choices = self.choices or (["True", "False"] if self._true_false() else [])
        if choices:
            index = self._choice_answer(choices)
            return None if index is None else ("mcq", choices, index)
        return ("short", [], self.answer) if len(self.answer.split()) >= 1 else None

    def _true_false(self) -> bool:
        return bool(_TRUE_FALSE.match(self.prompt)) or self.answer.lower().rstrip(".") in ("true", "false")

    def _choice_answer(self, choices: list[str]) -> int | None:
        if len(self.correct) == 1:
            return self.correct[0]
        text = self.answer.strip().rstrip(".")
        letter = re.match(r"^\(?([A-Fa-f])\)?(?:[).:\s]|$)", text)
        if letter and ord(letter.group(1).lower()) - ord("a") < len(choices):
            return ord(letter.group(1).lower()) - ord("a")
        lowered = [c.lower().rstrip(".") for c in choices]
        word = first.group(0).lower() if (first := re.match(r"[\w'-]+", text)) else ""  # "False: a cable pulls"
        for candidate in (text.lower(), word):
            if candidate in lowered:
                return lowered.index(candidate)
        return None


def is_quiz_page(title: str, markdown: str) -> bool:
    first = next((m.group(2) for line in markdown.split("\n") if (m := HEADING.match(line))), "")
    return bool(QUIZ_HEADING.match(plain(title)) or QUIZ_HEADING.match(plain(first)))


def page_questions(markdown: str, title: str, key: Mapping[int, tuple[str, str]] | None = None) -> list[PageQuestion]:
    """The gradable questions of a page's quiz regions (the whole page if it is a quiz page), and elsewhere the
    multiple-choice questions whose own lines give their answer; `key`: the answers by number a page of their
    own gives (tutoring.answer_pages), for the questions the page does not answer."""
    reader = _Reader(whole=is_quiz_page(title, markdown), heading=title)
    reader.region = reader.whole
    lines = clean_markdown_keep_details(_mark_containers(markdown)).split("\n")
    for index, (line, fenced) in enumerate(iter_fence_flags(lines)):
        if fenced:
            reader.code(line)
        else:
            reader.read(line, alone=alone_line(lines, index))
    keys = {**(key or {}), **reader.key}
    for question in reader.questions:
        question.settle()
        if question.number in keys and not question.answer and not question.correct:
            question.answer, explanation = keys[question.number]
            question.explanation = question.explanation or explanation
    return [q for q in reader.questions if q.prompt and q.keyed() is not None and (q.in_quiz or q.self_evident())]


@dataclass(slots=True)
class _Reader:
    """A page read line by line: where its quiz regions and answer keys are, and the questions in them."""

    whole: bool
    heading: str
    region: bool = False
    level: int = 0
    """The level of the heading that opened the region (LABEL_LEVEL: a label or a container, any heading ends it)."""
    in_key: bool = False
    key_by_label: bool = False
    current: PageQuestion | None = None
    questions: list[PageQuestion] = field(default_factory=list)
    key: dict[int, tuple[str, str]] = field(default_factory=dict)

    def read(self, line: str, *, alone: bool) -> None:
        match = HEADING.match(line)
        numbered = QUESTION_LINE.match(line)
        if match and not (numbered and self.region and not self.in_key and QUESTION_HEADING.match(line)):
            self._heading(len(match.group(1)), plain(match.group(2)))
        elif (self.region or self.whole) and _read_inline_key(line, self.key):
            self.current = None
        elif line.strip() == _CONTAINER_MARK:
            self._open(LABEL_LEVEL, self.heading)
        elif not numbered and (label := label_name(line, alone)):
            self._label(label)
        elif self.in_key:
            self._key_line(line, numbered)
        else:
            self._question_line(line, numbered)

    def code(self, line: str) -> None:
        """A code block the question being written shows ("Complete the code: ```...```")."""
        if self.current is not None and _continues(self.current):
            self.current.code.append(line)

    def _heading(self, depth: int, name: str) -> None:
        self.current = None
        if ANSWER_KEY_HEADING.match(name) and (self.region or self.whole):
            self.in_key, self.key_by_label = True, False
        elif QUIZ_HEADING.match(name):
            self._open(depth, name)
        elif self.region and not self.in_key and depth > self.level and name.endswith("?"):
            self._ask(len(self.questions) + 1, name)  # a question of its own heading, unnumbered
        elif not self.whole and self.region and (depth <= self.level or self.level == LABEL_LEVEL):
            self.region, self.in_key = False, False

    def _open(self, level: int, name: str) -> None:
        self.region, self.in_key, self.level, self.heading, self.current = True, False, level, name, None

    def _label(self, name: str) -> None:
        if ANSWER_KEY_HEADING.match(name) and (self.region or self.whole):
            self.in_key, self.key_by_label, self.current = True, True, None
        elif QUIZ_HEADING.match(name):
            self._open(max(self.level, LABEL_LEVEL) if self.region else LABEL_LEVEL, name)

    def _key_line(self, line: str, numbered: re.Match[str] | None) -> None:
        """An answer key's line; a question after a key's label (not its heading) ends the key."""
        if not _read_key_line(line, self.key) and self.key_by_label and numbered and not line.startswith(" "):
            self.in_key = False
            self._question_line(line, numbered)

    def _question_line(self, line: str, numbered: re.Match[str] | None) -> None:
        if self.region and not numbered and _BOLD_QUESTION.match(line) and not _continues(self.current):
            self._ask(len(self.questions) + 1, plain(line))
            return
        self.current = _read_line(line, numbered, self.current, self.questions, self.heading, in_quiz=self.region)

    def _ask(self, number: int, prompt: str) -> None:
        self.current = PageQuestion(number, prompt, heading=self.heading, in_quiz=self.region)
        self.questions.append(self.current)


KEY_ONLY = re.compile(r"^(?:\(?[A-Fa-f]\)?|true|false)\s*(?:$|[).:\-\u2013\u2014])", re.IGNORECASE)
"""An answer key's line read as a numbered question ("1. B — 48 / 12", "4. False")."""


MARKS = (_FOLD_MARK, _ANSWER_MARK)


def clean_markdown_keep_details(markdown: str) -> str:
    """clean_markdown drops HTML tags and admonitions' colons but keeps their text; mark the bodies of `<details>`
    folds and of boxes titled as an answer first, each as one line."""
    return clean_markdown(_DETAILS.sub(_fold_line, _mark_answer_boxes(markdown)))


def _fold_line(fold: re.Match[str]) -> str:
    """A fold as its marked body; a hint's fold as nothing (a hint is not the answer)."""
    summary = _SUMMARY.search(fold.group("body"))
    titled = summary.group("text") if summary else ""
    if HINT.search(titled) and not REVEALS.search(titled):
        return "\n\n"
    mark = _ANSWER_MARK if REVEALS.search(titled) else _FOLD_MARK
    return f"\n\n{mark} {' '.join(_SUMMARY.sub('', fold.group('body')).split())}\n\n"


def _mark_answer_boxes(markdown: str) -> str:
    """Each admonition titled as an answer (`:::tip Answer`) as one marked line; one titled as an answer key
    whose lines are a key ("1. B", "2. C") as that key's label and lines."""
    lines, out, index = markdown.split("\n"), [], 0
    flags = [fenced for _, fenced in iter_fence_flags(lines)]
    while index < len(lines):
        title = "" if flags[index] else answer_title(lines[index])
        if not title:
            out.append(lines[index])
            index += 1
            continue
        end = admonition_end(lines, index)
        body = [line for line in lines[index + 1 : end] if line.strip() and not line.strip().startswith(":::")]
        if ANSWER_KEY_HEADING.match(title) and sum(bool(_KEY_LINE.match(line)) for line in body) >= 2:
            out += ["", f"**{title}**", "", *body, ""]
        else:
            out += ["", f"{_ANSWER_MARK} {' '.join(' '.join(body).split())}", ""]
        index = end
    return "\n".join(out)


def _read_line(
    line: str,
    numbered: re.Match[str] | None,
    current: PageQuestion | None,
    questions: list,
    heading: str,
    *,
    in_quiz: bool = True,
) -> PageQuestion | None:
    if line.startswith(MARKS):
        if current is not None:
            body = line.removeprefix(_FOLD_MARK).removeprefix(_ANSWER_MARK).strip()
            answer = ANSWER_LINE.match(body)
            current.answer = current.answer or plain(answer.group("text") if answer else body)
            current.revealed = current.revealed or line.startswith(_ANSWER_MARK)
        return current
    option = OPTION_LINE.match(line) if current is not None else None
    checkbox = CHECKBOX_LINE.match(line) if current is not None else None
    bullet = BULLET_LINE.match(line) if current is not None else None
    answer = ANSWER_LINE.match(line)
    explanation = EXPLANATION_LINE.match(line)
    if current is not None and answer:
        current.answer = plain(answer.group("text"))
    elif current is not None and explanation:
        current.explanation = plain(explanation.group("text"))
    elif current is not None and checkbox:
        current.offer(checkbox.group("text"), checked=checkbox.group("mark").lower() == "x")
    elif current is not None and option and not (numbered and not line.startswith((" ", "-", "*"))):
        current.offer(option.group("text"), lettered=True)
    elif numbered and not line.startswith((" ", "\t")):
        current = PageQuestion(
            int(numbered.group("number")), plain(numbered.group("text")), heading=heading, in_quiz=in_quiz
        )
        questions.append(current)
    elif current is not None and bullet and not current.choices and not current.answer:
        current.bullets.append(bullet.group("text"))
    elif current is not None and line.strip() and not current.choices and not current.answer:
        current.prompt = f"{current.prompt} {plain(line)}".strip()
    return current


def _read_inline_key(line: str, key: dict[int, tuple[str, str]]) -> bool:
    """An answer key on one line ("**Answers:** 1-B, 2-C, 3-True"): at least two numbered answers."""
    if not _INLINE_KEY.match(line) or len(pairs := _KEY_PAIR.findall(line)) < 2:
        return False
    key.update((int(number), (answer, "")) for number, answer in pairs)
    return True


def _mark_containers(markdown: str) -> str:
    """A quiz's container without a heading (`<div className="knowledge-check">`, `<Quiz>`) as a marker line."""
    lines = [
        CONTAINER.sub(lambda m: f"\n\n{_CONTAINER_MARK}\n\n" if names_quiz(m, exercises=True) else m.group(0), line)
        if not fenced
        else line
        for line, fenced in iter_fence_flags(markdown.split("\n"))
    ]
    return "\n".join(lines)


def label_name(line: str, alone: bool) -> str:
    """A short line of its own naming a quiz or an answer key ("**Knowledge check**", "Test yourself:")."""
    name = label_text(line, alone)
    return name if QUIZ_HEADING.match(name) or ANSWER_KEY_HEADING.match(name) else ""


def _continues(question: PageQuestion | None) -> bool:
    """The question is still being written: no options or answer yet."""
    return question is not None and not question.choices and not question.answer and not question.bullets


def _read_key_line(line: str, key: dict[int, tuple[str, str]]) -> bool:
    if found := key_line(line):
        key[found[0]] = found[1:]
    return bool(found) or not line.strip()


def key_line(line: str) -> tuple[int, str, str] | None:
    """An answer key's line ("1. B — why", "| 2 | True |") as (number, its letter or true/false, why)."""
    if not (match := _KEY_ROW.match(line.strip()) or _KEY_LINE.match(line)):
        return None
    return int(match.group("number")), match.group("answer"), readable(match.group("rest")).strip("| ")
