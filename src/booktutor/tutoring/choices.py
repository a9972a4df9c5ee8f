"""Whether a wrong choice fits beside the key: the same form of phrase, in the same script, a name in code
only beside another, reading as well in the stem's blank, not a restatement of the key, and not left
obviously wrong because the question's stem names the key.

A learner should not be able to pick the key by its form alone: a title-cased term among sentences,
"Policy" beside "100% Policy", an Urdu word among English ones, or "Force Limits" asked as "never
exceed safe force thresholds" when no other choice mentions force.
"""

from __future__ import annotations

import re
import unicodedata

from booktutor.tutoring.facts import STOP_WORDS
from booktutor.tutoring.questions import normalized

# Words that say nothing about what a choice is: articles, prepositions, pronouns, and "is".
_FILLER = STOP_WORDS | frozenset({"at", "from", "into", "is", "are", "be", "can", "your", "you", "we", "our"})
_MIN_TITLE_WORD = 4
_MIN_SENTENCE_WORDS = 4  # shorter words ("of", "and", "ROS") do not tell title case from sentence case
_CODE_LIKE = re.compile(
    r"[a-z]\.[a-z]{1,4}\b(?!\.)|[a-z]_[a-z]|^[\w.-]+/$|\(\)$"
)  # package.xml, cv_bridge, src/, spin()
_ARTICLE_BLANK = re.compile(r"\b([Aa])(?:n|\(n\))?(\s+_____)")


def content_words(text: str) -> set[str]:
    """The text's words that carry meaning, in a singular form ("policies" → "policy")."""
    return {_singular(w) for w in normalized(text).split() if w not in _FILLER and not w.isdigit()}


def restates(candidate: str, answer: str) -> bool:
    """The candidate says the key again: one's content words are all among the other's
    ("100% Policy" and "QoS policies" for "Policy (π)")."""
    a, b = content_words(_without_brackets(candidate)), content_words(_without_brackets(answer))
    return bool(a) and bool(b) and (a <= b or b <= a)


def same_kind(candidate: str, answer: str) -> bool:
    """The same form of phrase as the key, in the same writing system: a Title Cased name beside a
    name, a clause beside a clause; a word or short phrase goes with either."""
    if _script(candidate) != _script(answer) or code_like(candidate) != code_like(answer):
        return False
    shapes = {_shape(candidate), _shape(answer)}
    return "word" in shapes or len(shapes) == 1


def gives_away(answer: str, stem: str, others: list[str]) -> bool:
    """The stem names one of the key's words and no other choice shares one with the stem, so
    the key is found by matching words ("Force Limits" for "never exceed safe force thresholds")."""
    asked = content_words(stem)
    if not content_words(answer) & asked:
        return False
    return not any(content_words(other) & asked for other in others)


def least_revealing(answer: str, stem: str, ranked: list[str], size: int = 3) -> list[str]:
    """The first `size` of the ranked wrong choices, except that when those leave the key the only
    choice sharing a word with the stem, the best-ranked choice that shares one comes first."""
    wrong = ranked[:size]
    if not gives_away(answer, stem, wrong):
        return wrong
    sharing = next((c for c in ranked if not gives_away(answer, stem, [c])), None)
    return wrong if sharing is None else [sharing, *(c for c in ranked if c != sharing)][:size]


def code_like(text: str) -> bool:
    """A file, folder or identifier rather than words."""
    return bool(_CODE_LIKE.search(text.strip()))


def _shape(text: str) -> str:
    """ "title" for a name of several capitalised words, "sentence" for a clause of four words or more
    in sentence case, else "word" (a word or short phrase, whose case tells nothing)."""
    tokens = re.findall(r"[^\W_]+", _without_brackets(text))  # "Request-Reply" is two words
    words = [w for w in tokens if len(w) >= _MIN_TITLE_WORD and not w.isdigit()]
    if len(tokens) >= 2 and words and all(w[:1].isupper() for w in words):
        return "title"
    return "sentence" if len(tokens) >= _MIN_SENTENCE_WORDS else "word"


def _script(text: str) -> str:
    """The writing system of the text's first letter ("LATIN", "ARABIC", ...)."""
    letter = next((ch for ch in text if ch.isalpha()), "")
    return unicodedata.name(letter, "").split(" ")[0] if letter else ""


def _without_brackets(text: str) -> str:
    return re.sub(r"\([^)]*\)", " ", text)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def neutral_article(prompt: str) -> str:
    """ "An _____ measures …" names the key's first sound: "A(n) _____ measures …"."""
    return _ARTICLE_BLANK.sub(r"\1(n)\2", prompt)


def fits_blank(candidate: str, answer: str, prompt: str) -> bool:
    """After "a(n) _____" a choice reads as one thing, as the key does: not "Encoders", "Synchronizes" or
    "Simulating physics" beside "LiDAR"."""
    if not _ARTICLE_BLANK.search(prompt):
        return True
    return not (_plural(candidate) and not _plural(answer)) and not (_gerund(candidate) and not _gerund(answer))


def _plural(text: str) -> bool:
    words = _without_brackets(text).split()
    last = words[-1].lower() if words else ""
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is", "ics"))


def _gerund(text: str) -> bool:
    words = text.split()
    return bool(words) and len(words[0]) > 5 and words[0].lower().endswith("ing")
