"""Imported questions attributed to the chapter and section they test.

A question on a quiz page belongs to a chapter near the page in the sidebar (the pages before it
in its folder, nearest first, then the folder's other pages) and, within it, to the section whose
words it shares most (IDF-weighted overlap). A quiz section inside a chapter tests that chapter.
The quiz page itself also offers its questions, so "quiz me" on it works. A quiz page whose answers are
on a page of their own is graded with them (tutoring.answer_pages); that page offers no questions.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Protocol

from booktutor.ingest.chunker import remove_quiz_fences, split_sections
from booktutor.markdown.mdx import clean_markdown
from booktutor.markdown.urls import anchor_url
from booktutor.tutoring import answer_pages
from booktutor.tutoring.answer_pages import answer_key, answers_page, is_answer_page
from booktutor.tutoring.questions import QuizQuestion, normalized
from booktutor.tutoring.quiz_pages import ANSWER_KEY_HEADING, QUIZ_HEADING, PageQuestion, is_quiz_page, page_questions

_GLOSSARY = re.compile(r"^(key terms|glossary)\b", re.IGNORECASE)
_NOT_TAUGHT = re.compile(f"{QUIZ_HEADING.pattern}|{ANSWER_KEY_HEADING.pattern}|{_GLOSSARY.pattern}", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z0-9-]{2,}")
# Not tutoring.stopwords: besides function words it skips the vocabulary of quiz prompts and options
# (question, answer, true, false, following, best, ...), which says nothing of the section a question tests;
# words under three letters never reach it (_WORD).
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "was",
        "were",
        "with",
        "that",
        "this",
        "from",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "does",
        "did",
        "can",
        "will",
        "would",
        "into",
        "than",
        "then",
        "they",
        "them",
        "their",
        "there",
        "these",
        "those",
        "about",
        "your",
        "you",
        "its",
        "not",
        "but",
        "all",
        "any",
        "one",
        "two",
        "use",
        "used",
        "using",
        "following",
        "true",
        "false",
        "answer",
        "question",
        "best",
        "most",
    ]
)


class Page(answer_pages.Page, Protocol):
    @property
    def front_matter(self) -> dict: ...
    @property
    def language(self) -> str: ...


@dataclass(frozen=True, slots=True)
class BookPage:
    """One page of the book in one language, in sidebar order (what imports and pools read)."""

    source_path: str
    title: str
    markdown: str
    front_matter: dict
    language: str


@dataclass(frozen=True, slots=True)
class SectionText:
    heading_path: tuple[str, ...]
    anchor: str
    words: frozenset[str]


def words_of(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP)


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def section_texts(markdown: str, title: str) -> list[SectionText]:
    """The chapter's teaching sections (quiz, answer-key and glossary sections left out)."""
    sections = split_sections(remove_quiz_fences(clean_markdown(markdown)), title)
    return [
        SectionText(s.heading_path, s.anchor, words_of(" ".join([s.heading_line, *(b.text for b in s.blocks)])))
        for s in sections
        if not any(_NOT_TAUGHT.match(h) for h in s.heading_path[1:])
    ]


def best_section(
    text: str, sections: Sequence[SectionText], document_frequency: dict[str, int] | None = None
) -> tuple[int, float]:
    """Index of the section sharing the most (IDF-weighted) words with `text`, and its score."""
    wanted = words_of(text)
    if not sections or not wanted:
        return -1, 0.0
    frequency = document_frequency or _frequencies(sections)
    count = max(len(sections), max(frequency.values(), default=1))
    scores = [_score(text, section, frequency, count) for section in sections]
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return best, scores[best]


MOVE_MARGIN = 2.0


def _score(text: str, section: SectionText, frequency: dict[str, int], count: int) -> float:
    return sum(math.log(1 + count / frequency.get(w, 1)) for w in words_of(text) & section.words)


