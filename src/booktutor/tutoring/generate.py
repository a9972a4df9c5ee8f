"""Deterministic offline questions from a chapter's key terms and key sentences.

Definition questions (mcq) ask which key term a glossary definition describes, with distractors
drawn from the terms whose definitions are most similar (MiniLM), so they are plausible but wrong.
Cloze questions (short) blank a key term out of the body sentence that introduces it. Every
question keeps the sentence it came from (`source_sentence`) and the section it cites.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from booktutor.ingest.purpose import is_glossary_page
from booktutor.markdown.glossary import extract_key_terms
from booktutor.markdown.urls import anchor_url
from booktutor.providers.embeddings import Embedder
from booktutor.tutoring.choices import least_revealing, neutral_article, restates, same_kind
from booktutor.tutoring.code_questions import MAX_CODE_QUESTIONS, MIN_CHAPTER_QUESTIONS, code_questions
from booktutor.tutoring.facts import prose_sections
from booktutor.tutoring.imported import BookPage
from booktutor.tutoring.prose import Citer, book_pool, prose_questions
from booktutor.tutoring.questions import QuizQuestion, normalized

GENERATOR_VERSION = "offline-v10"
MAX_DISTRACTORS = 3
MAX_RELATED = 12  # the closest terms kept per term, from which the distractors are chosen
MIN_SENTENCE_WORDS, MAX_SENTENCE_WORDS = 8, 60
BLANK = "_____"
_MARKUP = re.compile(r"\*\*|__|`")
_GLOSSARY_HEADING = re.compile(r"^(key terms|glossary)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Section:
    heading_path: tuple[str, ...]
    anchor: str
    text: str


@dataclass(frozen=True, slots=True)
class ChapterMaterial:
    """What the generator reads: one chapter in the book's source language, plus the book's terms."""

    doc_path: str
    chapter_title: str
    front_matter: dict
    language: str
    markdown: str
    sections: Sequence[Section]
    book_terms: dict[str, str] = field(default_factory=dict)  # distractor pool from the whole book
    # every page of the book in this language, in sidebar order: imported questions, distractor pool
    book_chapters: Sequence[BookPage] = ()
    permalink: str = ""  # the chapter's path on the book's site (made at ingest)

    def content_hash(self) -> str:
        pool = "\n".join(sorted(self.book_terms))
        book = hashlib.sha256("\n\0".join(p.markdown for p in self.book_chapters).encode()).hexdigest()
        return hashlib.sha256(f"{GENERATOR_VERSION}\n{self.markdown}\n{pool}\n{book}".encode()).hexdigest()

    def url(self, anchor: str) -> str:
        return anchor_url(
            self.doc_path,
            self.front_matter,
            anchor,
            language=self.language,
            default_language=self.language,
            permalink=self.permalink,
        )


async def generate_offline(
    material: ChapterMaterial, embedder: Embedder, pool: Sequence[str] | None = None
) -> list[QuizQuestion]:
    """Key-term questions first, then questions from the chapter's prose (`tutoring.prose`), then, for a
    chapter with few of those, from its code (`tutoring.code_questions`)."""
    questions = await _key_term_questions(material, embedder)
    citer = Citer(material.doc_path, material.chapter_title, material.url)
    if pool is None:
        pool = book_pool(material.book_chapters)
    seen = {_answer_key(q) for q in questions} | {q.source_sentence for q in questions}
    prose = await prose_questions(material.markdown, material.chapter_title, citer, pool, embedder)
    wanted = min(MAX_CODE_QUESTIONS, MIN_CHAPTER_QUESTIONS - len(questions) - len(prose))
    code = code_questions(material.markdown, material.chapter_title, citer, wanted) if wanted > 0 else []
    for question in [*prose, *code]:
        if _answer_key(question) not in seen and question.source_sentence not in seen:
            seen |= {_answer_key(question), question.source_sentence}
            questions.append(question)
    if is_glossary_page(material.doc_path) or is_glossary_page(material.chapter_title):
        return _not_taught_elsewhere(questions, material)
    return questions


def _not_taught_elsewhere(questions: list[QuizQuestion], material: ChapterMaterial) -> list[QuizQuestion]:
    """A glossary page's questions about what no other page of the book names: the chapters that teach
    a term ask about it there, with its context; the glossary restates every term in brief."""
    others = "\n".join(
        page.markdown
        for page in material.book_chapters
        if page.source_path != material.doc_path and not is_glossary_page(page.source_path)
    ).lower()
    return [q for q in questions if not _names(others, q.correct_answer_text())]


def _names(text: str, answer: str) -> bool:
    words = re.sub(r"\([^)]*\)", " ", answer).lower().split()
    phrase = r"\W+".join(map(re.escape, words))
    return bool(words) and re.search(rf"(?<!\w){phrase}(?!\w)", text) is not None


def _answer_key(question: QuizQuestion) -> str:
    return normalized(re.sub(r"\([^)]*\)", " ", question.correct_answer_text()))


async def _key_term_questions(material: ChapterMaterial, embedder: Embedder) -> list[QuizQuestion]:
    terms = extract_key_terms(material.markdown)
    if not terms:
        return []
    pool = {**material.book_terms, **terms}
    distractors = await _related_terms(terms, pool, embedder)
    questions: list[QuizQuestion] = []
    for term, definition in terms.items():
        question = _definition_question(material, term, definition, distractors[term])
        if question is not None:
            questions.append(question)
        cloze = _cloze_question(material, term)
        if cloze is not None:
            questions.append(cloze)
    return questions


async def _related_terms(terms: dict[str, str], pool: dict[str, str], embedder: Embedder) -> dict[str, list[str]]:
    """For each term, the other terms whose definitions are closest to its own, most similar first."""
    names = list(pool)
    vectors = np.asarray(await embedder.embed_documents([f"{n}: {pool[n]}" for n in names]), dtype=np.float32)
    index = {name: i for i, name in enumerate(names)}
    related: dict[str, list[str]] = {}
    for term in terms:
        similarity = vectors @ vectors[index[term]]
        ranked = [names[i] for i in np.argsort(-similarity, kind="stable") if _is_distinct(names[i], term)]
        related[term] = _dedupe(ranked)[:MAX_RELATED]  # spares: the cited sentence may name some
    return related


def _is_distinct(candidate: str, term: str) -> bool:
    """Another term of the same kind that does not restate this one."""
    a, b = normalized(candidate), normalized(term)
    distinct = bool(a) and a != b and a not in b and b not in a
    return distinct and not restates(candidate, term) and same_kind(candidate, term)


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for name in names:
        if normalized(name) not in seen:
            seen.add(normalized(name))
            kept.append(name)
    return kept


def _definition_question(
    material: ChapterMaterial, term: str, definition: str, wrong: list[str]
) -> QuizQuestion | None:
    """None when fewer than two distractors remain that the cited sentence does not itself name."""
    found = _key_sentence(material, term)
    section = found[0] if found else _glossary_section(material)
    cited = normalized(found[1] if found else definition)
    wrong = [w for w in wrong if f" {normalized(w)} " not in f" {cited} "]
    wrong = least_revealing(term, _masked(definition, term), wrong, MAX_DISTRACTORS)
    if len(wrong) < 2:
        return None
    choices = sorted([term, *wrong], key=lambda c: hashlib.sha256(f"{term}|{c}".encode()).hexdigest())
    return QuizQuestion(
        id=_question_id("def", material.doc_path, term),
        kind="mcq",
        style="definition",
        prompt=neutral_article(f"Which term matches this definition? “{_masked(definition, term)}”"),
        choices=choices,
        answer=choices.index(term),
        explanation=f"{term}: {definition}",
        key_terms=[term],
        doc_path=material.doc_path,
        chapter_title=material.chapter_title,
        heading=section.heading_path[-1] if section else material.chapter_title,
        anchor=section.anchor if section else "",
        anchor_url=material.url(section.anchor if section else ""),
        source_sentence=found[1] if found else f"{term}: {definition}",
    )


def _masked(definition: str, term: str) -> str:
    """The definition's first sentence, with the term (and its plural) blanked out."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", definition.strip())[0]
    for variant in _term_variants(term):
        first = re.sub(rf"(?<!\w){re.escape(variant)}(?:e?s)?(?!\w)", BLANK, first, flags=re.IGNORECASE)
    return first


