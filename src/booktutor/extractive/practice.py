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
from dataclasses import dataclass
from typing import Any

from booktutor.extractive.intent import asks_for_answer, asks_which_practice
from booktutor.extractive.practice_keys import (
    ANSWER_WORDS,
    LAST,
    NOT_GIVEN,
    asked_number,
    help_offer,
    item_lead,
    listed_questions,
    quiz_offer,
    restates_question,
    shown_questions,
    try_it,
    with_questions,
    without_number,
)
from booktutor.extractive.practice_kinds import PROJECT, QUIZ, WORDS, asked_kind, counted, of_kind, section_kind
from booktutor.extractive.practice_prompts import prompts
from booktutor.extractive.practice_step import asked_step, step_of, without_step
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


@dataclass(frozen=True)
class _Page:
    title: str
    path: str
    n: int
    sections: list[dict[str, Any]]
    scope: str = ""
    """ "part": a numbered part's practice (its folder's pages); "course": the whole book's; "": one page's."""


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


def _answer(question: str, topic: frozenset[str], kind: str, pages: list[_Page], covered: bool) -> str | None:
    course = next((page for page in pages if page.scope == "course"), None)
    if course is not None and not topic:
        named = _named_one(question, course)
        if named and len(named.sections) == 1 and _NUMBERED_ONE.search(question):  # 'activity 2': that one alone
            return f"{_link(named.sections[0], course)}.{_what_it_asks(named.sections[0], inline=False)}"
        course = named or course
        asks_for_one = asks_which_practice(question) or asked_step(question) is not None
        return _course_text(course, kind) if course.sections or asks_for_one else None
    pages = [page for page in pages if page.scope == "part"] or [page for page in pages if not page.scope]
    if not pages:
        return None
    asked = _asked_pages(question, topic, pages)
    if any(page.sections for page in asked):
        shown: set[int] = set()
        several = asked[0].scope == "part" and len(asked) > 1  # parts of the book number their chapters anew
        texts = [_page_text(page, shown, kind) or (_none_text(page) if several else "") for page in asked]
        return "\n\n".join(text for text in texts if text)
    if not asks_which_practice(question) and not (asked and _names_marked_one(question)):
        return None
    if asked:  # the chapter asked about; every chapter of that number when parts of the book number anew
        return "\n".join(_none_text(page) for page in (asked if asked[0].scope == "part" else asked[:1]))
    return _none_found(pages, kind) if covered else None


def _keys_answer(question: str, kind: str, pages: list[_Page]) -> str | None:
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


def _asked_sections(question: str, pages: list[_Page]) -> list[tuple[_Page, dict[str, Any]]]:
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


def _item_answer(question: str, kind: str, pages: list[_Page]) -> str | None:
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
    return f"{item_lead(question, number)} of {_link(section, page)}{where}:\n\n{text}\n\n{help_offer(title)}"


def _step_answer(question: str, number: int, kind: str, pages: list[_Page]) -> str | None:
    """Asked for one step: that step of the practice section the question names (by its words, or by a number
    none of their headings says: the best-ranked), else of the best-ranked one with steps (of the kind asked
    for first), cited; all its steps when it has no such step. None when no section read has steps."""
    asked_text = without_step(question)
    topic = _terms(asked_text) - _ASKING_WORDS  # 'lab 2' too: the heading saying it ranks first
    ranked = [page for page in pages if page.scope == "part"] or [page for page in pages if not page.scope]
    pool = _asked_pages(asked_text, topic, ranked) if topic else []
    if not any(page.sections for page in pool) and all(word.isdigit() for word in topic):  # "lab 1" of unnumbered
        pool = [*ranked, *(page for page in pages if page.scope)]
    page_of: dict[int, _Page] = {}
    for page in pool:  # each section once, with the first page listing it
        page_of.update({int(s["n"]): page for s in page.sections if _numbered(s) and int(s["n"]) not in page_of})
    sections = [s for page in pool for s in page.sections if page_of.get(int(s["n"])) is page]
    sections.sort(key=lambda s: -len(_terms(str(s.get("heading") or "")) & topic))  # the best named first
    if not sections:
        return None
    matching, others = of_kind(sections, kind)
    section = (matching or others)[0]
    page, steps = page_of[int(section["n"])], _numbered(section)
    link = _link(section, page)
    if step := step_of(steps, number):
        said = step[1].rstrip(":") + ("" if step[1][-1:] in ".!?" else ".")
        return f"{link}, step {step[0]} of {len(steps)}: {said}{_step_words(section, steps, step[2])}"
    listed = "\n".join(f"- {step}" for step in steps)
    return f"{link} has {len(steps)} steps, so I found no step {number}. Its steps:\n{listed}"


