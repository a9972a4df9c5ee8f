"""What a chunk of a book is for: explaining, defining, practising, navigating, ...

Detected from structure and wording only (headings, the page's name, option lists, question marks,
imperative steps, admonition lead-ins), never from one book's phrasing. The answerer quotes
explanations and definitions, and never serves practice material (quizzes, exercises, lab steps)
as an answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

EXPOSITION: Final = "exposition"
DEFINITION: Final = "definition"
EXAMPLE: Final = "example"
CODE: Final = "code"
EXERCISE: Final = "exercise"  # quizzes, review questions, assessments, exercises
LAB: Final = "lab"  # lab, tutorial or hands-on steps
OBJECTIVES: Final = "objectives"
SUMMARY: Final = "summary"
NAVIGATION: Final = "navigation"  # front matter, prerequisites, next steps, further reading

PURPOSES: Final = (EXPOSITION, DEFINITION, EXAMPLE, CODE, EXERCISE, LAB, OBJECTIVES, SUMMARY, NAVIGATION)
PRACTICE: Final = frozenset({EXERCISE, LAB})
"""Chunks that ask the learner to do something: cite them as practice, never quote them as an answer."""

_W = r"(?:^|\b)"
_EXERCISE_HEADING = re.compile(
    rf"{_W}(?:quiz(?:zes)?|exercises?|review questions?|practice (?:questions?|problems?)|self[- ]check|"
    r"self[- ]assessment|check your understanding|knowledge check|test yourself|questions for review|"
    r"discussion questions?|homework|problem set|challenge problems?|coding challenges?|assignments?)\b|"
    r"^(?:(?:module|chapter|unit|final|section|skills?) )?assessments?\b",
    re.I,
)
_HEADING_RULES: list[tuple[str, re.Pattern[str]]] = [
    (EXERCISE, _EXERCISE_HEADING),
    (
        LAB,
        re.compile(
            r"^(?:\W*)labs?\b|\blab\s*\d+|\blab (?:exercise|activity|assignment|session)s?\b|"
            r"(?:^|\b)(?:tutorial|hands[- ]on|walkthrough|try it(?: out| yourself)?)\b|"
            r"\bactivity\s*\d+(?:\.\d+)*\b|^\W*(?:(?:class|group|learning|practice)\s+)?activit(?:y|ies)\s*(?:$|[:.\u2013\u2014-])",
            re.I,
        ),
    ),
    (
        OBJECTIVES,
        re.compile(
            rf"{_W}(?:learning (?:objectives|outcomes|goals)|^objectives$|what you(?:'ll| will) (?:learn|build)|"
            r"goals of this|by the end of this)\b",
            re.I,
        ),
    ),
    (
        SUMMARY,
        re.compile(rf"{_W}(?:summary|key takeaways?|takeaways|conclusions?|recap|wrap[- ]up|in review)\b", re.I),
    ),
    (
        DEFINITION,
        re.compile(rf"{_W}(?:glossary|key terms|terminology|definitions|vocabulary)\b", re.I),
    ),
    (
        NAVIGATION,
        re.compile(
            rf"{_W}(?:next steps?|further reading|references|prerequisites|related (?:content|topics|chapters)|"
            r"cross[- ]references|see also|^(?:additional |further |external |learning )?resources$|"
            r"estimated (?:reading )?time|table of contents|bibliography|"
            r"module structure|course structure|how to use this|acknowledg(?:e)?ments)\b",
            re.I,
        ),
    ),
    (EXAMPLE, re.compile(rf"{_W}(?:examples?|case stud(?:y|ies)|use cases?|worked example|scenario)\b", re.I)),
]
_LOGISTICS = re.compile(
    r"^(?:(?:grading|marking|scoring|assessment|evaluation)\s+)?rubrics?\b|^(?:grading|marking)\b|"
    r"\b(?:marking|grading|assessment|scoring|evaluation)\s+(?:criteria|scheme|guide|policy)\b|"
    r"\bwhat\s+to\s+(?:submit|hand\s+in|deliver|turn\s+in)\b|^submissions?\b|^how\s+to\s+submit\b|"
    r"\bdeliverables?\b|\bdeadlines?\b|\bdue\s+dates?\b|\blate\s+(?:submissions?|work|policy|penalt(?:y|ies))\b|"
    r"\bacademic\s+integrity\b|\bcollaboration\s+policy\b|\bhow\s+(?:you\s+are|it\s+is|this\s+is)\s+"
    r"(?:graded|marked|assessed)\b|^(?:project\s+|assignment\s+|submission\s+)?requirements$",
    re.I,
)
"""How practice is graded, handed in and by when ("Rubric", "What to submit", "Late submissions"): information a
learner asks about, quoted like any explanation even on an assessment page, never set as a question."""
_GLOSSARY_PAGE = re.compile(r"(?:^|[-_/ ])(?:glossary|terminology)(?:[-_. /]|$)")
"""A glossary page: a heading there names the term it defines, even "Capstone Project Scenario" or "Use Case"."""
_PAGE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        EXERCISE,
        re.compile(r"(?:^|[-_/ ])(?:quiz(?:zes)?|assessments?|exercises?|review-questions|homework)(?:[-_. /]|$)"),
    ),
    (LAB, re.compile(r"(?:^|[-_/ ])(?:labs?|tutorials?|hands-on)(?:[-_. /]|\d|$)")),
    (DEFINITION, _GLOSSARY_PAGE),
]

_OPTION_LINE = re.compile(r"^\s*(?:[-*+]\s+)?(?:\(?[A-Da-d][).:]|\[[ xX]\])\s+\S", re.M)
_NUMBERED_QUESTION = re.compile(
    r"^(?:\*\*)?(?:Q(?:uestion)?\s*)?\d{1,3}\s*[.):]\s*(?:\*\*)?\s*\S.*\?\s*(?:\*\*)?$", re.I
)
_ASKING_LINE = re.compile(r"\?\s*(?:\*\*|__)?\s*$", re.M)
MAX_LABEL_WORDS = 6
_INLINE_OPTIONS = re.compile(r"\b[A-D]\)\s+\S.*\b[B-D]\)\s+\S")
_FENCE = re.compile(r"^\s*(```+|~~~+).*?^\s*\1\s*$", re.M | re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_STEP_LINE = re.compile(r"^\s*\d+[.)]\s+(?:\*\*)?(?:step \d+\W+)?(?P<word>[A-Za-z]+)", re.M | re.I)
_STEP_CONTEXT = re.compile(r"^\s*(?:```|~~~)", re.M)
_OBJECTIVE_LEAD = re.compile(
    r"\bby the end of this (?:chapter|section|module|lesson|lab|unit)\b|\byou will be able to\b", re.I
)

_IMPERATIVE_VERBS_TEXT = """
    add analyse analyze answer apply build calculate change check choose clone compare compile complete
    configure connect consider copy create debug define deploy describe design determine discuss download
    draw edit enable ensure evaluate examine execute explain explore extend find fix follow identify
    implement import install investigate launch list load make measure modify name navigate note observe open
    outline paste plot predict press print program record reflect remove repeat replace research review run
    save select set simulate sketch source start state summarise summarize switch test train try type update
    use verify visualize write
