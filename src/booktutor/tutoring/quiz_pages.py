"""Questions a book already has in plain Markdown/MDX: quiz and assessment pages and sections.

Shapes read (any mix): numbered questions (`1.`, `1)`, `**1.**`, `### Question 1`, `**Q1:**`);
options `A)`, `(a)`, `a.`, `- A.` or checkboxes `- [ ]` / `- [x]` (checked = correct); an
"Answer:" / "Correct answer:" / "Model answer:" line; an answer inside `<details>`; an answer key
at the end of the page ("1. B", "1) b — why", "| 1 | B |"); true/false questions; short questions
with a model answer. Questions without a recoverable answer are skipped (they cannot be graded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from booktutor.markdown.mdx import clean_markdown

QUIZ_HEADING = re.compile(
    r"^(?:chapter\s+|module\s+|section\s+)?(?:\d+[.:]?\s*)?"
    r"(quiz(zes)?|assessments?|self[- ]?(check|assessment|test)|review questions|practice questions|"
    r"check your understanding|test your (knowledge|understanding)|knowledge check|questions|exercises?)\b",
    re.IGNORECASE,
)
ANSWER_KEY_HEADING = re.compile(r"^(answer key|answers|solutions|answer sheet)\b", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
QUESTION_LINE = re.compile(
    r"^(?:#{2,6}\s+)?(?:\*\*)?(?:(?:Q(?:uestion)?|Exercise|Problem|Task)\s*)?(?P<number>\d{1,3})\s*[.):]\s*(?:\*\*)?\s*(?P<text>.*)$",
    re.IGNORECASE,
)
OPTION_LINE = re.compile(r"^\s*(?:[-*+]\s+)?(?:\((?P<a>[A-Fa-f])\)|(?P<b>[A-Fa-f])[).])\s+(?P<text>.+)$")
CHECKBOX_LINE = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.+)$")
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
_DETAILS = re.compile(r"<details>(?P<body>.*?)</details>", re.DOTALL | re.IGNORECASE)
_SUMMARY = re.compile(r"<summary>.*?</summary>", re.DOTALL | re.IGNORECASE)
_MARKUP = re.compile(r"\*\*|__|`|<[^>]+>")
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
        word = text.split()[0].lower().rstrip(".,") if text else ""
        for candidate in (text.lower(), word):
            if candidate in lowered:
                return lowered.index(candidate)
        return None


def is_quiz_page(title: str, markdown: str) -> bool:
    first = next((m.group(2) for line in markdown.split("\n") if (m := _HEADING.match(line))), "")
    return bool(QUIZ_HEADING.match(_plain(title)) or QUIZ_HEADING.match(_plain(first)))


def page_questions(markdown: str, title: str) -> list[PageQuestion]:
    """The gradable questions of a page's quiz regions (the whole page if it is a quiz page)."""
    text = clean_markdown_keep_details(markdown)
    lines = _unfenced(text.split("\n"))
    whole = is_quiz_page(title, markdown)
    questions: list[PageQuestion] = []
    key: dict[int, tuple[str, str]] = {}
    region, in_key, level = whole, False, 0
    heading = title
    current: PageQuestion | None = None
    for line in lines:
        match = _HEADING.match(line)
        numbered = QUESTION_LINE.match(line)
        if match and not (numbered and region and not in_key and re.match(r"^#{2,6}\s+(?:Q|Question)\b", line, re.I)):
            depth, name = len(match.group(1)), _plain(match.group(2))
            if ANSWER_KEY_HEADING.match(name) and (region or whole):
                in_key, current = True, None
                continue
            if QUIZ_HEADING.match(name):
                region, in_key, level, heading, current = True, False, depth, name, None
                continue
            if not whole and region and depth <= level:
                region, in_key = False, False
            current = None
            continue
        if not region:
            continue
        if in_key:
            _read_key_line(line, key)
            continue
        current = _read_line(line, numbered, current, questions, heading)
    for question in questions:
        if question.number in key and not question.answer and not question.correct:
            question.answer, explanation = key[question.number]
            question.explanation = question.explanation or explanation
    return [q for q in questions if q.prompt and q.keyed() is not None]