def _frequencies(sections: Sequence[SectionText]) -> dict[str, int]:
    frequency: dict[str, int] = {}
    for section in sections:
        for word in section.words:
            frequency[word] = frequency.get(word, 0) + 1
    return frequency


def imported_questions(pages: Sequence[Page]) -> dict[str, list[QuizQuestion]]:
    """Questions per chapter path, for pages in sidebar order (one language)."""
    result: dict[str, list[QuizQuestion]] = {}
    sections = _LazySections()
    for index, page in enumerate(pages):
        if not _may_hold_questions(page.markdown) or is_answer_page(page):
            continue
        whole = is_quiz_page(page.title, page.markdown)
        answers = answers_page(pages, index) if whole else None
        found = page_questions(page.markdown, page.title, answer_key(answers.markdown) if answers else None)
        if not found:
            continue
        candidates = _candidate_chapters(pages, index) if whole else [page]
        elsewhere = _other_chapters(pages, candidates + [page]) if whole else []
        for question in found:
            target, section = _attribute(question, candidates, sections, elsewhere)
            converted = _convert(question, target, section, page)
            result.setdefault(target.source_path, []).append(converted)
            if whole and target is not page:
                result.setdefault(page.source_path, []).append(converted)
    return result


def _may_hold_questions(markdown: str) -> bool:
    return bool(re.search(r"answer|quiz|question|assessment|\[x\]|<details>|[✓✔✅☑]|\(correct", markdown, re.I))


def _candidate_chapters(pages: Sequence[Page], index: int) -> list[Page]:
    """The content pages of the quiz page's folder: the ones before it (nearest first), then after."""
    folder = PurePosixPath(pages[index].source_path).parent
    same = [(i, p) for i, p in enumerate(pages) if PurePosixPath(p.source_path).parent == folder and i != index]
    content = [(i, p) for i, p in same if not is_quiz_page(p.title, p.markdown)]
    before = [p for i, p in sorted(content, key=lambda x: -x[0]) if i < index]
    after = [p for i, p in content if i > index]
    return before + after or [pages[index]]


class _LazySections:
    """Each page's sections, read the first time a question may belong to it."""

    def __init__(self) -> None:
        self.read: dict[str, list[SectionText]] = {}

    def of(self, page: Page) -> list[SectionText]:
        if page.source_path not in self.read:
            self.read[page.source_path] = section_texts(page.markdown, page.title)
        return self.read[page.source_path]


def _other_chapters(pages: Sequence[Page], near: list[Page]) -> list[Page]:
    """The book's content pages outside a quiz page's folder (answer keys and quizzes left out)."""
    paths = {page.source_path for page in near}
    return [
        p
        for p in pages
        if p.source_path not in paths and not is_quiz_page(p.title, p.markdown) and not is_answer_page(p)
    ]


def _attribute(
    question: PageQuestion, candidates: list[Page], sections: _LazySections, elsewhere: Sequence[Page] = ()
) -> tuple[Page, SectionText | None]:
    """The section a question tests among its quiz's chapters; one elsewhere in the book only when it matches
    the question far better (MOVE_MARGIN): a course's assessment folder holds no lessons ("assessment/self-check"
    tests "unit-1/...")."""
    text = " ".join([question.prompt, *question.choices, question.answer, question.explanation])
    near = [(page, s) for page in candidates for s in sections.of(page)]
    far = [(page, s) for page in _closest_pages(text, elsewhere) for s in sections.of(page)]
    frequency = _frequencies([s for _, s in near + far])
    count = max(len(near) + len(far), 1)
    best, score = _best(text, near, frequency, count)
    other, other_score = _best(text, far, frequency, count)
    if other is not None and other_score > MOVE_MARGIN * score:
        return other
    return best if best is not None and score > 0 else (candidates[0], None)


FAR_PAGES = 2
"""The pages elsewhere in the book whose sections are read for a quiz page's question: the ones sharing the most
words with it (a page's sections take a Markdown parse; its words only a scan)."""