"""
IMPERATIVE_VERBS: Final = frozenset(_IMPERATIVE_VERBS_TEXT.split())
"""Verbs that, leading a sentence or a list item, tell the learner to do something."""


def is_glossary_page(page: str) -> bool:
    """Whether a page's path or title names a glossary (or terminology) page."""
    return bool(_GLOSSARY_PAGE.search(page.lower()))


def classify_section(heading_path: Sequence[str], body: str, page: str = "") -> str:
    """The purpose of one section: its own heading first, then its wording, then its page's name."""
    own = heading_path[-1] if heading_path else ""
    glossary = _GLOSSARY_PAGE.search(page.lower())
    if own and _LOGISTICS.search(own.strip()):
        return EXPOSITION
    for purpose, pattern in _HEADING_RULES:
        if own and pattern.search(own):
            if purpose not in PRACTICE and holds_check(_FENCE.sub("", body)):
                return EXERCISE  # "## Summary" closing with a knowledge check of its own
            return DEFINITION if glossary and purpose == EXAMPLE else purpose
    if by_text := _purpose_from_text(body):
        return by_text
    for purpose, pattern in _PAGE_RULES:
        if pattern.search(page.lower()):
            return purpose
    for heading in reversed(heading_path[1:-1]):  # an enclosing exercise or lab section (not the title)
        if enclosing := practice_heading(heading):
            return enclosing
    return EXPOSITION