def _shown(section: dict[str, Any], page: _Page, number: int | None) -> str:
    link = _link(section, page)
    if not section.get("questions"):
        return f"{link}.{_what_it_asks(section, inline=False)}"
    questions, found = shown_questions(section, number)
    if number is None:
        return f"{link} asks:\n\n{questions}"
    said = "the last question" if number == LAST else f"question {number}"
    lead = f"{said[0].upper()}{said[1:]} of {link}:" if found else f"I found no {said} in {link}; its questions are:"
    return f"{lead}\n\n{questions}"


def _named_one(question: str, course: _Page) -> _Page | None:
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


def _asked_pages(question: str, topic: frozenset[str], pages: list[_Page]) -> list[_Page]:
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


def _only(page: _Page, sections: list[dict[str, Any]]) -> _Page:
    return _Page(page.title, page.path, page.n, sections, page.scope)


def _terms(text: str) -> frozenset[str]:
    """Content words and numbers ("module 3", "lab 2" name a part of the book by its number)."""
    return content_terms(text) | frozenset(re.findall(r"\b\d+\b", text))


def _names(text: Any, topic: frozenset[str]) -> bool:
    return len(_terms(str(text or "")) & topic) >= NAMED_SHARE * len(topic)


def _section_words(section: dict[str, Any]) -> str:
    return " ".join([str(section.get("heading") or ""), str(section.get("text") or ""), *section.get("steps", [])])


def _page_text(page: _Page, shown: set[int], kind: str = "") -> str:
    """The page's sections not already shown under another page asked about (a module's index lists its
    lessons' sections, which the lessons list too); those of the kind asked for first, then the others, or
    that it has none of that kind."""
    sections = [s for s in page.sections if int(s["n"]) not in shown]
    shown.update(int(s["n"]) for s in sections)
    if not sections:
        return ""
    matching, others = of_kind(sections, kind)
    if not matching:
        listed = _listed(page, sections, "Its practice sections are", "Its practice section is")
        return f"{_none_text(page, kind)}\n\n{listed}"
    many = counted(len(matching), kind) if kind else f"{len(matching)} practice sections"
    one_quiz = kind == QUIZ and len(matching) == 1 and bool(matching[0].get("questions"))  # its questions in full
    text = _listed(
        page,
        matching,
        f"{page.title} has {many}",
        f"{page.title} has {_one(kind)}",
        items=bool(others) and not one_quiz,
        quiz=one_quiz,
    )
    if others:
        other = section_kind(others[0]) if all(section_kind(s) == section_kind(others[0]) for s in others) else ""
        said = counted(len(others), other) if other else f"{len(others)} other practice sections"
        text += "\n\n" + _listed(page, others, f"It also has {said}", f"It also has {said}", items=True)
    return text


def _listed(
    page: _Page, sections: list[dict[str, Any]], many: str, one: str, *, items: bool = False, quiz: bool = False
) -> str:
    """One section with what it asks and its steps, else a list of them each with its prompt."""
    if len(sections) == 1 and not items:
        section, has = sections[0], f"{page.title} has "
        said = _what_it_asks(section, inline=False, quiz=quiz)
        if str(section.get("heading") or "").strip() == page.title and one.startswith(has):  # the page itself
            return f"{_link(section, page)} is {one.removeprefix(has)}.{said}"
        return f"{one}: {_link(section, page)}.{said}"
    lines = [f"- {_link(section, page)}{_what_it_asks(section, inline=True)}" for section in sections]
    return "\n".join([f"{many}:", *lines])


