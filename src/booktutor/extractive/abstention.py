"""Whether the book covers the question at all: retrieval signals and the policy that weighs them."""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from booktutor.extractive.specificity import word_specificity
from booktutor.extractive.text import COUNT, STOPWORDS, content_terms, script_of, split_sentences, stem, words


@dataclass(frozen=True)
class AbstentionPolicy:
    """Thresholds and weights for abstaining; hand-set defaults, calibrated later by the evals."""

    # Calibrated jointly on the project's dataset and the development corpus's set with
    # booktutor.evals.calibrate (global knobs only; docs/evals.md, "Calibration"): the best joint
    # abstention accuracy with at most 5 % false abstentions on each set.
    min_evidence: float = 0.32
    dense_weight: float = 0.1
    sentence_weight: float = 0.0
    coverage_weight: float = 0.35
    lexical_weight: float = 0.0
    margin_weight: float = 0.0
    term_coverage_weight: float = 0.0
    max_unknown_specificity: float = 0.95
    unknown_term_dense_gate: float = 0.55
    """Abstain when a question word this specific (see `word_specificity`) is absent from the book,
    unless the best passage is at least `unknown_term_dense_gate` similar to the question."""
    strong_sentence_similarity: float = 0.15
    """With no question word in the top hits, answer only if a sentence is at least this similar."""
    everyday_specificity: float = 0.15
    reworded_sentence_similarity: float = 0.35
    """Lacking only question words at most `everyday_specificity` specific, with a sentence this similar,
    the top hits are not judged on how few words they share (`reworded`)."""


def coverage(question: str, question_terms: frozenset[str], results: Sequence[dict[str, Any]]) -> float | None:
    seen = top_terms(question, results)
    if not question_terms or seen is None:
        return None
    return len(question_terms & seen) / len(question_terms)


def top_terms(question: str, results: Sequence[dict[str, Any]]) -> frozenset[str] | None:
    """The words of the top three results in the question's script (text, heading, chapter title)."""
    same_script = [r for r in results[:3] if script_of(str(r.get("text", ""))) == script_of(question)]
    if not same_script:
        return None
    seen: set[str] = set()
    for result in same_script:
        fields = (result.get("text"), result.get("heading"), result.get("chapter_title"))
        seen |= content_terms(" ".join(str(f) for f in fields if f))
    return frozenset(seen)


def _book_results(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in results if r.get("source", "book") != "selection"]


def best_dense(results: Sequence[dict[str, Any]]) -> float | None:
    scores = [float(r["dense_score"]) for r in _book_results(results) if r.get("dense_score") is not None]
    return max(scores) if scores else None


def lexical_present(results: Sequence[dict[str, Any]]) -> float | None:
    book = _book_results(results)[:3]
    if not book:
        return None
    return 1.0 if any(r.get("lexical_rank") is not None for r in book) else 0.0


def margin(total: np.ndarray) -> float:
    if total.size < 2:
        return 0.0
    return float(total.max() - statistics.median(total.tolist()))


def evidence_score(signals: dict[str, Any], policy: AbstentionPolicy) -> float:
    weighted = [
        (signals["best_dense"], policy.dense_weight),
        (signals["best_sentence_sim"], policy.sentence_weight),
        (signals["coverage"], policy.coverage_weight),
        (signals["lexical_present"], policy.lexical_weight),
        (signals["margin"], policy.margin_weight),
        (signals.get("term_coverage"), policy.term_coverage_weight),
    ]
    available = [(value, weight) for value, weight in weighted if value is not None and weight > 0]
    total_weight = sum(weight for _, weight in available)
    return sum(v * w for v, w in available) / total_weight if total_weight else 0.0


