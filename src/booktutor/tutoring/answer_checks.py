"""Checks on a short answer that a similarity score cannot make.

* A copied question: the answer adds (almost) nothing to the question's own words.
* A negation the reference does not have (or the reverse): "X does not cause Y" embeds close to
  "X causes Y", so the grader says it is unsure instead of calling it correct.
* Swapped roles: the reference says "A does P, B does Q" and the answer says "A does Q, B does P".
  Each clause of the reference pairs an anchor term (a key term, or a term with its number such
  as "category 1") with the words only that clause uses; an answer clause that puts an anchor with
  another anchor's words rather than its own swaps them.
* The answer's shape: much shorter than the reference while staying on its words is partial.
"""

from __future__ import annotations

import re

from booktutor.tutoring.stopwords import FUNCTION_WORDS

COPIED_FEEDBACK = "Your answer repeats the question. Explain it in your own words: say what happens and why."
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_NEGATION = re.compile(
    r"\b(not|no|never|none|neither|nor|cannot|doesn't|don't|isn't|aren't|won't|can't|didn't|"
    r"wasn't|weren't|hardly|nothing)\b|n't\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[;:.!?,()]|\b(?:while|whereas|but|so|because|then|and|whereby)\b", re.IGNORECASE)
# FUNCTION_WORDS and what a free-text answer carries besides: the pieces of "e.g." and "i.e." and
# fillers ("just", "very", "like", ...) that say nothing of the content. "not" and "because" stay content
# words here: an answer that adds a negation or a cause to the question says something of its own.
_STOP = FUNCTION_WORDS | {"e", "each", "eg", "g", "i", "ie", "just", "like", "much", "one", "such", "very"}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def content_words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


def copies_question(answer: str, question: str, reference: str) -> bool:
    """The answer's content words are (nearly) all the question's, and say little of the reference; an answer
    that names what the reference names, when the question offers it ("... at QoS 2 ... at QoS 1. At which QoS
    ...?" answered "QoS 1"), picks it rather than copying."""
    words = content_words(answer)
    if not words:
        return True
    asked = set(content_words(question))
    if (named := set(content_words(reference))) and named <= asked and named <= set(words):
        return False
    new = [w for w in words if w not in asked]
    new_in_reference = set(new) & set(content_words(reference))
    return len(new) <= max(1, len(words) // 5) and len(new_in_reference) <= 1


def negation_mismatch(answer: str, reference: str) -> bool:
    return (len(_NEGATION.findall(answer)) > 0) != (len(_NEGATION.findall(reference)) > 0)


def coverage_shape(answer: str, question: str, reference: str) -> tuple[float, float]:
    """(precision, length ratio): the share of the answer's content words that the question or
    the reference use, and the answer's length relative to the reference's."""
    words = content_words(answer)
    known = set(content_words(reference)) | set(content_words(question))
    precision = sum(w in known for w in words) / len(words) if words else 0.0
    return precision, len(words) / max(1, len(content_words(reference)))


def unsure_feedback(reason: str) -> str:
    return (
        f"I can't grade this one reliably offline: {reason}. Compare your answer with the model answer "
        "and mark it yourself."
    )


def _clauses(text: str) -> list[list[str]]:
    clauses = [content_words(part) for part in _CLAUSE.split(text) if part and part.strip()]
    return [c for c in clauses if c]


def _anchors(clauses: list[list[str]], terms: list[str]) -> dict[str, int]:
    """Anchor token -> the one reference clause it occurs in: words of the key terms and of the
    question (the things the answer must relate), and numbered terms ("category 1")."""
    wanted = {w for term in terms for w in content_words(term)}
    numbered = {f"{a} {b}" for clause in clauses for a, b in zip(clause, clause[1:], strict=False) if b.isdigit()}
    places: dict[str, set[int]] = {}
    for index, clause in enumerate(clauses):
        pairs = {f"{a} {b}" for a, b in zip(clause, clause[1:], strict=False)}
        for token in (set(clause) & wanted) | (pairs & numbered):
            places.setdefault(token, set()).add(index)
    return {token: next(iter(where)) for token, where in places.items() if len(where) == 1}


def pairing(answer: str, reference: str, terms: list[str], question: str = "") -> str:
    """How the answer pairs the reference's anchors (see _anchors) with the words that go with them:
    "n/a" (the reference pairs nothing), "ok", "swapped" (every placed anchor sits with another
    clause's words) or "unclear" (mixed). Read once with the key terms as anchors and once with
    the question's words; a swap either reading finds counts unless the other reads it as right."""
    by_terms = _pairing(answer, reference, terms)
    by_question = _pairing(answer, reference, [question]) if question else "n/a"
    verdicts = {by_terms, by_question} - {"n/a"}
    if "swapped" in verdicts:
        return "unclear" if "ok" in verdicts else "swapped"
    if "unclear" in verdicts:
        return "unclear"
    return "ok" if verdicts else "n/a"


def _pairing(answer: str, reference: str, terms: list[str]) -> str:
    reference_clauses = _clauses(reference)
    anchors = _anchors(reference_clauses, terms)
    if len(set(anchors.values())) < 2:
        return "n/a"
    sets = [set(c) for c in reference_clauses]
    anchor_words = set(" ".join(anchors).split())
    partners = {i: sets[i] - anchor_words - _shared(sets, i) for i in set(anchors.values())}
    aligned = crossed = 0
    for clause in _clauses(answer):
        words, pairs = set(clause), {f"{a} {b}" for a, b in zip(clause, clause[1:], strict=False)}
        places = {anchors[t] for t in anchors if (t in pairs if " " in t else t in words)}
        if len(places) != 1:
            continue
        place = places.pop()
        own = len(words & partners[place])
        other = max((len(words & partners[i]) for i in partners if i != place), default=0)
        aligned += own > other
        crossed += other > own
    if crossed and not aligned:
        return "swapped"
    return "unclear" if crossed else "ok"


def _shared(clauses: list[set[str]], index: int) -> set[str]:
    """Words of clause `index` that other clauses also use (they tell no role apart)."""
    others: set[str] = set()
    for i, clause in enumerate(clauses):
        if i != index:
            others |= clause
    return clauses[index] & others
