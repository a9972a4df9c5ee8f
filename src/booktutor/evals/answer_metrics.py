"""Does the answer answer? Lexical per-case checks beside the retrieval metrics (docs/evals.md).

- evidence_recall: the answer contains, or nearly contains, one of the case's evidence quotes;
- echo: the answer pastes a question, a multiple-choice list, an exercise prompt or a lab step the
  learner did not ask for;
- dangling: the answer's first sentence leans on a sentence it left out ("This observation …");
- section_citation_precision: cited sections that hold the evidence, or body sections of a
  relevant doc (not its key terms, summary, objectives or intro).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from booktutor.evals.metrics import content_words

NEAR_CONTAINS = 0.6
"""An evidence quote is nearly in the answer when this share of its content words is."""
SECTION_HOLDS = 0.8
"""A section holds a quote when this share of the quote's content words occurs in it."""

_CITATION = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_EMPHASIS = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?۔؟])[\"')\]]*\s+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+>]|\d+[.)]|#+)\s+")
_STEP_PREFIX = re.compile(r"^(?:step\s*\d+\s*[:.)-]\s*|\d+[.)]\s+)", re.IGNORECASE)
_OPTION = re.compile(r"(?:^|[\s:;,])\(?([A-Ea-e])[).]\s+\S")

_PRACTICE_ASKED = re.compile(
    r"\b(quiz|quizzes|exercise|exercises|practice|assessment|self[- ]check|homework|assignment|"
    r"test me|review questions?|questions? (?:at|in|from) the|multiple[- ]choice|lab|labs)\b",
    re.IGNORECASE,
)
_STEPS_ASKED = re.compile(
    r"\b(how (?:do|can|should|would) (?:i|we|you)|how to|steps?|procedure|install|set ?up|configure|"
    r"run|launch|command|commands|code|example|tutorial|lab|labs|exercise|walk me through|show me)\b",
    re.IGNORECASE,
)
_ASSESSMENT = re.compile(
    r"^(?:(?:exercise|quiz|question|assessment|challenge|task|problem|activity|self[- ]check)"
    r"\s*\d*\s*[:.)-]|your (?:task|goal|job|assignment) (?:is|will be)|"
    r"(?:explain|describe|compare|contrast|discuss|justify|analy[sz]e|evaluate|identify|list|name|"
    r"define|sketch|propose|design|calculate|compute|derive|summari[sz]e|reflect on|research|"
    r"investigate|predict|estimate|draw|outline|classify)\s+(?:the|a|an|"
    r"how|why|what|which|when|where|whether|two|three|four|five|your|each|one|at least|some|this|"
    r"these|its|their|all|between)\b|"
    r"(?:choose|select|pick|circle|match|fill in)\s+"
    r"(?:the (?:correct|best answer|right answer|true|false)|one|which|from|each|all that)\b)",
    re.IGNORECASE,
)
_DETERMINER = r"(?:the|a|an|your|this|these|that|those|it|them|each|all|both|one|two|three|following|some|any|our|my)\b"
_LAB_STEP = re.compile(
    r"^(?:let's|let us|in this (?:lab|exercise|tutorial|activity|project|challenge|case study),? you(?:'ll| will)|"
    r"you(?:'ll| will) (?:now )?(?:implement|build|create|write|set up|configure|install|train|deploy|"
    r"modify|extend|test|run|launch|evaluate|measure|record)\b|"
    r"(?:now |next,? |first,? |then,? |finally,? )?(?:"
    # commands that are rarely anything else: any object
    r"(?:run|install|launch|clone|navigate|click|download|execute|cd|mkdir|pip install|sudo|go to|implement|"
    r"create|modify|edit|paste|replace|add|set up|restart|deploy|define|write|verify|compile|configure|debug|"
    r"understand|learn|explore|master|apply|publish|subscribe|spawn|calibrate|connect)"
    r"\s+(?!(?:is|are|was|were|can|may|will|has|have|had|of|time|times|results?)\b)|"
    # verbs that are also nouns or adjectives ("Test results", "Open problems"): need an object
    r"(?:open|start|train|record|plot|import|test|try|check|enter|select|save|type|build|source|copy)"
    r"\s+(?:" + _DETERMINER + r"|and\b|with\b)))",
    re.IGNORECASE,
)

