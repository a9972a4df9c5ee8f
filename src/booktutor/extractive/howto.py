"""Asked how to do something the book files under a heading that says it ("Adding a Depth Camera (SDF)" for "How
do I add a depth camera to my robot?"), the listing under that heading is how: a configuration file (XML, SDF,
YAML) names its settings, not the learner's words, so no excerpt of it matched the question well enough to be
shown beside the sentences, which only say what the thing is."""

from __future__ import annotations

from booktutor.extractive.analysis import Analysis
from booktutor.extractive.excerpts import DIAGRAM_LANGUAGES
from booktutor.extractive.scoring import MAX_CODE_LINES
from booktutor.extractive.selection import identifier_terms

HEADING_SHARE = 2 / 3
"""A heading names the asked procedure when it holds this share of the question's words (and two at least): the
learner adds what the heading leaves implicit ("to my robot")."""
MIN_HEADING_TERMS = 2


def listing_under_heading(analysis: Analysis) -> int | None:
    """The excerpt (or short block) of a listing whose section heading names the asked procedure: one that starts
    whole and names a question word in its text or identifiers (`imu_sensor`) before others, the best scored of
    them; None when no section's heading names the procedure."""
    asked = analysis.question_terms
    wanted = max(MIN_HEADING_TERMS, HEADING_SHARE * len(asked))
    listings = [
        i
        for i, c in enumerate(analysis.candidates)
        if c.source == "book"
        and not c.diagram
        and (c.kind == "excerpt" or (c.kind == "code" and len(c.text.splitlines()) <= MAX_CODE_LINES))
        and c.code_language.lower() not in DIAGRAM_LANGUAGES
        and len(c.heading & asked) >= wanted
    ]
    if not listings:
        return None

    def preference(i: int) -> tuple[bool, bool, float]:
        code = analysis.candidates[i]
        names = bool((code.terms | identifier_terms(code.text)) & asked)
        return starts_whole(code.text), names, float(analysis.total[i])

    return max(listings, key=preference)


def starts_whole(excerpt: str) -> bool:
    """The (dedented) excerpt starts at its own outermost level, not inside an element or a block a stanza
    before it opened ("  </depth_camera>", the tail of a camera's settings)."""
    return not excerpt[:1].isspace()
