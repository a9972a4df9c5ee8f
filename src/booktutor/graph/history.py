"""Keep the context a model sees bounded: recent turns within a token budget, older ones summarised."""

from __future__ import annotations

import re

from booktutor.graph.state import ChatMessage

MAX_ASSISTANT_CHARS = 1200
_SENTENCE_END = re.compile(r"(?<=[.!?؟۔])\s")


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def bound_history(
    messages: list[ChatMessage], budget_tokens: int = 1500
) -> tuple[list[ChatMessage], list[ChatMessage]]:
    """(kept, dropped): the newest messages that fit the budget; the last message is always kept."""
    kept: list[ChatMessage] = []
    used = 0
    for message in reversed(messages):
        content = _truncate(message)
        cost = estimate_tokens(content)
        if kept and used + cost > budget_tokens:
            break
        kept.append({"role": message["role"], "content": content})
        used += cost
    kept.reverse()
    return kept, messages[: len(messages) - len(kept)]


SUMMARY_PREFIX = "Earlier the learner asked: "


def summarise(dropped: list[ChatMessage], previous_summary: str = "", max_chars: int = 600) -> str:
    """A deterministic summary of older turns: the learner's earlier questions, the newest kept."""
    earlier = previous_summary.removeprefix(SUMMARY_PREFIX)
    topics = [t for t in earlier.split("; ") if t] if earlier else []
    topics += [_first_sentence(m["content"]) for m in dropped if m["role"] == "user"]
    while topics and len(SUMMARY_PREFIX) + len("; ".join(topics)) > max_chars:
        topics.pop(0)
    return SUMMARY_PREFIX + "; ".join(topics) if topics else ""


def _truncate(message: ChatMessage) -> str:
    content = message["content"]
    if message["role"] == "assistant" and len(content) > MAX_ASSISTANT_CHARS:
        return content[:MAX_ASSISTANT_CHARS] + " …"
    return content


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0][:160]
