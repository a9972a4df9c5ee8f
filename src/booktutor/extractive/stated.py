"""Whether the answer's sentences state what the question asks: a named quantity, what a term is, a side
of a topic (a drawback, a benefit). Sentences that only share the question's other words do not answer it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from booktutor.extractive.aspects import states_side
from booktutor.extractive.text import COUNT, content_terms, stem

_NAMED_QUANTITY = re.compile(
    r"\b(?:exact|maximum|minimum|max|min|typical|average|peak|rated|nominal)\s+(?:(?!and\b|or\b)[\w-]+\s+){0,2}?"
    r"(?P<noun>force|speed|ratio|value|voltage|current|torque|rate|frequency|size|weight|mass|length|distance|"
    r"range|time|latency|power|capacity|limit|runtime|resolution|accuracy|pressure|temperature)s?\b",
    re.I,
)
_HOW_LONG = re.compile(r"\bhow\s+(?:long|much\s+time)\s+(?:does|do|did|will|would|should|can|could|is|are|to)\b", re.I)
_SPAN = re.compile(
    r"\b(?:\d[\d,.]*|an?|half|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|sixty|ninety|few|several)(?:\s*(?:-|to|–)\s*\d[\d,.]*)?\s*-?\s*"
    r"(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?|semesters?|"
    r"terms?|sessions?|classes|lessons?|m|cm|mm|km|meters?|metres?|inch(?:es)?|f(?:ee|oo)t)\b",
    re.I,
)
"""A span of time (or, for "how long is the cable?", of length): "60 minutes", "1.5-2.5 hours", "a week"."""
_DEFINED_SUBJECT = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+|what'?s\s+|define\s+|meaning\s+of\s+)(?:an?\s+|the\s+)?(?P<subject>[^?,;]+?)"
    r"(?:\s+(?:in|of|for|on|at|with|when|and|used|mean|do|does)\b.*)?\s*[?.!]*\s*$",
    re.I,
)
MAX_SUBJECT_WORDS = 4
"""A definition question's subject this short is a term ("capture point"), not a description."""
CLASS_WORDS = re.compile(
    r"\b(?:kinds?|types?|parts?|steps?|stages?|blocks?|components?|ways?|differences?|reasons?|examples?|"
    r"main|key|different|common|best|good|first|last|next)\b",
    re.I,
)
"""A subject with one of these ("the three parts", "the main building blocks") asks for a list or an
explanation, not what a term means."""
_NUMBER = re.compile(r"\d+")


def _covered(term: str, terms: frozenset[str]) -> bool:
    """The sentence uses the (stemmed) word, or a word that extends it or that it extends ("biped",
    "bipedal")."""
    return term in terms or any(
        min(len(term), len(t)) >= 4 and (t.startswith(term) or term.startswith(t)) for t in terms
    )


def asked_fact_missing(question: str, kind: str, sentences: Sequence[str]) -> bool:
    """The question asks for a kind of fact the quoted sentences do not state about its subject.

    `sentences` are the answer's sentences, each with its section's heading. A named quantity ("the
    typical gear ratio of ...", "the exact maximum force ...") needs a sentence with a number (not one
    the question gives) that names the quantity; "how long does X take?" a sentence with a span of time
    (not one the question gives); "what is <a short term>?" needs a sentence naming
    every word of the term. Without one, the nearest text only shares the question's other words.
    """
    if quantity := _NAMED_QUANTITY.search(question):
        given = set(_NUMBER.findall(question))
        noun = stem(quantity["noun"].lower())
        return not any(set(_NUMBER.findall(s)) - given and _covered(noun, content_terms(s)) for s in sentences)
    if _HOW_LONG.search(question):  # "how long does the project take?" is answered by a span, not its topic
        given = {m.group(0).lower() for m in _SPAN.finditer(question)}
        return not any({m.group(0).lower() for m in _SPAN.finditer(s)} - given for s in sentences)
    subject = _DEFINED_SUBJECT.match(question) if kind == "definition" else None
    if subject and _is_term(subject["subject"]):
        terms = content_terms(subject["subject"])
        return bool(terms) and not any(all(_covered(t, content_terms(s)) for t in terms) for s in sentences)
    return False


def _is_term(subject: str) -> bool:
    return len(subject.split()) <= MAX_SUBJECT_WORDS and not CLASS_WORDS.search(subject) and not COUNT.search(subject)


_SIDE_WORDS = content_terms(
    "disadvantages drawbacks downsides limitations weaknesses cons shortcomings problems costs trade-offs "
    "advantages benefits strengths pros upsides partner partners friend classmates teammates team group others "
    "someone together alone pairs groups teams collaborate due deadline date submit hand turn"
)


def side_missing(question: str, aspect: str, focus: frozenset[str], quoted: Sequence[tuple[str, str]]) -> bool:
    """Asked for a drawback or a benefit of a topic, no quoted sentence states one about it.

    `quoted` pairs each sentence with its section's text (heading and sentences). A sentence counts
    when it states the side, names the part asked about (`focus`: "integral" in "the integral term of
    a PID controller"), and it or its section names most of the topic: "what are its disadvantages?"
    answered with what the topic is, or with another topic's drawback, re-serves an answer instead of
    saying the book does not cover this side.
    """
    if not aspect:
        return False
    topic = content_terms(question) - _SIDE_WORDS
    return not any(
        states_side(sentence, aspect)
        and all(_covered(t, content_terms(sentence)) for t in focus)
        and (_names(topic, sentence) or _names(topic, section))
        for sentence, section in quoted
    )


def _names(topic: frozenset[str], text: str) -> bool:
    terms = content_terms(text)
    return not topic or 2 * sum(_covered(t, terms) for t in topic) >= len(topic)
