"""A candidate of an answer: a sentence, code block or code excerpt of a retrieved chunk, with where it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from booktutor.extractive.excerpts import DIAGRAM_EXCERPT_LANGUAGE

CandidateKind = Literal["sentence", "code", "excerpt"]


@dataclass(frozen=True)
class Candidate:
    text: str
    kind: CandidateKind  # an excerpt: a few lines of a code block (extractive.excerpts)
    n: int
    rank: int
    position: int
    source: str
    language: str
    terms: frozenset[str]
    code_language: str = ""
    doc: str = ""  # the cited document: a sentence from another one adds a citation
    purpose: str = "exposition"  # of its chunk (booktutor.ingest.purpose)
    list_item: bool = False
    table_row: bool = False
    item: int = 0  # the list item of its chunk that holds it (0: none): a long item's sentences share it
    numbered: bool = False  # an item of a numbered list ("1. Flash the board"): its steps keep their order
    intro: bool = False  # in a chapter's opening, before its first section: it introduces, rarely answers
    opening: bool = False  # the same, or under the page's title heading: citing it cites the chapter's intro
    heading: frozenset[str] = frozenset()  # the content words of its section's heading
    opens_list: bool = False  # a lead-in ending with a colon: quoted, the list it introduces follows
    whole: str = ""  # a lead-in with the items it introduces: what it says, matched against the question
    describes_code: bool = False  # "Heading: the lead-in before its code": quoted only for what the heading is
    stanza: int = 0  # an excerpt's place among its block's excerpts (`excerpts.ANSWERING_EXCERPTS_PER_BLOCK`)
    listing: str = ""  # an excerpt's whole code block (`excerpts.with_body`)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def diagram(self) -> bool:
        """A flowchart's edges read as lines (extractive.diagrams): terse labels that back the prose up,
        shown beside it, never the whole answer nor the code a learner asked for."""
        return self.kind == "excerpt" and self.code_language == DIAGRAM_EXCERPT_LANGUAGE
