"""Text safety: instructions smuggled into a learner's message or into book text never steer the agents.

Sentences that try to override the rules ("ignore previous instructions", "reveal your system
prompt", "you are now …") are removed from a message before routing (the genuine question, if any,
remains) and replaced by a marker in book or selected text handed to a model.
"""

from __future__ import annotations

import re
from functools import lru_cache

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompts?|guidelines|"
    r"above|previous|prior|system)"
    r"|(reveal|show|print|repeat|leak|tell me)\b.{0,30}\b(system prompt|instructions|hidden prompt|rules)"
    r"|\byou are (now|no longer)\b"
    r"|\b(act|pretend|behave) as\b.{0,40}\b(unrestricted|jailbroken|dan|without (rules|limits))"
    r"|\bdeveloper mode\b|\bjailbreak\b"
    r"|<\s*/?\s*(system|assistant|instructions?)\s*>"
    r"|^\s*(system|assistant)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
_SENTENCE = re.compile(r"[^.!?؟۔\n]+[.!?؟۔]?", re.UNICODE)


def looks_like_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


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