_DOC_DEIXIS = (
    r"chapter|section|book|course|module|lesson|page|tutorial|guide|textbook|part|unit|week|lab|"
    r"exercise|project|appendix|glossary|introduction|overview|quarter|semester|capstone"
)
_EXPLETIVE_IT = re.compile(
    r"^it(?:'s| is| was| can be| may be| might be| would be| will be| has been| becomes)\s+(?:\w+ly\s+)?"
    r"(?:important|necessary|possible|impossible|common|useful|helpful|essential|critical|crucial|easy|"
    r"hard|difficult|worth|likely|unlikely|clear|true|natural|tempting|best|better|vital|unclear|"
    r"often|usually|not)\b",
    re.IGNORECASE,
)
_DANGLING = re.compile(
    r"^(?:(?:this|that|these|those|such)\b(?!\s+(?:" + _DOC_DEIXIS + r")s?\b)|"
    r"(?:it|its|they|their|them|he|she|his|her)\b|"
    r"(?:however|but|also|additionally|moreover|furthermore|therefore|thus|hence|so|and|or|"
    r"similarly|likewise|instead|otherwise|then|consequently|conversely|finally|secondly|thirdly|"
    r"next|nevertheless|nonetheless|meanwhile|accordingly|still|yet|besides|together)\b|"
    r"(?:in addition|on the other hand|as a result|for this reason|in contrast|by contrast|"
    r"in (?:this|that) case(?! stud)|as (?:mentioned|noted|shown|described|discussed) (?:above|earlier|before)|"
    r"the (?:latter|former|same|above|previous|following)|another|the other|both of (?:these|them))\b)",
    re.IGNORECASE,
)
_PERIPHERAL = re.compile(
    r"\b(key[- ]?terms?|glossary|summary|summar[iy]|key[- ]?takeaways?|takeaways|recap|review|"
    r"learning[- ]?objectives?|objectives|outcomes|what you(?:'ll|[- ]will)? learn|introduction|intro|"
    r"overview|prerequisites?|further[- ]reading|references|resources|next[- ]steps?|"
    r"quiz|exercises?|self[- ]check|assessment|conclusion)\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Lowercase, Markdown emphasis/backticks and [n] markers removed, table edges trimmed, spaces collapsed."""
    text = _CITATION.sub("", text)
    lines = (line.strip().strip("|").strip() for line in text.splitlines())
    return _SPACE.sub(" ", _EMPHASIS.sub("", " ".join(lines))).strip().lower()


def near_contains(text: str, quote: str, share: float = NEAR_CONTAINS) -> bool:
    """The quote is in the text verbatim (normalised), or `share` of its content words are."""
    norm_text, norm_quote = normalise(text), normalise(quote)
    if not norm_quote:
        return False
    if norm_quote in norm_text:
        return True
    words = content_words(norm_quote)
    return bool(words) and len(words & content_words(norm_text)) / len(words) >= share


def evidence_recall(answer: str, evidence: Sequence[str], abstained: bool) -> float | None:
    """1 when the answer (nearly) contains one evidence quote, else 0; None without evidence."""
    quotes = [q for q in evidence if q.strip()]
    if not quotes:
        return None
    if abstained or not answer.strip():
        return 0.0
    return 1.0 if any(near_contains(answer, q) for q in quotes) else 0.0


def prose_units(answer: str) -> list[str]:
    """The answer's lines and sentences, code blocks and [n] markers removed, list markers stripped."""
    text = _FENCE.sub("\n", _CITATION.sub("\n", answer))  # a [n] marker ends a quoted sentence or list item
    units = []
    for line in text.splitlines():
        line = _EMPHASIS.sub("", _LIST_MARK.sub("", line)).strip()
        units += [s.strip() for s in _SENTENCE.split(line) if s.strip()]
    return units


def has_option_list(answer: str) -> bool:
    """Lettered options A), B), C) (or a. b. c.) in one line or on consecutive lines."""
    letters = [m.group(1).lower() for m in _OPTION.finditer(_CITATION.sub("", answer))]
    return any(letters[i : i + 3] == ["a", "b", "c"] for i in range(len(letters)))


def echo_kinds(answer: str, question: str) -> list[str]:
    """What the answer pastes that the learner did not ask for: question, options, exercise, lab_step."""
    practice_asked = bool(_PRACTICE_ASKED.search(question))
    steps_asked = bool(_STEPS_ASKED.search(question)) or practice_asked
    units = prose_units(answer)
    found = []
    if not practice_asked:
        if any(u.rstrip("\"')").endswith(("?", "؟")) for u in units):
            found.append("question")
        if has_option_list(answer):
            found.append("options")
        if any(_ASSESSMENT.match(_STEP_PREFIX.sub("", u)) for u in units):
            found.append("exercise")
    if not steps_asked and any(_LAB_STEP.match(_STEP_PREFIX.sub("", u)) for u in units):
        found.append("lab_step")
    return found


def echo(answer: str, question: str, abstained: bool) -> float | None:
    """1 when the answer echoes study material the learner did not ask for; None if it abstained."""
    if abstained or not answer.strip():
        return None
    return 1.0 if echo_kinds(answer, question) else 0.0


def first_sentence(answer: str) -> str:
    """The answer's first prose sentence (headings skipped)."""
    for line in _FENCE.sub("\n", answer).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        units = prose_units(line)
        if units:
            return units[0]
    return ""


def is_dangling(sentence: str) -> bool:
    """The sentence opens by pointing back at something before it ("This observation", "It closes")."""
    text = sentence.strip().lstrip("\"'(")
    if not text or _EXPLETIVE_IT.match(text):
        return False
    return bool(_DANGLING.match(text))


def dangling(answer: str, abstained: bool) -> float | None:
    if abstained or not answer.strip():
        return None
    sentence = first_sentence(answer)
    return 1.0 if sentence and is_dangling(sentence) else 0.0


def is_peripheral(citation: Mapping[str, str], *, has_sections: bool = True) -> bool:
    """A chapter's key terms, summary, objectives, intro (the part before its first section: no anchor,
    or the page's title heading when the page has sections below it) and the like."""
    anchor = (citation.get("anchor_url") or "").partition("#")[2]
    if not anchor:
        return True
    heading = (citation.get("heading") or "").strip()
    if has_sections and heading and heading == (citation.get("chapter_title") or "").strip():
        return True
    label = f"{anchor.replace('-', ' ')} {heading}"
    return bool(_PERIPHERAL.search(label))


def section_citation_precision(
    citations: Sequence[Mapping[str, str]],
    relevant: Sequence[str],
    evidence: Sequence[str],
    section_text: Mapping[tuple[str, str], str],
) -> float | None:
    """Share of distinct cited sections that hold an evidence quote or are a relevant doc's body section."""
    keys = dedupe_sections(citations)
    if not keys:
        return None
    wanted = set(relevant)
    anchors = Counter(path for path, _ in section_text)
    precise = 0
    for (path, anchor), citation in keys.items():
        text = section_text.get((path, anchor), citation.get("snippet") or "")
        holds = any(near_contains(text, q, SECTION_HOLDS) for q in evidence if q.strip())
        precise += holds or (path in wanted and not is_peripheral(citation, has_sections=anchors[path] > 1))
    return precise / len(keys)


def dedupe_sections(citations: Sequence[Mapping[str, str]]) -> dict[tuple[str, str], Mapping[str, str]]:
    """Distinct (doc_path, anchor) of the book citations, first seen first (the selection skipped)."""
    keys: dict[tuple[str, str], Mapping[str, str]] = {}
    for c in citations:
        path = c.get("doc_path") or ""
        if path:
            keys.setdefault((path, (c.get("anchor_url") or "").partition("#")[2]), c)
    return keys


def answer_scores(
    *,
    question: str,
    answer: str,
    abstained: bool,
    answerable: bool,
    relevant: Sequence[str],
    evidence: Sequence[str],
    citations: Sequence[Mapping[str, str]],
    section_text: Mapping[tuple[str, str], str],
) -> dict[str, float | None]:
    """The answer-level scores of one case; echo and dangling apply to every answer given."""
    scores: dict[str, float | None] = {
        "echo_rate": echo(answer, question, abstained),
        "dangling_rate": dangling(answer, abstained),
        "evidence_recall": None,
        "section_citation_precision": None,
    }
    if answerable:
        scores["evidence_recall"] = evidence_recall(answer, evidence, abstained)
        scores["section_citation_precision"] = section_citation_precision(citations, relevant, evidence, section_text)
    return scores