def should_abstain(features: dict[str, Any], policy: AbstentionPolicy) -> bool:
    if features["n_candidates"] == 0:
        return True
    coverage = features["coverage"]
    if coverage == 0 and features["best_sentence_sim"] < policy.strong_sentence_similarity:
        return True
    if features.get("answer_type_missing"):
        return True  # a date, a name, a price neither the passage nor the book gives
    if features["selection_mode"]:
        return False  # the learner pointed at the passage: explain it
    if features.get("name_missing") or features.get("asked_kind_unknown"):
        return True  # a product, tool or method the book never names; "which company" in a book with none
    if features.get("object_missing") and (features["best_dense"] or 0.0) < policy.unknown_term_dense_gate:
        return True  # "configure TLS certificates" in a book that names TLS, never a certificate
    if (features.get("unknown_specific") or 0.0) >= policy.max_unknown_specificity and (
        features["best_dense"] or 0.0
    ) < policy.unknown_term_dense_gate:
        return True
    return evidence_score(features, policy) < policy.min_evidence and not reworded(features, policy)


def reworded(features: dict[str, Any], policy: AbstentionPolicy) -> bool:
    """The top hits hold a word of the question and lack only everyday ones ("trouble", "kinds": see
    `missing_specificity`), and a sentence is close in meaning: "What kinds of surfaces cause trouble for
    LiDAR?" of a page saying LiDAR "struggles with glass and mirrors". A question the book lacks lacks a
    specific word ("diffusion policies", "roscore", "banana bread"), or a gate above catches it."""
    missing = features.get("missing_specificity")
    return (
        missing is not None
        and missing <= policy.everyday_specificity
        and features["best_sentence_sim"] >= policy.reworded_sentence_similarity
    )


_ANSWER_TYPES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        re.compile(
            r"\b(cost|price|priced|salary|pay|paid|fee|licen[cs]e cost|how much (does|do|is|are) .{0,40}"
            r"(cost|sell|charge))\b",
            re.I,
        ),
        re.compile(r"[$€£¥₹]\s?\d|\d[\d,.]*\s?(dollars|usd|eur|euros|pounds|gbp|rupees|pkr|k\b|million|billion)", re.I),
    ),
    (
        re.compile(r"\b(what|which|in what) year\b|\bwhen (was|were|did)\b", re.I),
        re.compile(r"\b(1[6-9]\d\d|20\d\d)s?\b"),
    ),
    (
        re.compile(
            r"\bwho (?:first |originally )?(?:invented|discovered|created|designed|developed|coined|proposed|"
            r"introduced|built|founded|came up with)\b|\b(?:inventor|founder|creator)s? of\b",
            re.I,
        ),
        re.compile(
            r"\b(?:invented|discovered|created|designed|developed|coined|proposed|introduced|built|founded|"
            r"pioneered|named after)\b(?:\W+\w+){0,3}?\W+by\b|\b(?:inventor|founder|creator)s?\b|"
            r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)* (?:invented|discovered|coined|proposed|introduced|pioneered)\b",
        ),
    ),
    (
        re.compile(r"\b(model|part|serial|product) (number|no\.?|code)\b", re.I),
        re.compile(r"\b[A-Z]{1,6}[- ]?\d{2,6}[A-Z]?\b"),
    ),
]


_HOW_MANY = re.compile(r"\bhow many\s+(?P<phrase>(?:[a-z][\w-]*\s*){1,4})", re.I)
_AUXILIARIES = frozenset(
    {
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "will",
        "would",
        "should",
        "has",
        "have",
        "had",
        "must",
        "might",
        "may",
    }
)


def answer_type_missing(question: str, results: Sequence[dict[str, Any]]) -> bool:
    """The question asks for a price, a date, a model number or a count of something, and no top
    passage contains one (for a count: no sentence with a number and the thing counted)."""
    selection = [r for r in results if r.get("source") == "selection"]  # the highlighted passage counts
    passages = [str(r.get("text", "")) for r in [*selection, *_book_results(results)[:3]]]
    texts = " ".join(passages)
    if any(asks.search(question) and not has.search(texts) for asks, has in _ANSWER_TYPES):
        return True
    return _count_missing(question, passages)


