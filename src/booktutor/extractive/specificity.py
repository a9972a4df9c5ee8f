"""How specific a question's words are in general text: a rare word the book never uses (a product, a
method, a name) is a sign the book does not cover the question; everyday words and typos are not."""

from __future__ import annotations

import re
from typing import Any

from booktutor.extractive.text import STOPWORDS, has_arabic_script, script_of, stem, words

TYPO_TARGET_ZIPF = 4.5
RARE_ZIPF = 3.0
MIN_TYPO_LENGTH = 6  # shorter rare words are acronyms (QoS, PID, IMU) more often than typos


def word_specificity(word: str, language: str = "en") -> float:
    """1.0 for a rare, specific word (a product, a method, a name), 0.0 for everyday vocabulary,
    from its frequency in general text (wordfreq's Zipf scale: ≤ 3 rare, ≥ 5 everyday)."""
    from wordfreq import zipf_frequency

    zipf = max(zipf_frequency(form, language) for form in word_forms(word))
    if zipf < RARE_ZIPF and len(word) >= MIN_TYPO_LENGTH and _is_typo_of_common_word(word, language):
        return 0.0
    return min(1.0, max(0.0, (5.0 - zipf) / 2.0))


_INFLECTION = re.compile(r"(?:ing|ed|es|s)$")


def word_forms(word: str) -> set[str]:
    """The word and, when it ends like an inflection, its possible base forms ("restarting": "restart",
    "restarte"): an ending makes an everyday word rarer in general text, not more specific."""
    base = _INFLECTION.sub("", word)
    if base == word or len(base) < 3:
        return {word}
    return {word, base, f"{base}e"}


def _is_typo_of_common_word(word: str, language: str) -> bool:
    """A rare word one edit away from an everyday word ("usualy") is a typo, not a topic."""
    from wordfreq import zipf_frequency

    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
    edits |= {a + c + b for a, b in splits for c in letters}
    return any(zipf_frequency(candidate, language) >= TYPO_TARGET_ZIPF for candidate in edits - {word})


def unknown_specific_term(evidence: dict[str, Any] | None) -> float | None:
    """How specific the most specific question word is that the book never uses at all.

    "How does an extended Kalman filter fuse odometry?" asked of a book without Kalman filters
    scores high; a question phrased in everyday words the book happens not to use scores low.
    """
    if not evidence or evidence.get("language", "en") != "en":
        return None
    unknown = [t["word"] for t in evidence.get("terms", []) if int(t["df"]) == 0 and len(t["word"]) > 2]
    return max((word_specificity(w) for w in unknown if not w.isdigit()), default=0.0)


def missing_specificity(question: str, found: frozenset[str] | None) -> float | None:
    """How specific the most specific English question word is that the top hits lack (`found`: their
    stemmed words). None when they hold no word of the question (nothing ties them to it) or every word
    (nothing is missing), or the question is not English."""
    asked = _asked_words(question)
    if found is None or not asked.keys() & found:
        return None
    missing = [word for term, word in asked.items() if term not in found]
    return max(word_specificity(word) for word in missing) if missing else None


def _asked_words(question: str) -> dict[str, str]:
    """The question's content words (as `content_terms` takes them) by stem, each with the word as asked;
    empty for a question not in English, as wordfreq's English frequencies judge how everyday a word is."""
    if script_of(question) != "latin" or has_arabic_script(question):
        return {}
    asked: dict[str, str] = {}
    for word in words(question):
        if len(word) > 1 and not word.isdigit() and word not in STOPWORDS and word != "_":
            asked.setdefault(stem(word), word)
    return asked