def _closest_pages(text: str, pages: Sequence[Page]) -> list[Page]:
    if not pages:
        return []
    wanted = words_of(text)
    shared = [len(wanted & _page_words(page.markdown)) for page in pages]
    order = sorted(range(len(pages)), key=lambda i: (-shared[i], i))
    return [pages[i] for i in order[:FAR_PAGES] if shared[i]]


@lru_cache(maxsize=1024)
def _page_words(markdown: str) -> frozenset[str]:
    return words_of(markdown)


def _best(
    text: str, pool: list[tuple[Page, SectionText]], frequency: dict[str, int], count: int
) -> tuple[tuple[Page, SectionText] | None, float]:
    """The pool's section sharing the most (IDF-weighted) words with `text` (the first of equals), and its score."""
    scores = [_score(text, section, frequency, count) for _, section in pool]
    if not scores:
        return None, 0.0
    index = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return pool[index], scores[index]


def _convert(question: PageQuestion, target: Page, section: SectionText | None, page: Page) -> QuizQuestion:
    keyed = question.keyed()
    assert keyed is not None  # page_questions keeps gradable questions only
    kind, choices, answer = keyed
    anchor = section.anchor if section else ""
    digest = hashlib.sha256(f"{page.source_path}|{question.number}|{question.prompt}".encode()).hexdigest()[:12]
    return QuizQuestion(
        id=f"imported-{digest}",
        kind="mcq" if kind == "mcq" else "short",
        style="imported",
        prompt=question.shown_prompt,
        choices=choices,
        answer=answer,
        explanation=question.explanation,
        key_terms=[],
        doc_path=target.source_path,
        chapter_title=target.title,
        heading=section.heading_path[-1] if section else target.title,
        anchor=anchor,
        anchor_url=anchor_url(
            target.source_path, target.front_matter, anchor, language=target.language, default_language=target.language
        ),
        source_sentence="",
    )


def same_prompt(a: QuizQuestion, b: QuizQuestion) -> bool:
    return normalized(a.prompt) == normalized(b.prompt)


def retarget_block_questions(
    questions: list[QuizQuestion], markdown: str, title: str, url: Callable[[str], str]
) -> list[QuizQuestion]:
    """The section a quiz-block question tests, by its content. A question written after the last
    `###` of a `##` section tests that `##` section as a whole, so it goes to whichever of its
    parts (the `##` itself or one of its `###`) it matches best, not automatically to the last one;
    elsewhere it moves only when another section of the chapter matches it far better (x2)."""
    sections = section_texts(markdown, title)
    frequency = _frequencies(sections)
    result = []
    for question in questions:
        family = _trailing_family(question.anchor, sections)
        candidates, margin = (family, 1.0) if family else (sections, MOVE_MARGIN)
        text = " ".join([question.prompt, *question.choices, str(question.answer), question.explanation])
        index, score = best_section(text, candidates, frequency)
        here = next((i for i, s in enumerate(candidates) if s.anchor == question.anchor), -1)
        current = _score(text, candidates[here], frequency, len(sections)) if here >= 0 else 0.0
        if index >= 0 and score > current * margin and candidates[index].anchor != question.anchor:
            best = candidates[index]
            question = question.model_copy(
                update={"anchor": best.anchor, "heading": best.heading_path[-1], "anchor_url": url(best.anchor)}
            )
        result.append(question)
    return result


def _trailing_family(anchor: str, sections: list[SectionText]) -> list[SectionText]:
    """The `##` section and its parts, when `anchor` is the last part of a `##` section."""
    position = next((i for i, s in enumerate(sections) if s.anchor == anchor), -1)
    if position < 0 or len(sections[position].heading_path) < 3:
        return []
    parent = sections[position].heading_path[:2]
    family = [s for s in sections if s.heading_path[:2] == parent]
    return family if family[-1].anchor == anchor else []
