"""Candidate sentences and code blocks from retrieved chunks, scored against the question.

Score: embedding cosine + content-word overlap (either name of an acronym the book defines) + hit rank + a
definitional bonus + a bonus for a section the book files under the other name of what the question names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import structlog

from booktutor.extractive.acronyms import NO_ALIASES, Aliases, renamed_sections
from booktutor.extractive.candidate import Candidate as Candidate  # re-exported: the answerer imports it from here
from booktutor.extractive.candidate import CandidateKind
from booktutor.extractive.excerpts import code_excerpts, excerpt_language
from booktutor.extractive.text import Segment, content_terms, script_of, split_markdown, stem
from booktutor.providers.embeddings import Embedder

log = structlog.get_logger(__name__)

MAX_RESULTS = 8
MAX_SENTENCES_PER_RESULT = 40
SEMANTIC_WEIGHT = 0.55
LEXICAL_WEIGHT = 0.30
RANK_WEIGHT = 0.15
DEFINITION_BONUS = 0.15
NAMED_HEADING_BONUS = 0.15
"""The sentence's section heading is the other name of a thing the question names by an acronym or its long
form (`Aliases`): the book files the answer under the name the learner did not use. As strong as a
definition: the learner's word and the book's heading name the same thing."""
MAX_SUBJECT_WORDS = 7
MAX_CODE_LINES = 12  # a block shown beside an answer that did not ask for code
MAX_QUOTABLE_CODE_LINES = 40  # a block shown when the learner asks for the code
MAX_CODE_CHARS = 1600

_DEFINITION_QUESTION = re.compile(
    r"^\s*(?:what\s+(?:is|are|was|were|does)\s+|what'?s\s+|define\s+|meaning\s+of\s+)"
    r"(?:an?\s+|the\s+)?(?P<subject>.+?)(?:\s+mean)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_URDU_DEFINITION_QUESTION = re.compile(r"^\s*(?P<subject>.+?)\s+کیا\s+(?:ہے|ہیں|ہوتا ہے|ہوتی ہے)")
_DEFINITION_CUE = re.compile(r"\b(?:is|are|refers? to|means|denotes|describes)\b|سے مراد|کہلات|کہتے ہیں|ایک\s")
_GLOSSARY_TERM = re.compile(r"^([^:;,.]{2,60}):\s+(?:An?|The)\s")
_PASSIVE = re.compile(r"\s+(?:\w+ly\s+)?\w+ed\b")
PASSIVE_WEIGHT = 0.5
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_NAMING_CUE = re.compile(r"\b(?:is|are) (?:called|known as)\b|\bcalled\b")


_ARROW_FRAGMENT = re.compile(r"^(?:[^:]{1,80}:\s+)?(?:→|->|=>)")
"""'Key Decision Factors: → Use Topic': the answer half of a list item whose question was left out."""


def _is_quotable_sentence(segment: Segment) -> bool:
    """A sentence of 4-80 words (3 in Arabic script) that says something itself: not a lead-in ending with
    a colon, unless the list it introduces follows (`Segment.opens_list`), nor an item's answer half."""
    text = segment.text
    words = len(text.split())
    min_words = 3 if script_of(text) == "arabic" else 4
    introduces = not text.endswith(":") or segment.opens_list
    return min_words <= words <= 80 and introduces and not _ARROW_FRAGMENT.match(text)


def _is_quotable_code(segment: Segment) -> bool:
    lines = segment.text.strip().splitlines()
    return 0 < len(lines) <= MAX_QUOTABLE_CODE_LINES and len(segment.text) <= MAX_CODE_CHARS


def _result_language(result: dict[str, Any]) -> str:
    language = result.get("language")
    if language:
        return str(language)
    return "ur" if script_of(str(result.get("text", ""))) == "arabic" else "en"


