"""Offline questions from any chapter's prose, not only from a key-terms section.

Five kinds, each built from one thing the chapter states and citing the section that states it:
* definition (mcq): a sentence defining a term ("A **digital twin** is …", "X (ABC) is a …", "the
  "reality gap"—the …", a "- **Term**: text" item) with the term blanked; distractors: the book's terms;
* cloze (short): a sentence with a bold term blanked;
* list (mcq): one item of a list the chapter introduces ("… include:"), distractors are items of
  other lists of the book that this list and section never mention;
* table (mcq): a table row's first cell asked from a cell unique in its column;
* number (mcq): a quantity with its unit blanked; distractors are the chapter's other quantities in
  that unit, else multiples of it chosen so the answer is not always the middle value.
Distractors are ranked by MiniLM similarity to the answer, so they are plausible but wrong.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from booktutor.providers.embeddings import Embedder
from booktutor.tutoring.choices import (
    code_like,
    content_words,
    fits_blank,
    gives_away,
    least_revealing,
    neutral_article,
    restates,
    same_kind,
)
from booktutor.tutoring.facts import (
    STOP_WORDS,
    ListFact,
    ProseSection,
    Sentence,
    TableFact,
    dash_term,
    heading_subject,
    heading_term,
    nearby_terms,
    prose_sections,
)
from booktutor.tutoring.imported import BookPage
from booktutor.tutoring.numbers import NOT_THE_ONLY_VALUE, NUMBER, number_distractors, quantities_by_unit
from booktutor.tutoring.questions import QuestionStyle, QuizQuestion, normalized

BLANK = "_____"
MAX_QUESTIONS = 12
MAX_PER_SECTION = 3
MAX_POOL = 400
SYNONYM_SIMILARITY = 0.75
_VERB = r"(?:is|are|refers to|means|describes|denotes)"
# "URDF (Unified Robot Description Format) is …": a short name spelled out in brackets, then what it is or does.
_EXPANSION_DEFINITION = re.compile(
    r"^(?P<term>[A-Z][\w-]{1,15})\s+\((?P<long>[A-Z][\w-]*(?:\s+[\w-]+){1,6})\)\s+"
    r"(?:is|are|provides|enables|allows|lets|gives|describes|defines)\s+(?P<rest>.{20,})$"
)
_PLAIN_DEFINITION = re.compile(
    rf"^(?:An?|The)\s+(?P<term>[a-z][\w-]*(?:\s+[a-z][\w-]*){{0,3}})\s+(?:\((?P<abbr>[A-Z][\w-]{{1,8}})\)\s+)?{_VERB}\s+"
    r"an?\s+(?P<rest>.{20,})$"
)
_ACRONYM_DEFINITION = re.compile(
    rf"^(?P<term>[A-Z][\w-]*(?:\s+[A-Za-z][\w-]*){{0,5}}?)\s+\((?P<abbr>[A-Z][\w-]{{1,8}})\)\s+{_VERB}\s+(?P<rest>.{{20,}})$"
)
_OVERVIEW = re.compile(
    r"\b(this|the next|previous) (chapter|lesson|module|section)\b|^We\b|\byou will\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Draft:
    """A question before its distractors are chosen."""

    style: QuestionStyle
    section: ProseSection
    prompt: str
    answer: str
    source: str
    avoid: tuple[str, ...] = ()  # texts a distractor must not overlap (the list's items, the row)
    siblings: tuple[str, ...] = ()  # preferred distractors: the other terms of the same list
    choices: tuple[str, ...] = ()  # fixed choices (tables, numbers); empty → pick from the pool


@dataclass(frozen=True, slots=True)
class Citer:
    doc_path: str
    chapter_title: str
    url: object  # Callable[[str], str]; ChapterMaterial.url


def book_pool(pages: Sequence[BookPage]) -> list[str]:
    """Distractor candidates from a whole book: its bold terms, defined terms and list items."""
    pool: dict[str, None] = {}
    for page in pages:
        for section in prose_sections(page.markdown, page.title):
            for sentence in section.sentences:
                pool.update(dict.fromkeys(_subject_terms(sentence)))
            for fact in section.lists:
                items = fact.items if not _OVERVIEW.search(fact.lead) else ()
                pool.update(dict.fromkeys(i for i in items if _short(i, 10)))
                pool.update(dict.fromkeys(t for t, _ in fact.definitions if _short(t, 5)))
    return list(pool)


async def prose_questions(
    markdown: str, title: str, citer: Citer, pool: Sequence[str], embedder: Embedder
) -> list[QuizQuestion]:
    sections = prose_sections(markdown, title)
    drafts = _pick(list(_drafts(sections)))
    chosen = await _distractors(drafts, sections, pool, embedder)
    return [_question(d, choices, citer) for d, choices in zip(drafts, chosen, strict=True) if choices]


def _drafts(sections: list[ProseSection]) -> Iterator[Draft]:
    quantities = quantities_by_unit(sections)
    lists = [(s, f) for s in sections for f in s.lists if f.items and not _OVERVIEW.search(f.lead)]
    for section in sections:
        nearby = nearby_terms(section, sections)
        for sentence in section.sentences:
            yield from _sentence_drafts(section, sentence, quantities, nearby)
        for fact in section.lists:
            yield from _list_drafts(section, fact, nearby, _other_items(section, fact, lists))
        for table in section.tables:
            yield from _table_drafts(section, table)


def _sentence_drafts(
    section: ProseSection, sentence: Sentence, quantities: dict[str, list[str]], nearby: tuple[str, ...]
) -> Iterator[Draft]:
    text = sentence.text
    if _OVERVIEW.search(text) or text.endswith("?"):  # a question (the book's own exercise) states nothing
        return
    term = _defined_term(sentence, section)
    subject = "" if term else heading_subject(text, section)
    if term or subject:
        prompt = f"Which term fills the blank? “{_blank(text, term or subject)}”"
        yield Draft("definition", section, prompt, term or subject, text, siblings=nearby if subject else ())
    for bold in sentence.bold:
        label = text.lower().startswith(bold.lower()) and (sentence.list_item or text[len(bold) : len(bold) + 1] == ":")
        if (
            bold != term
            and not label
            and _short(bold, 4)
            and _mentions(text, bold)
            and len(bold) > 3
            and bold[-1].isalnum()
        ):
            yield Draft("cloze", section, f"Fill in the blank: {_blank(text, bold)}", bold, text)
            break
    number = NUMBER.search(text)
    if number and len(NUMBER.findall(text)) == 1 and not NOT_THE_ONLY_VALUE.search(text[: number.start()]):
        value = number.group(0)
        options = number_distractors(number, quantities.get(number.group("unit"), []), text)
        if len(options) == 3:
            prompt = f"Fill in the blank: {text[: number.start()]}{BLANK}{text[number.end() :]}"
            yield Draft("number", section, prompt, value, text, choices=(value, *options))


def _defined_term(sentence: Sentence, section: ProseSection) -> str:
    text = sentence.text
    for bold in sentence.bold:
        pattern = rf"^(?:(?:An?|The)\s+)?{re.escape(bold)}(?:\s*\([^)]*\))?\s*,?\s+{_VERB}\s+\S+(?:\s+\S+){{3,}}"
        if _short(bold, 5) and re.match(pattern, text):
            return bold
    expansion = _EXPANSION_DEFINITION.match(text)
    if expansion and expansion.group("term")[0].lower() == expansion.group("long")[0].lower():
        return expansion.group("term")
    match = _ACRONYM_DEFINITION.match(text) or _PLAIN_DEFINITION.match(text)
    if match is None:
        return dash_term(text)
    if set(match.group("term").lower().split()) <= STOP_WORDS:
        return ""
    heading = normalized(section.heading)
    term = match.group("term")
    return term if normalized(term) in heading or match.group("abbr") else ""


def _other_items(section: ProseSection, fact: ListFact, lists: list[tuple[ProseSection, ListFact]]) -> tuple[str, ...]:
    """The items of the chapter's other lists, those worded alike and under the same parent heading first:
    wrong answers of the same kind that the chapter itself teaches ("High force output" beside electric
    motors, "Configuration changes" beside "Topics are ideal for:"). A list
    about the same subject ("Physics engines model motion by:" twice) would offer answers also true."""
    own = {normalized(i) for i in fact.items}
    parent = section.heading_path[:-1]
    subject = content_words(fact.lead)
    other = [(s, f) for s, f in lists if f is not fact and len(content_words(f.lead) & subject) < 2]
    wording = set(normalized(fact.lead).split())

    def parallel(pair: tuple[ProseSection, ListFact]) -> tuple[int, bool]:  # "Services are ideal for:" first
        return -len(wording & set(normalized(pair[1].lead).split())), pair[0].heading_path[: len(parent)] != parent

    ranked = sorted(other, key=parallel)
    items = (i for _, f in ranked for i in f.items if _short(i, 10) and normalized(i) not in own)
    return tuple(dict.fromkeys(items))


def _list_drafts(
    section: ProseSection, fact: ListFact, nearby: tuple[str, ...] = (), other_items: tuple[str, ...] = ()
) -> Iterator[Draft]:
    terms = tuple(t for t, _ in fact.definitions)
    for term, description in fact.definitions[:2]:
        if term == heading_term(section.heading):  # the section's list describes its own heading's term
            where = f"section “{section.heading_path[-2]}”" if len(section.heading_path) > 2 else "chapter"
            prompt = f"Which term does the {where} describe as: “{description}”?"
            yield Draft("definition", section, prompt, term, f"{term}: {description}", siblings=nearby)
        elif _short(term, 5) and not _mentions(description, term):
            prompt = f"Which term does the section “{section.heading}” describe as: “{description}”?"
            others = tuple(t for t in terms if t != term)
            yield Draft("definition", section, prompt, term, f"{term}: {description}", siblings=others)
    items = [i for i in fact.items if _short(i, 10)]
    if fact.lead and len(items) >= 3 and not _OVERVIEW.search(fact.lead):  # not what the module will teach
        answer = items[int(hashlib.sha256(fact.lead.encode()).hexdigest(), 16) % len(items)]
        prompt = f"The section “{section.heading}” says: “{fact.lead}” Which of these is on that list?"
        size = len(answer.split())
        alike = tuple(sorted(other_items, key=lambda item: abs(len(item.split()) - size) > 2))  # stable: near first
        yield Draft("list", section, prompt, answer, f"{fact.lead} {answer}", avoid=fact.items, siblings=alike)


def _table_drafts(section: ProseSection, table: TableFact) -> Iterator[Draft]:
    keys = [row[0] for row in table.rows]
    if (
        not all(re.search(r"[A-Za-z]{2}", k) for k in keys)
        or len(table.rows) < 3
        or len({normalized(k) for k in keys}) != len(keys)
        or not all(_short(k, 6) for k in keys)
    ):
        return
    for column in range(1, len(table.header)):
        values = [row[column] for row in table.rows]
        if len({normalized(v) for v in values}) != len(values) or not all(values):
            continue
        pick = int(hashlib.sha256(f"{table.header}{column}".encode()).hexdigest(), 16) % len(table.rows)
        row = table.rows[pick]
        others = [k for k in keys if k != row[0]][:3]
        if gives_away(row[0], row[column], others):
            continue
        prompt = (
            f"In the table in “{section.heading}”, which {table.header[0] or 'entry'} has "
            f"{table.header[column] or 'the value'} “{row[column]}”?"
        )
        source = " | ".join(row)
        yield Draft("table", section, prompt, row[0], source, choices=(row[0], *others))
        return


def _pick(drafts: list[Draft]) -> list[Draft]:
    """A varied set: round-robin over styles, at most MAX_PER_SECTION per section, one per answer."""
    by_style: dict[str, list[Draft]] = {}
    for draft in drafts:
        by_style.setdefault(draft.style, []).append(draft)
    picked: list[Draft] = []
    answers: set[str] = set()
    sources: set[str] = set()
    per_section: dict[str, int] = {}
    queues = list(by_style.values())
    while queues and len(picked) < MAX_QUESTIONS:
        for queue in list(queues):
            if not queue:
                queues.remove(queue)
                continue
            draft = queue.pop(0)
            key = draft.section.anchor
            if (
                normalized(draft.answer) in answers
                or draft.source in sources
                or per_section.get(key, 0) >= MAX_PER_SECTION
            ):
                continue
            answers.add(normalized(draft.answer))
            sources.add(draft.source)
            per_section[key] = per_section.get(key, 0) + 1
            picked.append(draft)
    return picked


async def _distractors(
    drafts: list[Draft], sections: list[ProseSection], pool: Sequence[str], embedder: Embedder
) -> list[tuple[str, ...]]:
    """Each draft's choices (answer first); empty when too few distinct wrong answers exist."""
    needs = [d for d in drafts if not d.choices]
    candidates = _candidates(pool, sections)
    ranked: dict[str, list[str]] = {}
    if needs and candidates:
        texts = [d.answer for d in needs] + candidates
        vectors = np.asarray(await embedder.embed_documents(texts), dtype=np.float32)
        answers, others = vectors[: len(needs)], vectors[len(needs) :]
        for draft, vector in zip(needs, answers, strict=True):
            similarity = others @ vector
            order = np.argsort(-similarity, kind="stable")
            # a near-synonym of the key ("Cancellable" for "Ability to cancel") would also be right
            ranked[draft.answer] = [candidates[i] for i in order[:80] if similarity[i] < SYNONYM_SIMILARITY][:60]
    result = []
    for draft in drafts:
        if draft.choices:
            result.append(draft.choices)
            continue
        acceptable = _acceptable(draft, [*draft.siblings, *ranked.get(draft.answer, [])])
        wrong = acceptable[:3] if draft.style == "cloze" else _unrevealing(draft, acceptable)  # cloze: no choices
        result.append((draft.answer, *wrong) if len(wrong) >= 2 else ())
    return result