MAX_SET_QUESTIONS = 12
_KEY_ONLY = re.compile(r"^(?:\(?[A-Fa-f]\)?|true|false)\s*(?:$|[).:\-\u2013\u2014])", re.IGNORECASE)
"""An answer key's line read as a numbered question ("1. B — 48 / 12", "4. False")."""


@dataclass(frozen=True, slots=True)
class SetQuestion:
    """A question a practice section sets, as the learner reads it before answering: no answer."""

    number: int
    prompt: str
    choices: tuple[str, ...] = ()


def set_questions(text: str) -> list[SetQuestion]:
    """The numbered questions of a practice section's text, each with its options: its own line and the lines
    right after it, never an "Answer:" line, a checked box's mark, the paragraphs after it (a model answer, a
    <details> body) or an answer key (reading stops at its heading; a key's lines are not questions)."""
    found: list[tuple[int, list[str], list[str]]] = []
    current: tuple[int, list[str], list[str]] | None = None
    going = False  # the question's text may go on on the next line
    for line in _unfenced(text.split("\n")):
        heading, numbered = _HEADING.match(line), QUESTION_LINE.match(line)
        if heading and ANSWER_KEY_HEADING.match(_plain(heading.group(2))):
            break
        choice = (CHECKBOX_LINE.match(line) or OPTION_LINE.match(line)) if current is not None else None
        if numbered and not line.startswith((" ", "\t")) and not _KEY_ONLY.match(_plain(numbered.group("text"))):
            current, going = (int(numbered.group("number")), [_plain(numbered.group("text"))], []), True
            found.append(current)
        elif heading or ANSWER_LINE.match(line) or EXPLANATION_LINE.match(line) or line.startswith("§DETAILS§"):
            current = None
        elif current is not None and choice:
            current[2].append(_plain(choice.group("text")))
        elif current is not None and going and line.strip() and not current[2]:
            current[1].append(_plain(line))
        going = going and bool(line.strip()) and current is not None
    questions = [SetQuestion(n, " ".join(p).strip(), tuple(c)) for n, p, c in found]
    return [q for q in questions if q.prompt][:MAX_SET_QUESTIONS]


def clean_markdown_keep_details(markdown: str) -> str:
    """clean_markdown drops HTML tags but keeps their text; mark <details> bodies first."""
    marked = _DETAILS.sub(
        lambda m: f"\n\n§DETAILS§ {' '.join(_SUMMARY.sub('', m.group('body')).split())}\n\n", markdown
    )
    return clean_markdown(marked)


def _read_line(
    line: str, numbered: re.Match[str] | None, current: PageQuestion | None, questions: list, heading: str
) -> PageQuestion | None:
    if line.startswith("§DETAILS§"):
        if current is not None:
            body = line.removeprefix("§DETAILS§").strip()
            answer = ANSWER_LINE.match(body)
            current.answer = current.answer or _plain(answer.group("text") if answer else body)
        return current
    option = OPTION_LINE.match(line) if current is not None else None
    checkbox = CHECKBOX_LINE.match(line) if current is not None else None
    answer = ANSWER_LINE.match(line)
    explanation = EXPLANATION_LINE.match(line)
    if current is not None and answer:
        current.answer = _plain(answer.group("text"))
    elif current is not None and explanation:
        current.explanation = _plain(explanation.group("text"))
    elif current is not None and checkbox:
        if checkbox.group("mark").lower() == "x":
            current.correct.append(len(current.choices))
        current.choices.append(_plain(checkbox.group("text")))
    elif current is not None and option and not (numbered and not line.startswith((" ", "-", "*"))):
        current.choices.append(_plain(option.group("text")))
    elif numbered and not line.startswith((" ", "\t")):
        current = PageQuestion(int(numbered.group("number")), _plain(numbered.group("text")), heading=heading)
        questions.append(current)
    elif current is not None and line.strip() and not current.choices and not current.answer:
        current.prompt = f"{current.prompt} {_plain(line)}".strip()
    return current


def _read_key_line(line: str, key: dict[int, tuple[str, str]]) -> None:
    match = _KEY_ROW.match(line.strip()) or _KEY_LINE.match(line)
    if match:
        key[int(match.group("number"))] = (match.group("answer"), _plain(match.group("rest")).strip("| "))


def _unfenced(lines: list[str]) -> list[str]:
    kept, fenced = [], False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(line)
    return kept


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub("", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)).split())