def _one(kind: str) -> str:
    return counted(1, kind) if kind else "a practice section"


def _link(section: dict[str, Any], page: _Page) -> str:
    """Its heading and number; what it is when only its text shows it is practice ("review questions"); its own
    page's title when that is not the page asked about (a module's lesson)."""
    said = [str(section.get("practice_label") or "")]
    if section.get("doc_path") not in (None, page.path) and section.get("chapter_title") != section.get("heading"):
        said.append(f"in {section.get('chapter_title') or section['doc_path']}")
    about = " ".join(part for part in said if part)
    return f"**{str(section.get('heading') or '').strip()}** [{section['n']}]" + (f" ({about})" if about else "")


def _what_it_asks(section: dict[str, Any], *, inline: bool, quiz: bool = False) -> str:
    """Its own prompt (never its steps' list again), then its steps (its steps' list's items, else its
    sub-sections' headings in order, else the "Step 1: ..." lines of its text), or, asked about a quiz (`quiz`),
    its questions; listed among others, the prompt alone when it has one. Nothing when it has neither."""
    said, _ = prompts(str(section.get("text") or ""), section.get("steps", []))
    steps = _steps(section)
    if inline:
        return f": {said}" if said else f": {'; '.join(steps)}." if steps else ""
    quiz = quiz and section_kind(section) == QUIZ and bool(section.get("questions"))
    text = f" It asks: {said}" if said and not (quiz and restates_question(said, section)) else ""
    if quiz:
        text += f"\n\nIts questions:\n\n{listed_questions(section)}"
    elif steps:
        text += "\n\nIts steps:\n" + "\n".join(f"- {step}" for step in steps)
    return text


def _steps(section: dict[str, Any]) -> list[str]:
    """Its steps (booktutor.tools.practice), else its text's "Step 1: ..." lines."""
    steps = [str(step) for step in section.get("steps", []) if str(step).strip()]
    return steps or prompts(str(section.get("text") or ""), steps)[1]


def _step_words(section: dict[str, Any], steps: list[str], index: int) -> str:
    """What a step that is a sub-section ("Step 3: Path Planning") says under its heading, if anything."""
    texts = section.get("numbered_steps") == steps and section.get("step_texts") or []
    said, _ = prompts(str(texts[index])) if index < len(texts) else ("", [])
    return f"\n\n{said}" if said else ""


def _numbered(section: dict[str, Any]) -> list[str]:
    """The steps "step 3" counts: its list's items or its headings that number a step (booktutor.tools.practice),
    else its text's "Step 1: ..." lines; never its unnumbered sub-sections' headings."""
    steps = [str(step) for step in section.get("numbered_steps", []) if str(step).strip()]
    return steps or prompts(str(section.get("text") or ""))[1]


def _course_text(course: _Page, kind: str) -> str:
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
        said = _what_it_asks(section, inline=False, quiz=kind == QUIZ)
        text = f"{lead}The course has {_one(kind)}: {_link(section, course)}.{said}"
    else:
        many = counted(len(matching), kind) if kind else f"{len(matching)} practice sections"
        text = "\n".join([f"{lead}The course has {many}:", *(f"- {_link(section, course)}" for section in matching)])
    return text + (f"\n\nIt also has {len(others)} other practice sections." if len(others) > 1 else "")


def _none_text(page: _Page, kind: str = "") -> str:
    return f"{page.title} [{page.n}] has no {WORDS[kind][0] if kind else 'exercise, lab, quiz or project section'}."


def _none_found(pages: Sequence[_Page], kind: str = "") -> str:
    """Asked about practice on a topic no page read names: the closest pages, and that none of their exercises,
    labs or quizzes is about it."""
    closest = ", ".join(f"{page.title} [{page.n}]" for page in pages)
    what = WORDS[kind][0] if kind else "exercise, lab, quiz or project"
    return f"I found no {what} about this in the pages closest to it: {closest}."