def build_candidates(results: Sequence[dict[str, Any]]) -> list[Candidate]:
    candidates: list[Candidate] = []
    for rank, result in enumerate(results[:MAX_RESULTS]):
        segments = split_markdown(str(result.get("text", "")))[:MAX_SENTENCES_PER_RESULT]
        places: dict[int, _Place] = {}
        for position, segment in enumerate(segments):
            quotable = _is_quotable_code(segment) if segment.kind == "code" else _is_quotable_sentence(segment)
            if not quotable and segment.kind != "code":
                continue
            if segment.section not in places:
                places[segment.section] = _place(result, rank, segment.section)
            place = places[segment.section]
            if quotable:
                candidate = _candidate(place, rank, position, segment, segment.text, segment.kind)
                if segment.opens_list:
                    candidate = replace(candidate, whole=_with_items(segment.text, segments[position + 1 :]))
                candidates.append(candidate)
            if segment.kind == "code":
                candidates.extend(
                    replace(
                        _candidate(place, rank, position, segment, excerpt, "excerpt"),
                        stanza=stanza,
                        listing=segment.text,
                    )
                    for stanza, excerpt in enumerate(code_excerpts(segment.text, segment.code_language))
                )
    return candidates


MAX_WHOLE_ITEMS = 6


def _with_items(lead_in: str, following: Sequence[Segment]) -> str:
    """A lead-in read with the items it introduces: alone, "X can be tested by:" matches any question about
    X, however little its list says about what was asked."""
    items = []
    for segment in following[:MAX_WHOLE_ITEMS]:
        if segment.kind != "sentence" or not segment.list_item:
            break
        items.append(segment.text)
    return " ".join([lead_in, *items])


@dataclass(frozen=True)
class _Place:
    """What the candidates of one section of a hit take from it (read once a section, not once a sentence)."""

    n: int
    source: str
    language: str
    doc: str
    purpose: str
    intro: bool
    opening: bool
    heading: frozenset[str]


def _place(result: dict[str, Any], rank: int, section: int) -> _Place:
    return _Place(
        n=_section_number(result, section, rank),
        source=str(result.get("source", "book")),
        language=_result_language(result),
        doc=str(result.get("doc_path") or result.get("source") or ""),
        purpose=str(result.get("purpose") or "exposition"),
        intro=_is_intro(result, section),
        opening=_is_opening(result, section),
        heading=content_terms(_section_link(result, section)[1]),
    )


def _candidate(place: _Place, rank: int, position: int, segment: Segment, text: str, kind: CandidateKind) -> Candidate:
    return Candidate(
        text=text,
        kind=kind,
        n=place.n,
        rank=rank,
        position=position,
        source=place.source,
        language=place.language,
        terms=content_terms(text),
        code_language=excerpt_language(segment.code_language) if kind == "excerpt" else segment.code_language,
        doc=place.doc,
        purpose=place.purpose,
        list_item=segment.list_item,
        item=segment.item,
        numbered=segment.numbered,
        table_row=segment.table_row,
        intro=place.intro,
        opening=place.opening,
        heading=place.heading,
        opens_list=segment.opens_list,
        describes_code=segment.describes_code,
    )


def _section_number(result: dict[str, Any], section: int, rank: int) -> int:
    """The citation number of the section holding a segment (a hit may join several sections)."""
    n = int(result.get("n", rank + 1))
    sections = result.get("sections")
    if isinstance(sections, list) and 0 < section < len(sections) and isinstance(sections[section], dict):
        return int(sections[section].get("n", n))
    return n


def _section_link(result: dict[str, Any], section: int) -> tuple[str, str]:
    """The anchor URL and heading of the segment's section (a hit joining short sections has several)."""
    anchor, heading = str(result.get("anchor_url") or ""), str(result.get("heading") or "")
    sections = result.get("sections")
    if isinstance(sections, list) and 0 <= section < len(sections) and isinstance(sections[section], dict):
        anchor = str(sections[section].get("anchor_url") or anchor)
        heading = str(sections[section].get("heading") or heading)
    return anchor, heading