def _unrevealing(draft: Draft, acceptable: list[str]) -> list[str]:
    """Three wrong choices such that the stem's words do not point at the key alone: when the key
    shares a word with what is asked, choices sharing one too come first; none → no question."""
    stem = _asked(draft.prompt)
    wrong = least_revealing(draft.answer, stem, acceptable)
    return [] if gives_away(draft.answer, stem, wrong) else wrong


def _asked(prompt: str) -> str:
    """What a prompt asks about: its last quoted text (the description, sentence or table cell)."""
    quoted = re.findall(r"“([^”]*)”", prompt)
    return quoted[-1] if quoted else prompt


def _subject_terms(sentence: Sentence) -> list[str]:
    """The sentence's bold terms, unless it speaks about the book itself ("This chapter includes the
    **Interactive Playground**")."""
    return [] if _OVERVIEW.search(sentence.text) else [t for t in sentence.bold if _short(t, 5)]


def _candidates(pool: Sequence[str], sections: list[ProseSection]) -> list[str]:
    own = [t for s in sections for sentence in s.sentences for t in _subject_terms(sentence)]
    return list(dict.fromkeys([*own, *pool]))[:MAX_POOL]


def _acceptable(draft: Draft, ranked: list[str]) -> list[str]:
    """Wrong answers that are distinct from the key and not stated as true by the cited text."""
    kept: list[str] = []
    answer = normalized(draft.answer)
    context = normalized(f"{draft.source} {draft.section.text if draft.style == 'list' else ''}")
    for candidate in ranked:
        text = normalized(candidate)
        if not text or text == answer or text in answer or answer in text or f" {text} " in f" {context} ":
            continue
        if any(_overlap(text, normalized(a)) >= 0.5 for a in (*draft.avoid, *kept)):
            continue
        if restates(candidate, draft.answer) or not same_kind(candidate, draft.answer):
            continue
        if not fits_blank(candidate, draft.answer, draft.prompt):
            continue
        if not 0.34 <= len(text) / max(1, len(answer)) <= 3 or candidate.endswith("?"):
            continue
        kept.append(candidate)
    return kept


