"""A definition list ("Term" then ": what it means") is read as "Term: what it means", never "Term: : ..." nor a
definition without its term."""

from __future__ import annotations

import re
from typing import Any

from tests.unit.extractive_support import answer, hit

from booktutor.extractive.text import split_markdown

WORDS = """## Words of the workshop

Chisel
: A blade with a bevelled edge, struck with a mallet to pare wood away.

**Dovetail**
: A joint of fan-shaped pins and tails that locks two boards at a corner against pulling apart.

Kerf
: The slot a saw blade cuts, as wide as the blade's teeth are set.
: The wood lost to that slot, which a careful marker allows for.
"""


def test_each_definition_is_read_with_its_term() -> None:
    sentences = [s.text for s in split_markdown(WORDS) if s.kind == "sentence"]
    assert sentences == [
        "Chisel: A blade with a bevelled edge, struck with a mallet to pare wood away.",
        "Dovetail: A joint of fan-shaped pins and tails that locks two boards at a corner against pulling apart.",
        "Kerf: The slot a saw blade cuts, as wide as the blade's teeth are set.",
        "Kerf: The wood lost to that slot, which a careful marker allows for.",
    ]


async def test_an_answer_quotes_a_definition_with_its_term(embedder: Any) -> None:
    composed = await answer("What is a dovetail?", [hit(1, WORDS, "Words of the workshop")], embedder)
    text = re.sub(r"\s*\[\d+\]", "", composed.text)
    assert "Dovetail: A joint of fan-shaped pins and tails" in text, text
    assert not re.search(r":\s*:|^:", text, re.M), text