def _cloze_question(material: ChapterMaterial, term: str) -> QuizQuestion | None:
    found = _key_sentence(material, term)
    if found is None:
        return None
    section, sentence, variant = found
    pattern = re.compile(re.escape(variant), re.IGNORECASE)
    return QuizQuestion(
        id=_question_id("cloze", material.doc_path, term),
        kind="short",
        style="cloze",
        prompt=neutral_article(f"Fill in the blank: {pattern.sub(BLANK, sentence, count=1)}"),
        answer=variant,
        explanation=f"The sentence in the book reads: “{sentence}”",
        key_terms=[variant],
        doc_path=material.doc_path,
        chapter_title=material.chapter_title,
        heading=section.heading_path[-1],
        anchor=section.anchor,
        anchor_url=material.url(section.anchor),
        source_sentence=sentence,
    )


def _key_sentence(material: ChapterMaterial, term: str) -> tuple[Section, str, str] | None:
    """The first body sentence that mentions the term (bold mentions preferred)."""
    variants = _term_variants(term)
    best: tuple[int, Section, str, str] | None = None
    for order, (section, sentence, bold) in enumerate(_body_sentences(material)):
        plain = _MARKUP.sub("", sentence).strip()
        lowered = plain.lower()
        variant = next((v for v in variants if re.search(rf"\b{re.escape(v.lower())}\b", lowered)), None)
        if variant is None or not MIN_SENTENCE_WORDS <= len(plain.split()) <= MAX_SENTENCE_WORDS:
            continue
        own = normalized(section.heading_path[-1]) in {normalized(v) for v in variants}
        rank = order - (10_000 if any(v.lower() in bold for v in variants) else 0) - (20_000 if own else 0)
        if best is None or rank < best[0]:
            best = (rank, section, plain, variant)
    return None if best is None else best[1:]


def _term_variants(term: str) -> list[str]:
    """ "Zero moment point (ZMP)" → the full term and "Zero moment point"; longest first."""
    base = re.sub(r"\s*\([^)]*\)\s*", " ", term).strip()
    return sorted({term, base} - {""}, key=len, reverse=True)


def _body_sentences(material: ChapterMaterial) -> Iterator[tuple[Section, str, str]]:
    """Sentences of the teaching sections, each with the section (one heading) that holds it."""
    for prose in prose_sections(material.markdown, material.chapter_title):
        section = Section(prose.heading_path, prose.anchor, prose.text)
        for sentence in prose.sentences:
            yield section, sentence.text, " ".join(b.lower() for b in sentence.bold)


def _glossary_section(material: ChapterMaterial) -> Section | None:
    return next((s for s in material.sections if _GLOSSARY_HEADING.match(s.heading_path[-1].strip())), None)


def _question_id(kind: str, doc_path: str, term: str) -> str:
    return f"{kind}-{hashlib.sha256(f'{doc_path}|{term}'.encode()).hexdigest()[:12]}"
