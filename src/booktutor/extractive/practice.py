"""The answer to a question about the book's practice itself, from the practice sections of the pages the
search ranks first (booktutor.tools.practice): each exercise, lab or quiz of the chapter or topic asked about,
linked to its section, with what it asks (its own prompt, then its steps in order); or, asked whether the
chapter has any, that it has none; asked for one step ("step 3 of the lab"), that step of the lab or exercise
named, else of the best-ranked one with steps (extractive.practice_step). Never another chapter's exercise as if
it were the asked one's. Asked for the answer to the book's own questions, those questions without their answers
and the offer of a chat quiz (extractive.practice_keys).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from booktutor.extractive.intent import asks_for_answer, asks_which_practice
from booktutor.extractive.practice_keys import (
    ANSWER_WORDS,
    LAST,
    NOT_GIVEN,
    asked_number,
    help_offer,
    item_lead,
    quiz_offer,
    shown_questions,
    try_it,
    with_questions,
    without_number,
)
from booktutor.extractive.practice_kinds import (
    PROJECT,
    QUIZ,
    asked_kind,
    of_kind,
)
from booktutor.extractive.practice_step import asked_step, step_of, without_step
from booktutor.extractive.practice_text import (
    Page,
    course_text,
    none_found,
    none_text,
    numbered,
    page_text,
    section_link,
    step_words,
    what_it_asks,
)
from booktutor.extractive.text import content_terms

NAMED_SHARE = 0.6
"""A heading or a page title names what the question asks about when it says this share of the question's own
words (those left once the words for practice and for asking are set aside)."""
_ASKING_WORDS = content_terms(
    "exercise exercises lab labs quiz quizzes assessment assessments assignment assignments homework tutorial "
    "project projects capstone challenge challenges "
    "tutorials hands-on review questions question practice practical problems step steps task tasks part parts "
    "stage stages end any there have has include includes contain contains come offer ask asks build make create "
    "do submit need require involve cover covers test want expect chapter chapters section sections module modules "
    "unit lesson page course textbook available self check checks checkpoint checkpoints knowledge yourself "
    "solve complete approach tackle finish answer help"
)
_HANDING_IN = re.compile(r"\b(?:submit|submission|hand(?:ed)?\s+in|turn\s+in|deliver(?:ables?)?|due|deadline)\b", re.I)
_NUMBERED_ONE = re.compile(
    r"\b(?:exercise|lab|quiz|assessment|assignment|tutorial|project|activity)\s+#?\d+(?:\.\d+)*\b", re.I
)
"""'activity 2', 'lab 3.1': one exercise named by its kind and its number, as its heading names it."""
_ONE_NAMED = re.compile(
    r"\bthe\s+(?:[\w/'-]+\s+){1,6}?(?:exercise|lab|quiz|assessment|assignment|tutorial|project|activity)\b"
    rf"(?!\s*s\b)|\bthe\s+(?:[\w/'-]+\s+){{0,6}}?capstone\b|{_NUMBERED_ONE.pattern}",
    re.I,
)
"""'the sim-to-real practical exercise', 'the capstone project': the question names one exercise, not a
chapter's set of them."""


def practice_answer(
    question: str, results: Sequence[dict[str, Any]], listing: Sequence[dict[str, Any]], *, covered: bool = True
) -> str | None:
    """The answer naming the practice sections asked about, or saying the chapter asked about has none; None
    when the pages read hold no practice and the question does not ask whether they do (another part of the
    answerer quotes what the book says then), or when no page names its topic and the book does not seem to
    cover it (`covered`: the answerer's abstention signals; it says so then)."""
    by_n = {int(r["n"]): r for r in results if isinstance(r.get("n"), int)}
    pages = [
        Page(
            str(p.get("chapter_title") or ""),
            str(p.get("doc_path") or ""),
            int(p.get("n") or 0),
            [by_n[n] for n in p["sections"] if n in by_n],
            str(p.get("scope") or ""),
        )
        for p in listing
        if isinstance(p.get("sections"), list)
    ]
    topic, kind = practice_topic(question), asked_kind(question)
    if kind == PROJECT and _HANDING_IN.search(question) and any(s.get("logistics") for p in pages for s in p.sections):
        return None  # the project says how it is handed in, in a section the answer quotes ('What to submit')
    if asks_for_answer(question) and (shown := _keys_answer(question, kind, pages)):
        return shown
    if (number := asked_step(question)) is not None and (step := _step_answer(question, number, kind, pages)):
        return step
    if not asks_for_answer(question) and (item := _item_answer(question, kind, pages)):
        return item
    text = _answer(question, topic, kind, pages, covered)
    return text + quiz_offer(question if topic else "") if text is not None and kind == QUIZ else text


