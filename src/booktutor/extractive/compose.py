"""Grounded extractive answers: quote the book's most relevant sentences with [n] citations.

Pure logic (no Agents SDK): split retrieved Markdown chunks into sentences, score them against the
question, pick 2-4 non-redundant ones and render them with the citation marker of their source.
Decide first, from several retrieval signals, whether the book covers the question at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from booktutor.extractive.abstention import AbstentionPolicy, evidence_score, should_abstain
from booktutor.extractive.analysis import analyse
from booktutor.extractive.rendering import abstention_text, reading_order, render
from booktutor.extractive.selection import select_code, select_sentences
from booktutor.providers.embeddings import Embedder


@dataclass(frozen=True)
class ComposedAnswer:
    text: str
    cited: list[int]
    abstained: bool
    language: str
    signals: dict[str, Any] = field(default_factory=dict)


async def compose_answer(
    question: str,
    results: list[dict[str, Any]],
    *,
    embedder: Embedder | None,
    policy: AbstentionPolicy,
    evidence: dict[str, Any] | None = None,
) -> ComposedAnswer:
    analysis = await analyse(question, results, embedder=embedder, evidence=evidence)
    signals = dict(analysis.features, evidence=evidence_score(analysis.features, policy))
    picked = select_sentences(analysis) if not should_abstain(analysis.features, policy) else []
    if not picked:
        language = (evidence or {}).get("language")  # the learner's: the language of the question
        return ComposedAnswer(abstention_text(results, language), [], True, "en", signals)
    order = reading_order(analysis, picked)
    text, cited = render(analysis, question, order, select_code(analysis, question, picked))
    return ComposedAnswer(text, cited, False, analysis.candidates[order[0]].language, signals)