def _question(draft: Draft, choices: tuple[str, ...], citer: Citer) -> QuizQuestion:
    anchor = draft.section.anchor
    digest = hashlib.sha256(f"{citer.doc_path}|{draft.source}|{draft.answer}".encode()).hexdigest()[:12]
    common = {
        "id": f"{draft.style}-{digest}",
        "style": draft.style,
        "prompt": neutral_article(draft.prompt),
        "explanation": f"The section “{draft.section.heading}” says: “{draft.source}”",
        "key_terms": [draft.answer],
        "doc_path": citer.doc_path,
        "chapter_title": citer.chapter_title,
        "heading": draft.section.heading,
        "anchor": anchor,
        "anchor_url": citer.url(anchor),  # type: ignore[operator]
        "source_sentence": draft.source,
    }
    if draft.style == "cloze":
        return QuizQuestion(kind="short", answer=draft.answer, **common)
    choices = tuple(_capitalised(c) for c in choices)
    draft = replace(draft, answer=_capitalised(draft.answer))
    ordered = sorted(choices, key=lambda c: hashlib.sha256(f"{draft.answer}|{c}".encode()).hexdigest())
    return QuizQuestion(kind="mcq", choices=ordered, answer=ordered.index(draft.answer), **common)


def _capitalised(text: str) -> str:
    return text if code_like(text.split(" ", 1)[0]) else text[:1].upper() + text[1:]  # "package.xml" as written


def _blank(text: str, term: str) -> str:
    return re.sub(re.escape(term), BLANK, text, count=1, flags=re.IGNORECASE)


def _mentions(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE) is not None


def _short(text: str, max_words: int) -> bool:
    return (
        1 <= len(text.split()) <= max_words
        and len(text) <= 80
        and not text.endswith(":")
        and re.search(r"[A-Za-z]{2}", text) is not None
    )


def _overlap(a: str, b: str) -> float:
    x, y = set(a.split()) - STOP_WORDS, set(b.split()) - STOP_WORDS
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0
