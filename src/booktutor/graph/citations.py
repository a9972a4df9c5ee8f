"""Citation markers renumbered 1..n in the order the answer uses them, as the answer streams.

The tools number their sources by search rank (and a hit's further sections after all hits); the
learner sees [1], [2], ... in reading order, each pointing at the section that holds the quoted text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from booktutor.graph.state import Citation
from booktutor.tools.context import MAX_SOURCE_N, Source

_DIGITS = len(str(MAX_SOURCE_N))
_TOKEN = re.compile(rf"```|(?<![^\s(])\[(\d{{1,{_DIGITS}}})\]")
"""A code fence, or a citation marker (after a space, never inside code such as `argv[1]`)."""
_PARTIAL = re.compile(rf"(?:\[\d{{0,{_DIGITS}}}|`{{1,2}})$")


class CitationNumbers:
    """Rewrites [n] markers of known sources to their order of first use; keeps the mapping."""

    def __init__(self, sources: Mapping[int, Source]) -> None:
        self.sources = sources
        self.order: dict[int, int] = {}  # source number -> displayed number
        self._pending = ""
        self._in_code = False

    def _rewrite(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "```":
                self._in_code = not self._in_code
                return match.group(0)
            number = int(match.group(1))
            if self._in_code or number not in self.sources:
                return match.group(0)
            return f"[{self.order.setdefault(number, len(self.order) + 1)}]"

        return _TOKEN.sub(replace, text)

    def feed(self, delta: str) -> str:
        """The delta with its markers renumbered; a marker or fence cut by the delta's end waits."""
        text = self._pending + delta
        partial = _PARTIAL.search(text)
        cut = partial.start() if partial else len(text)
        if cut > 0 and not text[cut - 1].isspace() and partial and partial.group(0).startswith("["):
            cut = len(text)  # "argv[1" is code, not a marker: nothing to wait for
        self._pending = text[cut:]
        return self._rewrite(text[:cut])

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return self._rewrite(rest)

    def rewrite(self, text: str) -> str:
        """A whole answer renumbered with the same mapping (the streamed answer, as stored)."""
        self._in_code = False
        return self._rewrite(text)

    def citations(self) -> list[Citation]:
        """One citation per displayed number, in order."""
        shown = sorted(self.order.items(), key=lambda item: item[1])
        return [citation(self.sources[number], displayed) for number, displayed in shown]


def citation(source: Source, number: int) -> Citation:
    return Citation(
        n=number,
        doc_path=source["doc_path"],
        chapter_title=source["chapter_title"],
        heading=source["heading"],
        anchor_url=source["anchor_url"],
        snippet=source["snippet"],
        score=float(source["score"] or 0.0),
    )