def _counted_noun(phrase: str) -> str | None:
    """The head of the noun phrase after "how many": its last word before a verb or stop word
    ("charge cycles does ..." → cycle)."""
    head = None
    for word in phrase.lower().split():
        if word in STOPWORDS or word in _AUXILIARIES:
            break
        head = word
    return stem(head) if head else None


def _count_missing(question: str, passages: Sequence[str]) -> bool:
    asked = _HOW_MANY.search(question)
    if not asked:
        return False
    thing = _counted_noun(asked["phrase"])
    if thing is None:
        return False
    sentences = (s for passage in passages for line in passage.splitlines() for s in split_sentences(line))
    return not any(COUNT.search(s) and thing in {stem(w) for w in words(s)} for s in sentences)


def idf_term_coverage(evidence: dict[str, Any] | None) -> float | None:
    """Share of the question's words, weighted by rarity in the book, that the top hits contain.

    A word the book never uses weighs the most and is never covered: questions about prices,
    dates or products the book does not mention score low even when their topic words match.
    """
    if not evidence or not evidence.get("terms"):
        return None
    total = int(evidence.get("chunks") or 0)
    weights = [(math.log((total + 1) / (int(t["df"]) + 1)) + 1.0, bool(t["in_top"])) for t in evidence["terms"]]
    return sum(w for w, covered in weights if covered) / sum(w for w, _ in weights)


_NAME = re.compile(
    r"(?<![\w-])(?:"
    r"[A-Za-z0-9_.]+ ?= ?[A-Za-z0-9_.]+"  # an equation: AX=XB, alpha = 0.98
    r"|"
    r"[A-Za-z][A-Za-z-]*[A-Za-z]\d[\w-]*"  # a letter-led name with a digit: ESP32, Nav2, ORB-SLAM3
    r"|[a-z0-9]+(?:_[a-z0-9]+)+"  # a code identifier: ros2_control
    r"|[A-Za-z]\w*(?:-[A-Za-z]\w*)*-[A-Z][\w]*(?:-\w+)*"  # micro-ROS
    r"|[A-Z][\w]*-[A-Za-z]\w*(?:-\w+)*"  # Denavit-Hartenberg
    r"|[A-Z]{2,}(?:/[A-Z]{2,})?\s\d{3,}"  # a standard or a model: ISO 13849, ISO/TS 15066, GTX 1660
    r"|[A-Z]{3,}|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*"  # an acronym (two letters are too often "AI", "ML"), a name
    r")(?![\w-])"
)
_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s+|(?:^|\s)[\"'(]\s*)$")
NAME_KINDS = frozenset({"procedure", "code", "how", "definition", "general", "number", "list", "why"})
"""Question kinds whose named thing is what they ask about. A yes/no question or a comparison may name a
thing the book does not ("Can I run it on a GTX 1660?") and still be answered from what the book says."""


_REQUEST = re.compile(r"^\s*(?:can|could|would|will)\s+you\b", re.I)
"""A request phrased as a question ("can you walk me through ..."), not a yes/no question."""


def named_things(question: str) -> list[str]:
    """Names in the question: words with digits, code identifiers, hyphenated names with a capital part,
    acronyms and capitalised words that do not open a sentence."""
    found = []
    for match in _NAME.finditer(question):
        word = match.group(0)
        capitalised = word[0].isupper() and not any(c.isdigit() or c in "-_=" for c in word)
        if capitalised and (_SENTENCE_START.search(question[: match.start()]) or word == "I"):
            continue
        found.append(word)
    return found


def _normal(text: str) -> str:
    """Lower-case words and numbers, a letter-digit boundary a space: "ROS2" and "ROS 2" are one name."""
    return " " + " ".join(re.findall(r"[a-z]+|[0-9]+", text.lower())) + " "


