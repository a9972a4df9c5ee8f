"""LangGraph checkpoint thread ids: chat threads use their own id, internal flows a reserved prefix.

A chat thread id is chosen by the client, so an id in an internal namespace (`quiz:<id>`) would share
(and on deletion destroy) that flow's checkpoints: such ids are refused when a thread is created.
"""

from __future__ import annotations

import uuid

QUIZ_PREFIX = "quiz:"
RESERVED_PREFIXES = (QUIZ_PREFIX,)


def quiz_checkpoint_id(quiz_id: uuid.UUID | str) -> str:
    return f"{QUIZ_PREFIX}{quiz_id}"


def is_reserved(thread_id: str) -> bool:
    """Whether a chat thread id falls in a namespace kept for internal flows (case-insensitive)."""
    return thread_id.lower().startswith(RESERVED_PREFIXES)
