"""Asked how to handle a thing the book names the field of but never the thing ("How do I configure TLS
certificates?" of a course that says port 8883 carries MQTT over TLS), the answerer says the book does
not cover it instead of quoting the one line that shares the modifier."""

from __future__ import annotations

from typing import Any

from booktutor.extractive import AbstentionPolicy, compose_answer

PORTS = """## Well-known ports

- 8883 carries MQTT over TLS.
- 1883 carries MQTT without encryption.
- Configure the broker's port in its settings file before the first run.
"""


def _result(text: str) -> dict[str, Any]:
    return {
        "n": 1,
        "source": "book",
        "doc_path": "reference/ports.md",
        "chapter_title": "Reference",
        "heading": "Well-known ports",
        "anchor_url": "/docs/reference/ports#well-known-ports",
        "text": text,
        "score": 0.03,
        "dense_score": 0.3,
        "lexical_rank": 1,
        "language": "en",
        "purpose": "exposition",
    }


def _evidence(**df: int) -> dict[str, Any]:
    return {
        "chunks": 40,
        "language": "en",
        "terms": [{"word": w, "term": w, "df": n, "in_top": n > 0} for w, n in df.items()],
    }


async def _ask(question: str, evidence: dict[str, Any], embedder: Any) -> Any:
    return await compose_answer(
        question, [_result(PORTS)], embedder=embedder, policy=AbstentionPolicy(), evidence=evidence
    )


async def test_a_modified_thing_whose_head_the_book_never_uses_abstains(embedder: Any) -> None:
    composed = await _ask(
        "How do I configure TLS certificates?", _evidence(configure=1, tls=1, certificates=0), embedder
    )
    assert composed.abstained, composed.text


async def test_a_thing_the_book_names_is_answered(embedder: Any) -> None:
    composed = await _ask("How do I configure the broker port?", _evidence(configure=1, broker=3, port=4), embedder)
    assert not composed.abstained, composed.text
    assert "Configure the broker's port" in composed.text, composed.text