def _is_intro(result: dict[str, Any], section: int) -> bool:
    """The segment sits in a page's opening (its section's link has no #anchor)."""
    anchor, _ = _section_link(result, section)
    return bool(anchor) and "#" not in anchor and result.get("source", "book") == "book"


def _is_opening(result: dict[str, Any], section: int) -> bool:
    """The segment sits in a page's opening, with no anchor or under the page's title heading (which the
    opening is anchored at on a page with a title): a citation of the chapter's intro."""
    anchor, heading = _section_link(result, section)
    title = str(result.get("chapter_title") or "").strip()
    return _is_intro(result, section) or (
        bool(anchor) and result.get("source", "book") == "book" and bool(title) and heading.strip() == title
    )


def term_cosine(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def definition_subject(question: str) -> frozenset[str]:
    return content_terms(asked_term(question))


def asked_term(question: str) -> str:
    """The X of "What is X?" ('' for another question)."""
    match = _DEFINITION_QUESTION.match(question) or _URDU_DEFINITION_QUESTION.match(question)
    return match.group("subject") if match else ""


def defined_term(sentence: str) -> str:
    """What the sentence defines: a glossary line's term, or the short subject before 'is', 'means', ...
    ('' for neither)."""
    term = _GLOSSARY_TERM.match(sentence)
    cue = None if term else _DEFINITION_CUE.search(sentence)
    defined = term.group(1) if term else sentence[: cue.start()] if cue else ""
    return defined if defined and _is_sentence_subject(defined) else ""


def _is_sentence_subject(prefix: str) -> bool:
    """A short clause-free lead such as 'An inertial measurement unit (IMU)'."""
    return len(prefix.split()) <= MAX_SUBJECT_WORDS and "," not in prefix and ";" not in prefix


def definition_strength(sentence: str, subject: frozenset[str]) -> float:
    """Share of the subject's terms that the sentence defines ('X is ...', '... is called X')."""
    if not subject:
        return 0.0
    term = _GLOSSARY_TERM.match(sentence)
    if term and _is_sentence_subject(term.group(1)) and (defined := content_terms(term.group(1)) & subject):
        return len(defined) / len(subject)  # a glossary's "Footstep plan: an ordered list of …"
    cue = _DEFINITION_CUE.search(sentence)
    if cue and _is_sentence_subject(sentence[: cue.start()]):
        defined = content_terms(sentence[: cue.start()]) & subject
        if defined:
            # "Footstep plans are checked …" says something of X; "X is a …" says what X is
            weight = PASSIVE_WEIGHT if _PASSIVE.match(sentence, cue.end()) else 1.0
            return weight * len(defined) / len(subject)
    if naming := _NAMING_CUE.search(sentence):
        named = content_terms(sentence[naming.end() :]) & subject
        return len(named) / len(subject)
    return 0.0


def defines_another_term(sentence: str, subject: frozenset[str]) -> bool:
    """The sentence is a glossary line ('Term: A …') whose term shares a word with the asked subject and
    adds words of its own ('Action Sequence: An ordered list of ROS 2 actions …' for 'What is a ROS 2
    action?'), and is not the subject spelled out ('Vision-Language-Action (VLA)' for 'VLA')."""
    term = _GLOSSARY_TERM.match(sentence) if subject else None
    if term is None or not _is_sentence_subject(term.group(1)):
        return False
    alias = content_terms(" ".join(_PARENTHESES.findall(term.group(1))))
    named = content_terms(_PARENTHESES.sub(" ", term.group(1)))
    return bool((named | alias) & subject) and not subject <= alias and bool(named - subject)


async def embed(embedder: Embedder | None, question: str, texts: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    if embedder is None or not texts:
        return None
    try:
        query = np.asarray(await embedder.embed_query(question), dtype=np.float32)
        documents = await _document_matrix(embedder, texts)
    except Exception as error:  # an embedder outage degrades to lexical scoring
        log.warning("extractive.embedding_failed", error=str(error))
        return None
    return query, documents


async def _document_matrix(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """The sentences' vectors; a caching embedder returns the ones stored at ingest as one matrix."""
    as_array = getattr(embedder, "embed_documents_array", None)
    if as_array is not None:
        return np.asarray(await as_array(texts), dtype=np.float32)
    return np.asarray(await embedder.embed_documents(texts), dtype=np.float32)


QUOTABLE_TEXTS_VERSION = 3  # bump when `quotable_texts` splits any chunk differently


def quotable_texts(text: str) -> list[str]:
    """The texts the answerer scores for one chunk's quotable sentences and code blocks (a lead-in with its
    items, `Candidate.whole`), so that the vectors stored at ingest are the ones it looks up. They are stored
    stamped with QUOTABLE_TEXTS_VERSION: `booktutor ingest` re-splits the chunks of an older stamp."""
    segments = split_markdown(text)[:MAX_SENTENCES_PER_RESULT]
    texts = []
    for position, s in enumerate(segments):
        if _is_quotable_code(s) if s.kind == "code" else _is_quotable_sentence(s):
            texts.append(_with_items(s.text, segments[position + 1 :]) if s.opens_list else s.text)
        if s.kind == "code":
            texts.extend(code_excerpts(s.text, s.code_language))
    return texts


def term_weights(evidence: dict[str, Any] | None) -> dict[str, float]:
    """Each question word's weight by its rarity in the book (search's document frequencies): a sentence
    that shares "reentrant" says more about the question than one that shares "robot". Keyed by the
    answerer's own stem of the word: the search's lexeme ("actuat") is not the answerer's ("actuator")."""
    if not evidence or not evidence.get("terms"):
        return {}
    total = int(evidence.get("chunks") or 0)
    return {
        stem(str(t["word"]).lower()): math.log((total + 1) / (int(t["df"]) + 1)) + 1.0
        for t in evidence["terms"]
        if isinstance(t, dict) and "word" in t and "df" in t
    }


@dataclass(frozen=True)
class _AskedTerms:
    """The question's content words with their weights (`term_weights`, the mean weight for a word without
    one) and the weights' sum: the same for every candidate."""

    terms: frozenset[str]
    script: str
    weights: dict[str, float] | None
    total: float = 0.0

    @classmethod
    def of(cls, terms: frozenset[str], script: str, weights: dict[str, float]) -> _AskedTerms:
        if not weights:
            return cls(terms, script, None)
        default = sum(weights.values()) / len(weights)
        asked = {t: weights.get(t, default) for t in terms}
        return cls(terms, script, asked, sum(asked.values()))


def _lexical_overlap(asked: _AskedTerms, candidate: Candidate, aliases: Aliases) -> float:
    """The share of the question's words the sentence says, by either name of a thing the book defines an
    acronym for (`Aliases`): 'QoS' asked is said by 'quality of service'."""
    if not asked.terms or script_of(candidate.text) != asked.script:
        return 0.0
    said = asked.terms & (candidate.terms | aliases.said_by_other_name(asked.terms, candidate.terms))
    if asked.weights is None:
        return len(said) / len(asked.terms)
    weights = asked.weights
    return sum(weights[t] for t in said) / asked.total


def score_candidates(
    question: str,
    question_terms: frozenset[str],
    candidates: list[Candidate],
    semantic: np.ndarray,
    weights: dict[str, float] | None = None,
    aliases: Aliases = NO_ALIASES,
) -> np.ndarray:
    subject = definition_subject(question)
    asked = _AskedTerms.of(question_terms, script_of(question), weights or {})
    renamed = renamed_sections(question_terms, candidates, aliases)
    scores = [
        SEMANTIC_WEIGHT * float(semantic[i])
        + LEXICAL_WEIGHT * _lexical_overlap(asked, c, aliases)
        + RANK_WEIGHT / (1 + 0.5 * c.rank)
        + DEFINITION_BONUS * definition_strength(c.text, subject)
        + NAMED_HEADING_BONUS * (c.n in renamed)
        for i, c in enumerate(candidates)
    ]
    return np.asarray(scores, dtype=np.float32)