def _answer(question: str, topic: frozenset[str], kind: str, pages: list[Page], covered: bool) -> str | None:
    course = next((page for page in pages if page.scope == "course"), None)
    if course is not None and not topic:
        named = _named_one(question, course)
        if named and len(named.sections) == 1 and _NUMBERED_ONE.search(question):  # 'activity 2': that one alone
            return f"{section_link(named.sections[0], course)}.{what_it_asks(named.sections[0], inline=False)}"
        course = named or course
        asks_for_one = asks_which_practice(question) or asked_step(question) is not None
        return course_text(course, kind) if course.sections or asks_for_one else None
    pages = [page for page in pages if page.scope == "part"] or [page for page in pages if not page.scope]
    if not pages:
        return None
    asked = _asked_pages(question, topic, pages)
    if any(page.sections for page in asked):
        shown: set[int] = set()
        several = asked[0].scope == "part" and len(asked) > 1  # parts of the book number their chapters anew
        texts = [page_text(page, shown, kind) or (none_text(page) if several else "") for page in asked]
        return "\n\n".join(text for text in texts if text)
    if not asks_which_practice(question) and not (asked and _names_marked_one(question)):
        return None
    if asked:  # the chapter asked about; every chapter of that number when parts of the book number anew
        return "\n".join(none_text(page) for page in (asked if asked[0].scope == "part" else asked[:1]))
    return none_found(pages, kind) if covered else None


def _keys_answer(question: str, kind: str, pages: list[Page]) -> str | None:
    """Asked for the answer to the book's own questions: the practice sections asked about with their questions
    (the asked number alone) and never their answers, and an invitation to try them (extractive.practice_keys);
    None when the pages asked about hold no practice (then what the other practice answers say)."""
    found = _asked_sections(question, pages)
    if not found:
        return None
    matching, _ = of_kind([section for _, section in found], kind)
    number = asked_number(question)
    chosen = with_questions(matching or [section for _, section in found], number)
    page_of = {int(section["n"]): page for page, section in found}
    blocks = [NOT_GIVEN, *(_shown(section, page_of[int(section["n"])], number) for section in chosen)]
    title = str(chosen[0].get("chapter_title") or page_of[int(chosen[0]["n"])].title)
    return "\n\n".join([*blocks, try_it(title, questions=any(s.get("questions") for s in chosen))])


def _asked_sections(question: str, pages: list[Page]) -> list[tuple[Page, dict[str, Any]]]:
    """The practice sections of the pages a question about one of their questions asks about, by its words
    other than the question's number and the words of asking for an answer."""
    asked_text = without_number(question)
    topic = practice_topic(asked_text) - ANSWER_WORDS
    course = next((page for page in pages if page.scope == "course"), None)
    if course is not None and not topic:
        asked = [_named_one(asked_text, course) or course]
    else:
        candidates = [page for page in pages if page.scope == "part"] or [page for page in pages if not page.scope]
        asked = _asked_pages(asked_text, topic, candidates) if candidates else []
        if not topic and not any(page.sections for page in asked):  # "the quiz": the best page that has one
            asked = [page for page in candidates if page.sections][:1]
    return [(page, section) for page in asked for section in page.sections]


def _item_answer(question: str, kind: str, pages: list[Page]) -> str | None:
    """Asked about one exercise or question by its number ("help me with exercise 1 of chapter 2"): its prompt
    as the book sets it, cited, and an offer of hints, never its answer; None when no section asked about (of
    the kind asked for, when there is one) holds that number."""
    if (number := asked_number(question)) is None:
        return None
    found = _asked_sections(question, pages)
    matching, _ = of_kind([section for _, section in found], kind)  # never a quiz's question as "exercise 1"
    held = [s for s in matching if shown_questions(s, number)[1]]
    if not held:
        return None
    section = held[0]
    page = next(page for page, s in found if s is section)
    title = str(section.get("chapter_title") or page.title)
    where = "" if title in (str(section.get("heading") or "").strip(), "") else f" in {title}"
    text = shown_questions(section, number)[0]
    return f"{item_lead(question, number)} of {section_link(section, page)}{where}:\n\n{text}\n\n{help_offer(title)}"


