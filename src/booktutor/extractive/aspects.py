"""The side of its topic a question asks about (a drawback, a benefit; of a course: with whom the learner may
work, when work is due) and whether a sentence states it, by their wording."""

from __future__ import annotations

import re

_NAMED_WORDS = r"(?:[\w'-]+\s+){0,4}?"
_HANDED_IN = r"(?:projects?|assignments?|assessments?|homework|reports?|labs?|exercises?|activit(?:y|ies)|essays?)"
ASPECTS = {
    "drawback": re.compile(
        r"\b(?:disadvantages?|drawbacks?|downsides?|limitations?|weakness(?:es)?|cons|shortcomings?|"
        r"problems?\s+(?:with|of)|costs?\s+of|trade-?offs?)\b",
        re.I,
    ),
    "benefit": re.compile(r"\b(?:advantages?|benefits?|strengths?|pros|upsides?|why\s+use)\b", re.I),
    "collaboration": re.compile(
        r"\b(?:can|may|should|must|do|am|are)\s+(?:i|we)\s+(?:\w+\s+){0,4}?(?:with\s+(?:an?\s+|my\s+)?"
        r"(?:partners?|friends?|classmates?|teammates?|other\s+students)|in\s+(?:pairs|groups|teams)|"
        r"collaborat\w*|team\s+up|pair\s+up)\b|"
        r"\b(?:i|we)\s+(?:\w+\s+){0,3}?work\s+(?:alone|together|individually|on\s+my\s+own|in\s+(?:pairs|groups|teams))\b|"
        r"\b(?:group|team|pair|individual|solo)\s+(?:project|work|assignment|assessment)s?\b",
        re.I,
    ),
    "deadline": re.compile(
        rf"\bwhen\s+(?:is|are)\b.*\bdue\b|\bdue\s+date\b|"
        rf"\bwhen\s+(?:do|must|should|can|will)\s+(?:i|we|you)\s+(?:\w+\s+){{0,3}}?(?:submit|hand\s+in|turn\s+in)\b|"
        rf"\b(?:deadline|last\s+day)\s+(?:for|of)\s+(?:the\s+|this\s+|my\s+|our\s+)?{_NAMED_WORDS}"
        rf"(?:{_HANDED_IN}|submissions?)\b",
        re.I,
    ),
}
"""The side of its topic a question asks about. "collaboration": whether the learner may work with others
("Can I work with a partner on the project?"), which a course's assessment rules say ("Work alone; ...");
"deadline": when work is handed in ("When is the project due?"; not the deadline QoS policy)."""


def asked_aspect(question: str) -> str:
    """The one side of its topic the question asks about (`ASPECTS`), or "" (none, or two)."""
    found = [name for name, pattern in ASPECTS.items() if pattern.search(question)]
    return found[0] if len(found) == 1 else ""


_DRAWBACK = re.compile(
    r"\b(?:disadvantages?|drawbacks?|downsides?|limitations?|limits?|weakness(?:es)?|costs?|penalty|"
    r"trade-?offs?|problems?|risks?|risky|price|complex(?:ity)?|overhead|cannot|can't|unable|lower|less|"
    r"poor(?:er|ly)?|worse|slow(?:er)?|noisy|heav(?:y|ier)|bulk(?:y|ier)|limited|sensitiv(?:e|ity)|vulnerable|"
    r"brittle|unsafe|dangerous|expensive|fragile|hard\s+to|difficult|suffers?|struggles?|leaks?|wears?|"
    r"drifts?|fails?)\b",
    re.I,
)
_BENEFIT = re.compile(
    r"\b(?:advantages?|benefits?|strengths?|better|higher|faster|cheaper|simpler|allows?|enables?|lets|"
    r"helps?|improves?|outstanding|excellent|robust|safer|efficient|key\s+to)\b",
    re.I,
)
_COLLABORATION = re.compile(
    r"\b(?:alone|individually|on\s+your\s+own(?!\s+[a-z])|in\s+(?:pairs|groups|teams)|partners?|teammates?|classmates?|"
    r"collaborat\w*|(?:teams?|groups?)\s+of\s+(?:two|three|four|five|\d)|(?:group|team|pair|individual)\s+"
    r"(?:project|work|assignment|assessment)s?|with\s+(?:each\s+other|one\s+another|other\s+students))\b",
    re.I,
)
"""Who may work with whom: "Work alone", "in pairs", "discuss ideas with classmates"."""
_DAY = (
    r"(?:(?:next\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|week\s+\d+|midnight|noon|"
    r"\d{1,2}[:.]\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|the\s+(?:last|final)\s+(?:day|week|class|lesson))"
)
_DEADLINE = re.compile(
    rf"\b(?:due\b(?!\s+to\b)|deadlines?\s+(?:is|are|for|of)\b|(?:by|before|until|no\s+later\s+than|on)\s+"
    rf"(?:the\s+end\s+of\s+)?{_DAY})",
    re.I,
)
"""When work is handed in: "due", "by Friday of week 10 at 17:00"."""
_SIDE_CUES = {"drawback": _DRAWBACK, "benefit": _BENEFIT, "collaboration": _COLLABORATION, "deadline": _DEADLINE}


def states_side(text: str, aspect: str) -> bool:
    """The sentence states a drawback or a benefit, who may work with whom or when work is due (`aspect`:
    "drawback" | "benefit" | "collaboration" | "deadline"), by its wording."""
    cue = _SIDE_CUES.get(aspect)
    return cue is not None and bool(cue.search(text))
