"""`booktutor eval translation`: machine translation of a bilingual corpus vs its human Urdu.

For every English chapter with a stored translation under
i18n/<lang>/docusaurus-plugin-content-docs/current/, the chapter is machine-translated with the
configured provider through the same checked pipeline as the API, then scored: chrF (sacrebleu)
against the human version, and the structure-preservation rate (headings with anchors, code
blocks byte for byte, links, images, tables and front-matter keys all kept). Needs a language
model provider; offline it is skipped.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sacrebleu
from agents import Model

from booktutor.config import Settings
from booktutor.errors import AppError
from booktutor.markdown.front_matter import split_front_matter
from booktutor.providers.registry import build_model
from booktutor.rewrite.generation import generative_model, model_id
from booktutor.rewrite.structure import compare_markdown
from booktutor.translate.service import Translator, anchor_headings, translate_document

DEFAULT_CORPUS = Path("../shared/corpus/robotics-book-en-ur")


@dataclass
class DocumentScore:
    path: str
    chrf: float | None
    structure_ok: bool
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class TranslationEvalReport:
    language: str
    model: str | None
    skipped: str | None = None
    documents: list[DocumentScore] = field(default_factory=list)
    chrf: float | None = None  # corpus-level, over the documents that translated
    structure_rate: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def corpus_pairs(corpus: Path, language: str = "ur") -> list[tuple[str, Path, Path]]:
    """(relative path, English file, human translation) for every translated chapter."""
    docs = corpus / "docs"
    translated = corpus / "i18n" / language / "docusaurus-plugin-content-docs" / "current"
    pairs = []
    for english in sorted(docs.rglob("*.md*")):
        relative = english.relative_to(docs).as_posix()
        human = translated / relative
        if human.is_file():
            pairs.append((relative, english, human))
    return pairs


async def evaluate_translation(
    settings: Settings,
    *,
    corpus: Path = DEFAULT_CORPUS,
    language: str = "ur",
    limit: int | None = None,
    model: Model | None = None,
) -> TranslationEvalReport:
    writer = generative_model(model or build_model(settings))
    if writer is None:
        return TranslationEvalReport(language, None, skipped="no language model provider is configured")
    report = TranslationEvalReport(language, model_id(writer))
    hypotheses, references = [], []
    for relative, english, human in corpus_pairs(corpus, language)[:limit]:
        score, translated = await _score_document(writer, relative, english, human, language)
        report.documents.append(score)
        if translated is not None:
            hypotheses.append(translated)
            references.append(split_front_matter(human.read_text(encoding="utf-8"))[1])
    if report.documents:
        report.structure_rate = sum(d.structure_ok for d in report.documents) / len(report.documents)
    if hypotheses:
        report.chrf = round(sacrebleu.corpus_chrf(hypotheses, [references]).score, 2)
    return report


async def _score_document(
    writer: Model, relative: str, english: Path, human: Path, language: str
) -> tuple[DocumentScore, str | None]:
    front_matter, body = split_front_matter(await asyncio.to_thread(english.read_text, "utf-8"))
    started = time.perf_counter()
    try:
        translated_fm, translated = await translate_document(Translator(writer, "en", language), body, front_matter)
    except AppError as error:
        problems = (error.details or {}).get("problems", []) if isinstance(error.details, dict) else []
        return DocumentScore(relative, None, False, [error.message, *problems], time.perf_counter() - started), None
    problems = compare_markdown(
        anchor_headings(body),
        translated,
        translated=True,
        original_front_matter=front_matter,
        candidate_front_matter=translated_fm,
    )
    reference = split_front_matter(await asyncio.to_thread(human.read_text, "utf-8"))[1]
    chrf = sacrebleu.sentence_chrf(translated, [reference]).score
    return DocumentScore(relative, round(chrf, 2), not problems, problems, time.perf_counter() - started), translated


def render_markdown(report: TranslationEvalReport) -> str:
    """The section for docs/evals.md."""
    if report.skipped:
        return f"## Translation ({report.language})\n\nSkipped: {report.skipped}.\n"
    rate = f"{report.structure_rate:.0%}" if report.structure_rate is not None else "n/a"
    lines = [
        f"## Translation (en → {report.language})",
        "",
        f"Model `{report.model}`, {len(report.documents)} chapters: corpus chrF **{report.chrf}**, "
        f"structure preserved in **{rate}** of chapters.",
        "",
        "| Chapter | chrF | Structure | Problems |",
        "|---|---|---|---|",
    ]
    for doc in report.documents:
        problems = "; ".join(doc.problems)[:160].replace("|", "\\|")
        lines.append(
            f"| {doc.path} | {doc.chrf if doc.chrf is not None else '—'} | "
            f"{'ok' if doc.structure_ok else 'broken'} | {problems} |"
        )
    return "\n".join(lines) + "\n"
