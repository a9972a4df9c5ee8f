"""How an answer about the book's practice names it: each section linked, with what it asks and its steps or
questions; a page's sections of the kind asked for first; that a page or the book has none (extractive.practice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from booktutor.extractive.practice_keys import listed_questions, restates_question
from booktutor.extractive.practice_kinds import EXERCISE, LAB, QUIZ, WORDS, counted, of_kind, section_kind
from booktutor.extractive.practice_prompts import prompts


@dataclass(frozen=True)
class Page:
    title: str
    path: str
    n: int
    sections: list[dict[str, Any]]
    scope: str = ""
    """ "part": a numbered part's practice (its folder's pages); "course": the whole book's; "": one page's."""


def page_text(page: Page, shown: set[int], kind: str = "") -> str:
    """The page's sections not already shown under another page asked about (a module's index lists its
    lessons' sections, which the lessons list too); those of the kind asked for first, then the others, or
    that it has none of that kind."""
    sections = [s for s in page.sections if int(s["n"]) not in shown]
    shown.update(int(s["n"]) for s in sections)
    if not sections:
        return ""
    matching, others = of_kind(sections, kind)
    if not matching and kind == EXERCISE and of_kind(sections, LAB)[0]:
        kind = LAB  # a lab or a "Try it" activity is the exercise the learner asks of a page that has only labs
        matching, others = of_kind(sections, kind)
    if not matching:
        names = listed_sections(page, sections, "Its practice sections are", "Its practice section is")
        return f"{none_text(page, kind)}\n\n{names}"
    many = counted(len(matching), kind) if kind else f"{len(matching)} practice sections"
    one_quiz = kind == QUIZ and len(matching) == 1 and bool(matching[0].get("questions"))  # its questions in full
    text = listed_sections(
        page,
        matching,
        f"{page.title} has {many}",
        f"{page.title} has {one_kind(kind)}",
        items=bool(others) and not one_quiz,
        quiz=one_quiz,
    )
    if others:
        other = section_kind(others[0]) if all(section_kind(s) == section_kind(others[0]) for s in others) else ""
        said = counted(len(others), other) if other else f"{len(others)} other practice sections"
        text += "\n\n" + listed_sections(page, others, f"It also has {said}", f"It also has {said}", items=True)
    return text


def listed_sections(
    page: Page, sections: list[dict[str, Any]], many: str, one: str, *, items: bool = False, quiz: bool = False
) -> str:
    """One section with what it asks and its steps, else a list of them each with its prompt."""
    if len(sections) == 1 and not items:
        section, has = sections[0], f"{page.title} has "
        said = what_it_asks(section, inline=False, quiz=quiz)
        if str(section.get("heading") or "").strip() == page.title and one.startswith(has):  # the page itself
            return f"{section_link(section, page)} is {one.removeprefix(has)}.{said}"
        return f"{one}: {section_link(section, page)}.{said}"
    lines = [f"- {section_link(section, page)}{what_it_asks(section, inline=True)}" for section in sections]
    return "\n".join([f"{many}:", *lines])


def one_kind(kind: str) -> str:
    return counted(1, kind) if kind else "a practice section"


def section_link(section: dict[str, Any], page: Page) -> str:
    """Its heading and number; what it is when only its text shows it is practice ("review questions"); its own
    page's title when that is not the page asked about (a module's lesson)."""
    said = [str(section.get("practice_label") or "")]
    if section.get("doc_path") not in (None, page.path) and section.get("chapter_title") != section.get("heading"):
        said.append(f"in {section.get('chapter_title') or section['doc_path']}")
    about = " ".join(part for part in said if part)
    return f"**{str(section.get('heading') or '').strip()}** [{section['n']}]" + (f" ({about})" if about else "")


def what_it_asks(section: dict[str, Any], *, inline: bool, quiz: bool = False) -> str:
    """Its own prompt (never its steps' list again), then its steps (its steps' list's items, else its
    sub-sections' headings in order, else the "Step 1: ..." lines of its text), or, asked about a quiz (`quiz`),
    its questions; listed among others, the prompt alone when it has one. Nothing when it has neither."""
    said, _ = prompts(str(section.get("text") or ""), section.get("steps", []))
    steps = steps_of(section)
    if inline:
        return f": {said}" if said else f": {'; '.join(steps)}." if steps else ""
    quiz = quiz and section_kind(section) == QUIZ and bool(section.get("questions"))
    text = f" It asks: {said}" if said and not (quiz and restates_question(said, section)) else ""
    if quiz:
        text += f"\n\nIts questions:\n\n{listed_questions(section)}"
    elif steps:
        text += "\n\nIts steps:\n" + "\n".join(f"- {step}" for step in steps)
    return text


def steps_of(section: dict[str, Any]) -> list[str]:
    """Its steps (booktutor.tools.practice), else its text's "Step 1: ..." lines."""
    steps = [str(step) for step in section.get("steps", []) if str(step).strip()]
    return steps or prompts(str(section.get("text") or ""), steps)[1]


def step_words(section: dict[str, Any], steps: list[str], index: int) -> str:
    """What a step that is a sub-section ("Step 3: Path Planning") says under its heading, if anything."""
    texts = section.get("numbered_steps") == steps and section.get("step_texts") or []
    said, _ = prompts(str(texts[index])) if index < len(texts) else ("", [])
    return f"\n\n{said}" if said else ""


def numbered(section: dict[str, Any]) -> list[str]:
    """The steps "step 3" counts: its list's items or its headings that number a step (booktutor.tools.practice),
    else its text's "Step 1: ..." lines; never its unnumbered sub-sections' headings."""
    steps = [str(step) for step in section.get("numbered_steps", []) if str(step).strip()]
    return steps or prompts(str(section.get("text") or ""))[1]


def course_text(course: Page, kind: str) -> str:
    """Every practice section of the book of the kind asked for (all when it asks for none, or the book has
    none of that kind), each linked, with its chapter; how many others it has."""
    if not course.sections:
        return "I found no exercise, lab, quiz or project section in the book."
    matching, others = of_kind(course.sections, kind)
    lead = f"I found no {WORDS[kind][0]} in the book. " if kind and not matching else ""
    if not matching:
        matching, others, kind = course.sections, [], ""
    if len(matching) == 1:
        section = matching[0]
        said = what_it_asks(section, inline=False, quiz=kind == QUIZ)
        text = f"{lead}The course has {one_kind(kind)}: {section_link(section, course)}.{said}"
    else:
        many = counted(len(matching), kind) if kind else f"{len(matching)} practice sections"
        text = "\n".join(
            [f"{lead}The course has {many}:", *(f"- {section_link(section, course)}" for section in matching)]
        )
    return text + (f"\n\nIt also has {len(others)} other practice sections." if len(others) > 1 else "")


def none_text(page: Page, kind: str = "") -> str:
    return f"{page.title} [{page.n}] has no {WORDS[kind][0] if kind else 'exercise, lab, quiz or project section'}."


def none_found(pages: Sequence[Page], kind: str = "") -> str:
    """Asked about practice on a topic no page read names: the closest pages, and that none of their exercises,
    labs or quizzes is about it."""
    closest = ", ".join(f"{page.title} [{page.n}]" for page in pages)
    what = WORDS[kind][0] if kind else "exercise, lab, quiz or project"
    return f"I found no {what} about this in the pages closest to it: {closest}."
