"""Which conversation a run continues: the stored thread, or the client's `messages` when they differ.

The rule (documented in docs/conversation.md):

1. The stored thread is the conversation. A client may send only the new message.
2. Regenerate: when the last message's id is already stored in the thread, the run continues the
   thread as it was up to that message; what was stored after it is not shown to the model.
3. Edit: when the client sends earlier messages and their text differs from the stored thread's
   last messages (compared by role and text, newest first, over as many as the client sent),
   the client's messages are the conversation for this run.

The stored thread stays append-only either way: the new answer is added after the learner's message.
"""

from __future__ import annotations

from collections.abc import Sequence

from ag_ui.core import Message, RunAgentInput

from booktutor.graph.state import ChatMessage
from booktutor.graph.turn_request import TurnRequest
from booktutor.memory.models import Message as StoredMessage

MAX_CLIENT_MESSAGES = 40


def conversation_for(
    earlier_messages: Sequence[Message],
    question_id: str | None,
    stored: Sequence[tuple[str, ChatMessage]],
    question: str,
) -> list[ChatMessage]:
    """The messages a run sees, oldest first, ending with the learner's `question`.

    `earlier_messages` are the run input's messages before the learner's latest one (whose id is
    `question_id`); `stored` the thread's recent (id, message) pairs, the new message included.
    """
    ids = [message_id for message_id, _ in stored]
    if question_id in ids:
        stored = stored[: ids.index(question_id) + 1]  # regenerate: forget what followed that message
    history = [message for _, message in stored]
    before = history[:-1] if history and history[-1]["role"] == "user" else history
    earlier = _chat_messages(earlier_messages)[-MAX_CLIENT_MESSAGES:]
    if earlier and _differs(earlier, before):
        history = earlier  # the client edited the conversation: its version is this run's
    if not history or history[-1]["role"] != "user" or history[-1]["content"] != question:
        history = [*history, ChatMessage(role="user", content=question)]
    return history


def client_edits_thread(earlier_messages: Sequence[Message], stored_before: Sequence[ChatMessage]) -> bool:
    """Whether the client's messages before the learner's latest one edit the stored thread (rule 3)."""
    earlier = _chat_messages(earlier_messages)[-MAX_CLIENT_MESSAGES:]
    return bool(earlier) and _differs(earlier, list(stored_before))


def _differs(client: list[ChatMessage], stored: list[ChatMessage]) -> bool:
    if len(client) > len(stored):
        return True
    tail = stored[len(stored) - len(client) :]
    return any(_key(a) != _key(b) for a, b in zip(client, tail, strict=True))


def _key(message: ChatMessage) -> tuple[str, str]:
    return message["role"], " ".join(message["content"].split())


def _chat_messages(messages: Sequence[Message]) -> list[ChatMessage]:
    out: list[ChatMessage] = []
    for message in messages:
        text = _text(getattr(message, "content", None))
        if message.role in ("user", "assistant") and text.strip():
            out.append(ChatMessage(role="user" if message.role == "user" else "assistant", content=text))
    return out


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(getattr(part, "text", "") or "") for part in content)
    return ""


def _client_side(run_input: RunAgentInput, request: TurnRequest) -> tuple[list[Message], str]:
    """The client's messages before the learner's latest one, and that one's id."""
    ids = [m.id for m in run_input.messages]
    position = ids.index(request.message_id) if request.message_id in ids else len(ids)
    return list(run_input.messages[:position]), request.message_id


def history_for(run_input: RunAgentInput, request: TurnRequest, stored: Sequence[StoredMessage]) -> list[ChatMessage]:
    """The conversation the model sees: the client's messages merged with the stored ones."""
    chat = [
        (m.id, ChatMessage(role="user" if m.role == "user" else "assistant", content=m.content))
        for m in stored
        if m.role in ("user", "assistant") and m.content
    ]
    return conversation_for(*_client_side(run_input, request), chat, request.question)
