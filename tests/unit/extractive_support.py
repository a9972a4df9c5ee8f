"""The offline answerer in one call, as its unit tests use it."""

from __future__ import annotations

from typing import Any

from booktutor.extractive import AbstentionPolicy, ComposedAnswer, compose_answer


async def answer(question: str, results: list[dict[str, Any]], embedder: Any = None) -> ComposedAnswer:
    return await compose_answer(question, results, embedder=embedder, policy=AbstentionPolicy())
