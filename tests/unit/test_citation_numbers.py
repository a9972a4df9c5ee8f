"""Citation markers renumbered 1..n in order of use while the answer streams."""

from __future__ import annotations

from booktutor.graph.citations import CitationNumbers
from booktutor.tools.context import Source


def source(n: int, url: str) -> Source:
    return Source(
        n=n,
        source="book",
        doc_path="a.md",
        chapter_title="A",
        heading="H",
        anchor_url=url,
        text="",
        snippet="",
        score=1.0,
        dense_score=None,
        lexical_rank=None,
        language="en",
    )


ANSWER = "Alpha is x [3]. Beta [1] and [21]. Gamma [9].\n\n```python\nargv[1] = x [1]\n```\nDone [3]."


def test_markers_are_renumbered_in_order_of_use_across_deltas() -> None:
    numbers = CitationNumbers({1: source(1, "/a#one"), 3: source(3, "/a#three"), 21: source(21, "/a#sub")})
    streamed = "".join(numbers.feed(ANSWER[i : i + 3]) for i in range(0, len(ANSWER), 3)) + numbers.flush()
    assert streamed.startswith("Alpha is x [1]. Beta [2] and [3]. Gamma [9].")
    assert "argv[1] = x [1]" in streamed, "code is never rewritten"
    assert streamed.endswith("Done [1].")
    assert numbers.rewrite(ANSWER) == streamed
    assert [(c["n"], c["anchor_url"]) for c in numbers.citations()] == [(1, "/a#three"), (2, "/a#one"), (3, "/a#sub")]
