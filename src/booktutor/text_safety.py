"""Text safety: instructions smuggled into a learner's message or into book text never steer the agents.

Sentences that try to override the rules ("ignore previous instructions", "reveal your system
prompt", "you are now …") are removed from a message before routing (the genuine question, if any,
remains) and replaced by a marker in book or selected text handed to a model.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Each alternative its own case-sensitive pattern, searched in the lowered text: Python's re skips
# ahead to a pattern's possible first letters only without IGNORECASE and without a leading assertion,
# so a leading \b is written as a lookbehind after the word. About 4x faster than one case-insensitive
# alternation (book text passes here for every search hit); tests/unit/test_text_safety.py checks that
# both match the same texts.
_INJECTION_PARTS = tuple(
    re.compile(part, re.MULTILINE)
    for part in (
        r"(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompts?|guidelines|"
        r"above|previous|prior|system)",
        r"(reveal|show|print|repeat|leak|tell me)\b.{0,30}\b(system prompt|instructions|hidden prompt|rules)",
        r"you are(?<!\wyou are) (now|no longer)\b",
        r"(act(?<!\wact)|pretend(?<!\wpretend)|behave(?<!\wbehave)) as\b.{0,40}\b"
        r"(unrestricted|jailbroken|dan|without (rules|limits))",
        r"(developer mode(?<!\wdeveloper mode)|jailbreak(?<!\wjailbreak))\b",
        r"<\s*/?\s*(system|assistant|instructions?)\s*>",
        r"^\s*(system|assistant)\s*:",
    )
)
# What IGNORECASE also matches to ASCII letters (İ ı ſ K); İ is also the one letter lower() lengthens.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_SENTENCE = re.compile(r"[^.!?؟۔\n]+[.!?؟۔]?", re.UNICODE)


def looks_like_injection(text: str) -> bool:
    folded = text.lower() if text.isascii() else text.translate(_FOLD).lower()
    return any(part.search(folded) for part in _INJECTION_PARTS)


def strip_injection(text: str) -> tuple[str, bool]:
    """The message without the sentences that try to change the rules, and whether any did."""
    if not looks_like_injection(text):
        return text, False
    kept = [s.strip() for s in _SENTENCE.findall(text) if s.strip() and not looks_like_injection(s)]
    return " ".join(kept).strip(), True


REMOVED_MARKER = "[instruction-like text removed]"


@lru_cache(maxsize=4096)  # the same chunks are handed to the model answer after answer
def fence_untrusted(text: str) -> str:
    """Book or selected text as data: sentences that read as instructions to the model are removed."""
    if not looks_like_injection(text):
        return text
    return _SENTENCE.sub(lambda m: REMOVED_MARKER if looks_like_injection(m.group(0)) else m.group(0), text)