def _identifier(name: str) -> bool:
    """A name with a digit or an underscore (a version, a model, a package: ORB-SLAM3, ros2_control, ISO
    13849), or an equation (AX=XB): so specific that a book using it is found by it, and retrieval hands
    over the passage that does."""
    return any(c.isdigit() or c in "_=" for c in name)


def name_missing(question: str, kind: str, results: Sequence[dict[str, Any]], evidence: dict[str, Any] | None) -> bool:
    """The question asks about a named thing (a product, a tool, a method: "micro-ROS", "ESP32", "Nav2",
    "Spot") that none of the retrieved passages names and the book never uses a word of, or an identifier
    (`_identifier`) no retrieved passage names, though the book may use its words ("ORB" features and
    "SLAM", not ORB-SLAM3): the book does not cover it, however close the passages are in topic. Hyphens,
    underscores and spacing do not matter ("ros2_control", "ros2 control")."""
    if kind not in NAME_KINDS and not _REQUEST.match(question) or not evidence:
        return False
    book = _book_results(results)
    names = named_things(question)
    if not book or not names:  # most questions name nothing: the passages are not read
        return False
    fields = (str(r.get(k) or "") for r in book for k in ("text", "heading", "chapter_title"))
    passages = _normal(" ".join(fields))
    df = {str(t["word"]): int(t["df"]) for t in evidence.get("terms", [])}
    return any(
        _normal(name) not in passages
        and (_identifier(name) or any(df.get(w, 1) == 0 for w in re.findall(r"[a-z]{2,}", name.lower())))
        for name in names
    )


_WHICH_KIND = re.compile(
    r"\b(?:which|what)\s+(?P<noun>compan(?:y|ies)|manufacturers?|vendors?|firms?|brands?|startups?|"
    r"organi[sz]ations?|universit(?:y|ies)|countr(?:y|ies)|cit(?:y|ies)|persons?|people|researchers?|inventors?)\b"
)
"""A question for a named organisation, place or person ("which company ..."): a book that never uses the
word names none. Other nouns ("which folders") may be the book's synonyms ("directories")."""


def asked_kind_unknown(question: str, evidence: dict[str, Any] | None) -> bool:
    """ "Which company ...?" asked of a book that never uses the word: it names no company, so it cannot
    say which one."""
    asked = _WHICH_KIND.search(question.lower())
    if asked is None or not evidence:
        return False
    df = {str(t["word"]): int(t["df"]) for t in evidence.get("terms", [])}
    return df.get(asked["noun"], 1) == 0


_HOW_TO = re.compile(r"^\s*how\s+(?:(?:do|can|should|would)\s+(?:i|you|we)|to)\s+\w+\s+(?P<object>.+)$", re.I)
_OBJECT_END = re.compile(
    r"\s+(?:of|in|for|on|at|with|when|and|or|to|from|so|that|if|without|into|using|after|before|while|by)\b|[?,;:!.(]",
    re.I,
)


def object_missing(question: str, evidence: dict[str, Any] | None) -> bool:
    """Asked how to handle a thing named with a modifier ("How do I configure TLS certificates?"), the book
    uses a modifier but never the head noun: it mentions the field the thing belongs to, not the thing.
    A head noun alone ("create folders") may be the book's synonym ("directories"): the modifier ties the
    question to the book, and the missing head says the book stops short of what is asked."""
    asked = _HOW_TO.match(question)
    if asked is None or not evidence or evidence.get("language", "en") != "en":
        return False
    named = [w for w in words(_OBJECT_END.split(asked["object"], maxsplit=1)[0]) if w not in STOPWORDS]
    if len(named) < 2:
        return False
    df = {str(t["word"]): int(t["df"]) for t in evidence.get("terms", [])}
    head = named[-1]
    return df.get(head, 1) == 0 and any(df.get(w, 0) > 0 for w in named[:-1]) and word_specificity(head) > 0
