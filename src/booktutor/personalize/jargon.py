"""Jargon a chapter defines in its own words, read from any author's prose.

A book rarely has a glossary for every term, but authors define terms as they go:
- a sentence whose subject is a bold term: "A **wheel encoder** is a sensor that counts …",
  "**Visual SLAM (…)** enables robots to …";
- a bold term named in a sentence: "This accumulated error is called **drift**";
- a bold term with an appositive: "a small **bias**, an offset present even at rest,";
- a quoted or italic term named or set off by an appositive: the "reality gap"—the differences
  between simulation and the real world (quotes mark a scare word as often as a term, so these
  count only in those two forms);
- the `## Key terms` / glossary conventions ("- **Term**: definition" in those sections only:
  elsewhere such lists label steps and examples, not terms);
- an acronym spelled out: "Data Distribution Service (DDS)".
Each definition keeps the section it came from, so notes that quote it can cite it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from booktutor.markdown.fences import iter_fence_flags
from booktutor.markdown.glossary import GLOSSARY_TITLE, extract_key_terms
from booktutor.markdown.headings import HeadingSlugger, github_slug

MAX_DEFINITION_CHARS = 320
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_EXPLICIT_ID = re.compile(r"\s*\{#([^\s{}]+)\}\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*\"'(\[])")
_BOLD = re.compile(r"\*\*([^*\n]{2,60}?)\*\*|__([^_\n]{2,60}?)__")
_LEAD_ARTICLE = re.compile(r"^(?:(?:a|an|the)\s+)?$", re.IGNORECASE)
_AFTER_SUBJECT = re.compile(r"^\s*(?:\([^)]{1,80}\)\s*)?(?:,[^,]{3,80},\s*)?(?P<verb>[a-z][a-z-]+)\b")
_NAMED = re.compile(r"\b(?:is|are)\s+(?:called|known\s+as|named|termed)\s+$|(?<![-\w])(?:called|known\s+as)\s+$", re.I)
_APPOSITIVE = re.compile(r"^\s*,\s+(?P<def>(?:a|an|the)\s+[^,.;]{5,140})[,.;]")
_DASH_APPOSITIVE = re.compile(
    r"^\s*(?:—|–|\s--?\s)\s*(?P<def>(?:a|an|the)\s+[^—–;]{5,160}?)(?:\s*(?:—|–|;|\s--?\s)|[.,]?\s*$)"
)
_QUOTED = re.compile(r'"([^"\n]{2,60}?)"|“([^”\n]{2,60}?)”|(?<![*\w])\*([^*\s][^*\n]{1,58}?)\*(?![*\w])')
_LIST_MARKER = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_ACRONYM = re.compile(
    r"\b(?P<long>[A-Z][a-z]+(?:[ -](?:[A-Z][a-z]+|and|of|for|to))+)\s+\((?P<short>[A-Z][A-Z0-9]{1,6}s?)\)"
)
_DEFINING_VERBS = frozenset(
    [
        "is",
        "are",
        "means",
        "refers",
        "describes",
        "denotes",
        "measures",
        "counts",
        "combines",
        "consists",
        "provides",
        "enables",
        "lets",
        "allows",
        "converts",
        "estimates",
        "stores",
        "represents",
        "captures",
        "computes",
        "aligns",
        "uses",
        "works",
        "detects",
        "finds",
        "maps",
        "produces",
        "divides",
        "splits",
        "takes",
        "acts",
        "keeps",
        "sends",
        "receives",
    ]
)
_COPULAS = frozenset({"is", "are", "means", "refers", "denotes", "describes"})
_MARKUP = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Definition:
    term: str
    text: str  # plain-language sentence, markup removed
    anchor: str  # the section that holds it ("" for the chapter's top)
    section: str = ""  # that section's title
    quality: int = 1  # 3 glossary entry, 2 "X is/means/is called …", 1 "X enables/measures …"


def plain(text: str) -> str:
    """Markdown inline markup removed (links keep their text)."""
    return re.sub(r"\s+", " ", _MARKUP.sub("", _LINK.sub(r"\1", text))).strip()


class Part(NamedTuple):
    anchor: str  # "" for the text before the first heading
    title: str
    lines: list[str]
    level: int  # 0 for the text before the first heading


def sections_with_anchors(body: str) -> list[Part]:
    """(anchor, heading text, prose lines, level) per heading of the chapter, fenced lines blanked."""
    slugger = HeadingSlugger()
    current = Part("", "", [], 0)
    out = [current]
    for line, fenced in iter_fence_flags(body.split("\n")):
        if fenced:
            current[2].append("")
            continue
        match = _HEADING.match(line)
        if match:
            raw = match.group(2)
            explicit = _EXPLICIT_ID.search(raw)
            title = plain(_EXPLICIT_ID.sub("", raw))
            anchor = explicit.group(1) if explicit else slugger.slug(title)
            current = Part(anchor, title, [], len(match.group(1)))
            out.append(current)
        else:
            current[2].append(line)
    return out


def paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated blocks of a section's lines (list items kept apart)."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line.strip() or re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line):
            blocks.append([])
        if line.strip():
            blocks[-1].append(line.strip())
    return [" ".join(b) for b in blocks if b]


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def chapter_definitions(body: str) -> dict[str, Definition]:
    """Term (as written) → its first definition in the chapter."""
    found: dict[str, Definition] = {}
    for term, text in extract_key_terms(body).items():
        found.setdefault(term.lower(), Definition(term, plain(text), github_slug("Key terms"), "Key terms", 3))
    for anchor, title, lines, _ in sections_with_anchors(body):
        if GLOSSARY_TITLE.match(title):
            continue
        heading_term = _heading_term(title)
        for index, paragraph in enumerate(paragraphs(lines)):
            definition = _heading_definition(heading_term, paragraph) if index == 0 and heading_term else None
            if definition and heading_term and heading_term.lower() not in found:
                found[heading_term.lower()] = Definition(heading_term, definition, anchor, title, 2)
            paragraph = _LIST_MARKER.sub("", paragraph)
            if paragraph.startswith(("|", ">", ":::", "<", "import ", "export ")):
                continue
            for sentence in sentences(paragraph):
                for term, text, quality in sentence_definitions(sentence):
                    candidate = Definition(term, _clip(text), anchor, title, quality)
                    known = found.get(term.lower())
                    if known is None or known.quality < quality:
                        found[term.lower()] = candidate
    return found


_HEADING_NOISE = re.compile(
    r"^(?:(?:chapter|module|part|section)\s+\d+[:.]?\s*|\d+(?:\.\d+)*\.?\s+|what\s+(?:is|are)\s+)", re.I
)


def _heading_term(title: str) -> str | None:
    """The term a heading names ("What is Visual SLAM?" → "Visual SLAM"), if it is short."""
    term = _HEADING_NOISE.sub("", title).split(":")[0].rstrip("?!. ").strip()
    term = re.sub(r"\s*\([^)]*\)$", "", re.sub(r"^(?:the|a|an)\s+", "", term, flags=re.IGNORECASE))
    return term if _looks_like_term(term) and len(term.split()) <= 4 else None


def _heading_definition(term: str, paragraph: str) -> str | None:
    """The section's first sentence when it defines the heading's term ("Motion planning
    determines how …" under "Motion Planning and Control")."""
    first = plain(sentences(paragraph)[0]) if paragraph else ""
    match = re.match(rf"^(?:(?:a|an|the)\s+)?{re.escape(term)}(?:s|es)?\b(.*)$", first, re.IGNORECASE)
    if not match or not _defining_verb(match.group(1)) or len(first.split()) < 6:
        return None
    return _clip(first)


def sentence_definitions(sentence: str) -> list[tuple[str, str, int]]:
    """(term, definition, quality) for each term the sentence defines."""
    out: list[tuple[str, str, int]] = []
    for match in _BOLD.finditer(sentence):
        term = plain(match.group(1) or match.group(2)).rstrip(":")
        if not _looks_like_term(term):
            continue
        before, after = sentence[: match.start()], sentence[match.end() :]
        verb = _defining_verb(after) if _LEAD_ARTICLE.match(before.strip()) else None
        if _NAMED.search(before) or verb in _COPULAS:
            out.append((term, plain(sentence), 2))
        elif verb:
            out.append((term, plain(sentence), 1))
        elif appositive := _appositive(after):
            out.append((term, f"{term}: {appositive}.", 2))
    out.extend(_quoted_definitions(sentence))
    for acronym in _ACRONYM.finditer(plain(sentence)):
        short, long = acronym.group("short").rstrip("s"), acronym.group("long")
        if _initials_match(short, long):
            out.append((short, f"{short} stands for {long}.", 2))
    return out


def _appositive(after: str) -> str | None:
    """The definition an appositive right after a term gives (", an offset …," or "—the …—")."""
    match = _APPOSITIVE.match(after) or _DASH_APPOSITIVE.match(after)
    return plain(match.group("def")).rstrip(".,") if match else None


def _quoted_definitions(sentence: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    for match in _QUOTED.finditer(sentence):
        term = plain(next(group for group in match.groups() if group)).strip(" ,.:")
        if not _looks_like_term(term) or term[:1].isdigit():
            continue
        if _NAMED.search(sentence[: match.start()]):
            out.append((term, plain(sentence), 2))
        elif appositive := _appositive(sentence[match.end() :]):
            out.append((term, f"{term}: {appositive}.", 2))
    return out


def _defining_verb(after: str) -> str | None:
    match = _AFTER_SUBJECT.match(after)
    verb = match.group("verb").lower() if match else ""
    return verb if verb in _DEFINING_VERBS else None


def _looks_like_term(term: str) -> bool:
    words = term.split()
    generic = len(words) == 1 and term.lower() in GENERIC_WORDS
    return (
        1 <= len(words) <= 6 and any(ch.isalpha() for ch in term) and not term.endswith((".", "?", "!")) and not generic
    )


# Words every textbook uses in their everyday sense: never treated as jargon to define.
GENERIC_WORDS = frozenset(
    [
        "example",
        "examples",
        "note",
        "important",
        "tip",
        "warning",
        "step",
        "steps",
        "answer",
        "question",
        "solution",
        "summary",
        "goal",
        "goals",
        "result",
        "results",
        "input",
        "output",
        "time",
        "difficulty",
        "environment",
        "safety",
        "safe",
        "complete",
        "comprehensive",
        "optimization",
        "performance",
        "system",
        "systems",
        "data",
        "model",
        "models",
        "process",
        "task",
        "tasks",
        "feedback",
        "overview",
        "introduction",
        "conclusion",
        "objective",
        "objectives",
        "requirement",
        "requirements",
        "benefit",
        "benefits",
        "challenge",
        "challenges",
        "purpose",
        "approach",
        "method",
        "methods",
        "quality",
        "accuracy",
        "efficiency",
        "reliability",
        "scalability",
        "flexibility",
        "simplicity",
        "integration",
        "implementation",
        "configuration",
        "setup",
        "testing",
        "validation",
        "evaluation",
        "analysis",
        "design",
        "structure",
        "function",
        "functions",
    ]
)


def _initials_match(short: str, long: str) -> bool:
    initials = "".join(w[0] for w in re.split(r"[ -]", long) if w and w[0].isupper())
    return initials.upper().startswith(short.upper()[:2]) and len(short) <= len(initials) + 1


def _clip(text: str) -> str:
    if len(text) <= MAX_DEFINITION_CHARS:
        return text
    cut = text[:MAX_DEFINITION_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def term_pattern(term: str) -> re.Pattern[str]:
    """Matches the term as a word, in the singular or a simple plural."""
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", re.IGNORECASE)