def is_logistics(heading: str) -> bool:
    """Whether the heading names how work is graded, handed in or by when ("Rubric", "What to submit")."""
    return bool(_LOGISTICS.search(heading.strip()))


def practice_heading(heading: str) -> str | None:
    """EXERCISE or LAB when the heading names one ("Practical Exercise: ...", "Lab 3", "Review Questions")."""
    for purpose, pattern in _HEADING_RULES:
        if purpose in PRACTICE and pattern.search(heading):
            return purpose
    return None


def enclosing_practice(heading_path: Sequence[str]) -> int:
    """The depth of the outermost section below the page title whose heading names an exercise or lab (its
    sub-sections, "Step 1: ..." of mostly code among them, are part of it); 0 when none does."""
    for depth, heading in enumerate(heading_path[1:], start=2):
        if practice_heading(heading):
            return depth
    return 0


def is_practice_page(page: str) -> bool:
    """A page whose name says it is a quiz, an exercise set or a lab ("module-2/quiz.md", "lab-3.md")."""
    return any(purpose in PRACTICE and pattern.search(page.lower()) for purpose, pattern in _PAGE_RULES)


def _purpose_from_text(body: str) -> str | None:
    prose = _FENCE.sub("", body)
    if body.strip() and len(prose.strip()) < 0.3 * len(body.strip()):
        return CODE
    if has_options(prose):
        return EXERCISE
    if _OBJECTIVE_LEAD.search(prose[:300]):
        return OBJECTIVES
    sentences = [s for line in prose.splitlines() for s in _SENTENCE_END.split(line.strip())]
    sentences = [s for s in sentences if len(s.split()) >= 3 and not s.startswith(("#", "|"))]
    if len(sentences) >= 2 and sum(s.rstrip("*_ ").endswith("?") for s in sentences) > len(sentences) / 2:
        return EXERCISE
    steps = [m["word"].lower() for m in _STEP_LINE.finditer(prose)]
    imperative = sum(w in IMPERATIVE_VERBS for w in steps)
    if len(steps) >= 3 and imperative >= 0.6 * len(steps) and _STEP_CONTEXT.search(body):
        return LAB
    return None


def holds_check(prose: str) -> bool:
    """Whether a section's prose asks questions of its own as a knowledge check does: a question ("?") with options
    to choose from, or after a short line of its own naming a check ("**Check your understanding**")."""
    if not _ASKING_LINE.search(prose):
        return False
    return has_options(prose) or any(_check_label(line) for line in prose.splitlines())


def _check_label(line: str) -> bool:
    label = line.strip().strip("*_").rstrip(":：").strip()
    short = 0 < len(label.split()) <= MAX_LABEL_WORDS and not label.endswith((".", "?", "!"))
    return short and not label.startswith(("-", "*", "#")) and bool(_EXERCISE_HEADING.search(label))


def check_start(blocks: Sequence[str], heading: str) -> int:
    """Where a knowledge check begins in a section whose heading names another purpose ("## Summary" then
    "Check your understanding" and its questions): the first block that is a label naming a check or a numbered
    question that asks, when the blocks from there hold a check and some before are not questions; else 0."""
    if not any(purpose not in PRACTICE and pattern.search(heading) for purpose, pattern in _HEADING_RULES):
        return 0
    for index, block in enumerate(blocks):
        first = block.strip().split("\n", 1)[0]
        opens = _check_label(first) or bool(_NUMBERED_QUESTION.match(first))
        if opens and index > 0 and holds_check("\n\n".join(blocks[index:])):
            return index
    return 0


def has_options(text: str) -> bool:
    """Whether the text offers answers to choose from (a multiple-choice question)."""
    return len(_OPTION_LINE.findall(text)) >= 3 or bool(_INLINE_OPTIONS.search(text))


def is_practice(purpose: str) -> bool:
    return purpose in PRACTICE
