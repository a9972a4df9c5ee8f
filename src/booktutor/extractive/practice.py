"""The answer to a question about the book's practice itself, from the practice sections of the pages the
search ranks first (booktutor.tools.practice): each exercise, lab or quiz of the chapter or topic asked about,
linked to its section, with what it asks (its own prompt, else its steps' headings in order); or, asked whether
the chapter has any, that it has none. Never another chapter's exercise as if it were the asked one's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from booktutor.extractive.intent import asks_which_practice
from booktutor.extractive.roles import is_option_list, is_prompt
from booktutor.extractive.text import content_terms, split_markdown

NAMED_SHARE = 0.6
"""A heading or a page title names what the question asks about when it says this share of the question's own
words (those left once the words for practice and for asking are set aside)."""
MAX_PROMPTS = 3
MAX_PROMPT_WORDS = 70
MIN_PROMPT_WORDS = 3
"""A shorter line ("Q2.", "Solution:") is a label, not a prompt."""
MAX_STEPS = 12
_ASKING_WORDS = content_terms(
    "exercise exercises lab labs quiz quizzes assessment assessments assignment assignments homework tutorial "
    "tutorials hands-on review questions question practice practical problems step steps task tasks part parts "
    "stage stages end any there have has include includes contain contains come offer ask asks build make create "
    "do submit need require involve cover covers test want expect chapter chapters section sections module modules "
    "unit lesson page course textbook available"
)
_ONE_NAMED = re.compile(
    r"\bthe\s+(?:[\w/'-]+\s+){1,6}?(?:exercise|lab|quiz|assessment|assignment|tutorial)\b(?!\s*s\b)|"
    r"\b(?:exercise|lab|quiz|assessment|assignment|tutorial)\s+\d+\b",
    re.I,
)
"""'the sim-to-real practical exercise': the question names one exercise, not a chapter's set of them."""


@dataclass(frozen=True)
class _Page:
    title: str
    path: str
    n: int
    sections: list[dict[str, Any]]


def practice_answer(
    question: str, results: Sequence[dict[str, Any]], listing: Sequence[dict[str, Any]], *, covered: bool = True
) -> str | None:
    """The answer naming the practice sections asked about, or saying the chapter asked about has none; None
    when the pages read hold no practice and the question does not ask whether they do (another part of the
    answerer quotes what the book says then), or when no page names its topic and the book does not seem to
    cover it (`covered`: the answerer's abstention signals; it says so then)."""
    by_n = {int(r["n"]): r for r in results if isinstance(r.get("n"), int)}
    pages = [
        _Page(
            str(p.get("chapter_title") or ""),
            str(p.get("doc_path") or ""),
            int(p.get("n") or 0),
            [by_n[n] for n in p["sections"] if n in by_n],
        )
        for p in listing
        if isinstance(p.get("sections"), list)
    ]
    if not pages:
        return None
    asked = _asked_pages(question, _terms(question) - _ASKING_WORDS, pages)
    if any(page.sections for page in asked):
        return "\n\n".join(_page_text(page) for page in asked if page.sections)
    if not asks_which_practice(question):
        return None
    if asked:
        return _none_text(asked[0])
    return _none_found(pages) if covered else None


def _asked_pages(question: str, topic: frozenset[str], pages: list[_Page]) -> list[_Page]:
    """The pages (with their sections) the question asks about: the exercise it names by its heading; else the
    pages whose title or path names its topic; else the sections whose heading or prompt does; else, when it
    names no topic, the best page; else none."""
    if not topic:
        return pages[:1]
    if _ONE_NAMED.search(question):
        named = [_only(page, [s for s in page.sections if _names(s.get("heading"), topic)]) for page in pages]
        if any(page.sections for page in named):
            return named
    titled = [page for page in pages if _names(f"{page.title} {page.path.replace('-', ' ')}", topic)]
    if titled:
        return titled
    about = [_only(page, [s for s in page.sections if _names(_section_words(s), topic)]) for page in pages]
    return [page for page in about if page.sections]


def _only(page: _Page, sections: list[dict[str, Any]]) -> _Page:
    return _Page(page.title, page.path, page.n, sections)


def _terms(text: str) -> frozenset[str]:
    """Content words and numbers ("module 3", "lab 2" name a part of the book by its number)."""
    return content_terms(text) | frozenset(re.findall(r"\b\d+\b", text))


def _names(text: Any, topic: frozenset[str]) -> bool:
    return len(_terms(str(text or "")) & topic) >= NAMED_SHARE * len(topic)


def _section_words(section: dict[str, Any]) -> str:
    return " ".join([str(section.get("heading") or ""), str(section.get("text") or ""), *section.get("steps", [])])


def _page_text(page: _Page) -> str:
    if len(page.sections) == 1:
        section = page.sections[0]
        return f"{page.title} has a practice section: {_link(section)}.{_what_it_asks(section, inline=False)}"
    items = [f"- {_link(section)}{_what_it_asks(section, inline=True)}" for section in page.sections]
    return "\n".join([f"{page.title} has {len(page.sections)} practice sections:", *items])


def _link(section: dict[str, Any]) -> str:
    return f"**{str(section.get('heading') or '').strip()}** [{section['n']}]"


def _what_it_asks(section: dict[str, Any], *, inline: bool) -> str:
    """Its own prompt, then its steps (its sub-sections' headings in order, else the "Step 1: ..." lines of its
    text); listed among others, the prompt alone when it has one. Nothing when it has neither."""
    prompts, step_lines = _prompts(str(section.get("text") or ""))
    steps = [str(step) for step in section.get("steps", []) if str(step).strip()] or step_lines
    said = " ".join(prompts)
    if inline:
        return f": {said}" if said else f": {'; '.join(steps)}." if steps else ""
    text = f" It asks: {said}" if said else ""
    if steps:
        text += "\n\nIts steps:\n" + "\n".join(f"- {step}" for step in steps)
    return text


_STEP = re.compile(r"^(?:step|task|part)\s*\d+\b", re.I)


def _prompts(text: str) -> tuple[list[str], list[str]]:
    """The section's own sentences that say what it asks (its prompts and tasks, else its opening sentences;
    never an option list; up to `MAX_PROMPTS` sentences or `MAX_PROMPT_WORDS` words), and its "Step 1: ..."
    lines."""
    sentences = list(
        dict.fromkeys(
            s.text.strip()
            for s in split_markdown(text)
            if s.kind == "sentence"
            and len(s.text.split()) >= MIN_PROMPT_WORDS
            and not is_option_list(s.text)
            and not s.table_row
        )
    )
    steps = [s.rstrip(":").strip() for s in sentences if _STEP.match(s)][:MAX_STEPS]
    prose = [s for s in sentences if not _STEP.match(s) and not s.endswith(":")]
    asking = [s for s in prose if is_prompt(s)] or prose
    kept: list[str] = []
    for sentence in asking[:MAX_PROMPTS]:
        if kept and sum(len(s.split()) for s in [*kept, sentence]) > MAX_PROMPT_WORDS:
            break
        kept.append(sentence)
    return kept, steps


def _none_text(page: _Page) -> str:
    return f"{page.title} [{page.n}] has no exercise, lab or quiz section."


def _none_found(pages: Sequence[_Page]) -> str:
    """Asked about practice on a topic no page read names: the closest pages, and that none of their exercises,
    labs or quizzes is about it."""
    closest = ", ".join(f"{page.title} [{page.n}]" for page in pages)
    return f"I found no exercise, lab or quiz about this in the pages closest to it: {closest}."
