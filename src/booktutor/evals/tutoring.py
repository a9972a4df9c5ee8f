"""`booktutor eval tutoring --corpus DIR`: quiz coverage and generated-question checks, offline.

Reads the book from disk (no database): each source-language chapter's questions are what a new
quiz draws from (imported ones from the book's own quiz pages and sections, then the offline
generator's). Coverage is the share of chapters with >= 300 words of prose that offer >= 3
questions (glossary pages left out: they ask only about terms no other page names). A deterministic
sample of generated questions is checked mechanically: the source sentence is in the section the
question cites, the keyed answer is stated by that sentence, and no other choice is (the key is
unique), with distinct choices.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booktutor.ingest.discover import discover_book
from booktutor.ingest.document import sort_key
from booktutor.ingest.models import ParsedDocument
from booktutor.ingest.parse import parse_book
from booktutor.ingest.purpose import is_glossary_page
from booktutor.providers.embeddings import Embedder
from booktutor.tutoring.facts import ProseSection, prose_sections, prose_words
from booktutor.tutoring.generate import ChapterMaterial, Section, generate_offline
from booktutor.tutoring.imported import BookPage, imported_questions
from booktutor.tutoring.prose import book_pool
from booktutor.tutoring.questions import QuizQuestion, normalized

MIN_PROSE_WORDS = 300
MIN_QUESTIONS = 3


@dataclass(slots=True)
class ChapterResult:
    path: str
    prose_words: int
    imported: int
    generated: int
    styles: dict[str, int] = field(default_factory=dict)

    @property
    def offered(self) -> int:
        return self.imported + self.generated


@dataclass(slots=True)
class TutoringReport:
    book: str
    chapters: list[ChapterResult]
    checked: list[dict[str, Any]]

    def summary(self) -> dict[str, Any]:
        # a glossary page asks only about terms no other page names (`tutoring.generate`)
        eligible = [c for c in self.chapters if c.prose_words >= MIN_PROSE_WORDS and not is_glossary_page(c.path)]
        covered = [c for c in eligible if c.offered >= MIN_QUESTIONS]
        styles: dict[str, int] = {}
        for chapter in self.chapters:
            for style, count in chapter.styles.items():
                styles[style] = styles.get(style, 0) + count

        def share(key: str) -> float:
            return round(sum(bool(c[key]) for c in self.checked) / len(self.checked), 3) if self.checked else 0.0

        return {
            "book": self.book,
            "chapters": len(self.chapters),
            "eligible_chapters": len(eligible),
            "covered_chapters": len(covered),
            "coverage": round(len(covered) / len(eligible), 3) if eligible else 0.0,
            "uncovered": [c.path for c in eligible if c.offered < MIN_QUESTIONS],
            "imported_questions": sum(c.imported for c in self.chapters),
            "generated_questions": sum(c.generated for c in self.chapters),
            "styles": dict(sorted(styles.items())),
            "sample_size": len(self.checked),
            "source_in_section": share("source_in_section"),
            "answer_in_source": share("answer_in_source"),
            "key_unique": share("key_unique"),
            "all_checks": share("ok"),
        }


async def evaluate_tutoring(corpus: Path, embedder: Embedder, *, sample: int = 60) -> TutoringReport:
    source = discover_book(corpus)
    documents, _ = parse_book(source)
    docs = sorted((d for d in documents if d.language == source.default_language), key=sort_key)
    chapters = [BookPage(d.source_path, d.title, d.markdown, d.front_matter, d.language) for d in docs]
    pool = book_pool(chapters)
    imported = imported_questions(chapters)
    results: list[ChapterResult] = []
    generated: list[tuple[QuizQuestion, list[ProseSection]]] = []
    for doc in docs:
        sections = prose_sections(doc.markdown, doc.title, teaching_only=False)
        questions = await generate_offline(_material(doc, chapters), embedder, pool)
        own = imported.get(doc.source_path, [])
        styles: dict[str, int] = {}
        for question in questions:
            styles[question.style] = styles.get(question.style, 0) + 1
        if own:
            styles["imported"] = len(own)
        results.append(ChapterResult(doc.source_path, prose_words(sections), len(own), len(questions), styles))
        generated += [(q, sections) for q in questions]
    checked = [check_question(q, sections) for q, sections in _sample(generated, sample)]
    return TutoringReport(corpus.name, results, checked)


def _material(doc: ParsedDocument, chapters: Sequence[BookPage]) -> ChapterMaterial:
    return ChapterMaterial(
        doc_path=doc.source_path,
        chapter_title=doc.title,
        front_matter=doc.front_matter,
        language=doc.language,
        markdown=doc.markdown,
        permalink=doc.slug,
        sections=[Section(c.heading_path, c.anchor, c.text) for c in doc.chunks],
        book_chapters=chapters,
    )


def _sample(
    items: list[tuple[QuizQuestion, list[ProseSection]]], size: int
) -> list[tuple[QuizQuestion, list[ProseSection]]]:
    ranked = sorted(items, key=lambda item: hashlib.sha256(item[0].id.encode()).hexdigest())
    return ranked[:size]


def check_question(question: QuizQuestion, sections: list[ProseSection]) -> dict[str, Any]:
    """The three mechanical checks for one generated question."""
    cited = next((s for s in sections if s.anchor == question.anchor), None)
    source = normalized(question.source_sentence)
    section_text = normalized(_section_text(cited)) if cited else ""
    in_section = bool(source) and (source in section_text or _row_in(question, cited))
    answer = normalized(question.correct_answer_text())
    base = normalized(re.sub(r"\([^)]*\)", " ", question.correct_answer_text()))
    answer_in_source = bool(base) and (f" {answer} " in f" {source} " or f" {base} " in f" {source} ")
    wrong = [normalized(c) for i, c in enumerate(question.choices) if i != question.answer]
    unique = len(set(wrong)) == len(wrong) and answer not in wrong and not any(f" {w} " in f" {source} " for w in wrong)
    return {
        "id": question.id,
        "style": question.style,
        "heading": question.heading,
        "prompt": question.prompt,
        "answer": question.correct_answer_text(),
        "choices": question.choices,
        "source_in_section": in_section,
        "answer_in_source": answer_in_source,
        "key_unique": unique,
        "ok": in_section and answer_in_source and unique,
    }


def _section_text(section: ProseSection) -> str:
    definitions = [f"{t}: {d}" for fact in section.lists for t, d in fact.definitions]
    lists = [f"{fact.lead} {item}" for fact in section.lists for item in fact.items]
    return " ".join([section.text, *definitions, *lists, *section.listings])  # code questions quote listings


def _row_in(question: QuizQuestion, section: ProseSection | None) -> bool:
    if section is None:
        return False
    return any(" | ".join(row) == question.source_sentence for table in section.tables for row in table.rows)


def render_markdown(summaries: list[dict[str, Any]]) -> str:
    lines = [
        "## Tutoring eval",
        "",
        "`booktutor eval tutoring --corpus DIR` (offline; the generated-question sample is checked mechanically).",
        "",
        "| book | chapters ≥ 300 prose words | with ≥ 3 questions | coverage | imported | generated | "
        "sample | source in cited section | key stated by source | key unique | all checks |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        lines.append(
            f"| {s['book']} | {s['eligible_chapters']} | {s['covered_chapters']} | {s['coverage']:.0%} | "
            f"{s['imported_questions']} | {s['generated_questions']} | {s['sample_size']} | "
            f"{s['source_in_section']:.0%} | {s['answer_in_source']:.0%} | {s['key_unique']:.0%} | "
            f"{s['all_checks']:.0%} |"
        )
    return "\n".join(lines) + "\n"


class CachingEmbedder:
    """Remembers vectors by text: the book's distractor pool is embedded once, not per chapter."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self.vectors: dict[str, list[float]] = {}

    async def embed_query(self, text: str) -> list[float]:
        return await self.inner.embed_query(text)

    async def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, await self.inner.embed_documents(missing), strict=True))
        return [self.vectors[t] for t in texts]


def render_grading(report: dict[str, Any]) -> str:
    lines = [
        "",
        "### Grading eval (offline short-answer grader)",
        "",
        f"{report['answers']} learner answers over the bundled book's short questions "
        "(`src/booktutor/tutoring/data/grading_eval.jsonl`). Accuracy counts the verdicts given; "
        "`unsure` hands the answer to the learner with the model answer.",
        "",
        f"- verdicts given: {report['verdicts_given']} of {report['answers']} (unsure: {report['unsure']})",
        f"- accuracy on verdicts given: {report['accuracy_on_given']:.1%} "
        f"(pass/fail only: {report['pass_fail_accuracy_on_given']:.1%})",
        "",
        "| kind of answer | answers | unsure | right verdict |",
        "|---|---|---|---|",
    ]
    for category, row in report["by_category"].items():
        lines.append(f"| {category} | {row['answers']} | {row['unsure']} | {row['right']} |")
    return "\n".join(lines) + "\n"