def _step_answer(question: str, number: int, kind: str, pages: list[Page]) -> str | None:
    """Asked for one step: that step of the practice section the question names (by its words, or by a number
    none of their headings says: the best-ranked), else of the best-ranked one with steps (of the kind asked
    for first), cited; all its steps when it has no such step. None when no section read has steps."""
    asked_text = without_step(question)
    topic = _terms(asked_text) - _ASKING_WORDS  # 'lab 2' too: the heading saying it ranks first
    ranked = [page for page in pages if page.scope == "part"] or [page for page in pages if not page.scope]
    pool = _asked_pages(asked_text, topic, ranked) if topic else []
    if not any(page.sections for page in pool) and all(word.isdigit() for word in topic):  # "lab 1" of unnumbered
        pool = [*ranked, *(page for page in pages if page.scope)]
    page_of: dict[int, Page] = {}
    for page in pool:  # each section once, with the first page listing it
        page_of.update({int(s["n"]): page for s in page.sections if numbered(s) and int(s["n"]) not in page_of})
    sections = [s for page in pool for s in page.sections if page_of.get(int(s["n"])) is page]
    sections.sort(key=lambda s: -len(_terms(str(s.get("heading") or "")) & topic))  # the best named first
    if not sections:
        return None
    matching, others = of_kind(sections, kind)
    section = (matching or others)[0]
    page, steps = page_of[int(section["n"])], numbered(section)
    link = section_link(section, page)
    if step := step_of(steps, number):
        said = step[1].rstrip(":") + ("" if step[1][-1:] in ".!?" else ".")
        return f"{link}, step {step[0]} of {len(steps)}: {said}{step_words(section, steps, step[2])}"
    listed = "\n".join(f"- {step}" for step in steps)
    return f"{link} has {len(steps)} steps, so I found no step {number}. Its steps:\n{listed}"


def _shown(section: dict[str, Any], page: Page, number: int | None) -> str:
    link = section_link(section, page)
    if not section.get("questions"):
        return f"{link}.{what_it_asks(section, inline=False)}"
    questions, found = shown_questions(section, number)
    if number is None:
        return f"{link} asks:\n\n{questions}"
    said = "the last question" if number == LAST else f"question {number}"
    lead = f"{said[0].upper()}{said[1:]} of {link}:" if found else f"I found no {said} in {link}; its questions are:"
    return f"{lead}\n\n{questions}"


def _named_one(question: str, course: Page) -> Page | None:
    """The course's sections the question names as one ("the capstone project"), if any."""
    if not (one := _ONE_NAMED.search(question)):
        return None
    named = [s for s in course.sections if _names(s.get("heading"), _terms(one.group(0)))]
    return _only(course, named) if named else None


def practice_topic(question: str) -> frozenset[str]:
    """What the question asks about, less its words for practice and for asking: none when it asks about the
    course's practice as a whole ("Are there any exercises?", "What labs does the course have?")."""
    return _terms(_NUMBERED_ONE.sub(" ", without_step(question))) - _ASKING_WORDS  # 'activity 2' names no topic


def _names_marked_one(question: str) -> bool:
    """Whether it names one exercise, lab or quiz ("the kinematics lab"): a kind the book marks by its heading,
    so a chapter without one has none (a project may be any section)."""
    one = _ONE_NAMED.search(question)
    return one is not None and not re.search(r"\b(?:project|capstone)\b", one.group(0), re.I)


def _asked_pages(question: str, topic: frozenset[str], pages: list[Page]) -> list[Page]:
    """The pages (with their sections) the question asks about: the exercise it names by its heading; else the
    pages whose title or path names its topic; else the sections whose heading or prompt does; else, when it
    names no topic, the best page; else none."""
    if one := _ONE_NAMED.search(question):
        numbered = _NUMBERED_ONE.search(question)  # 'activity 2' by its kind and number, whatever the topic
        words = _terms(numbered[0]) if numbered else topic or _terms(one.group(0))  # 'the capstone project' too
        named = [_only(page, [s for s in page.sections if _names(s.get("heading"), words)]) for page in pages]
        if any(page.sections for page in named):
            return named
    if not topic:
        return pages[:1]
    titled = [page for page in pages if _names(f"{page.title} {page.path.replace('-', ' ')}", topic)]
    if titled:
        return titled
    words = frozenset(w for w in topic if not w.isdigit())  # "module 1" is named by a title, not by "Step 1"
    about = [_only(page, [s for s in page.sections if _names(_section_words(s), words)]) for page in pages]
    return [page for page in about if page.sections] if words else []


def _only(page: Page, sections: list[dict[str, Any]]) -> Page:
    return Page(page.title, page.path, page.n, sections, page.scope)


def _terms(text: str) -> frozenset[str]:
    """Content words and numbers ("module 3", "lab 2" name a part of the book by its number)."""
    return content_terms(text) | frozenset(re.findall(r"\b\d+\b", text))


def _names(text: Any, topic: frozenset[str]) -> bool:
    return len(_terms(str(text or "")) & topic) >= NAMED_SHARE * len(topic)


def _section_words(section: dict[str, Any]) -> str:
    return " ".join([str(section.get("heading") or ""), str(section.get("text") or ""), *section.get("steps", [])])
