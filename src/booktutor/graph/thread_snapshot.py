"""The conversation a run continues, as the AG-UI `MESSAGES_SNAPSHOT` the run sends after `RUN_STARTED`.

A client that connects to a thread (the widget after a page load sends only the new message) learns
the conversation from it; one that sent the whole conversation gets it back as the server read it.
It follows the rule of `client_messages.py`: the stored thread up to the learner's message (after a
regenerate, the answers stored later are not part of it), or the client's own messages when they
edit the thread; then the agent's tool calls and the client's results that this run continues
from. At most `SNAPSHOT_MESSAGES` stored messages, the newest.
"""

from __future__ import annotations

from collections.abc import Sequence

from ag_ui.core import AssistantMessage, Message, MessagesSnapshotEvent, RunAgentInput, UserMessage

from booktutor.graph.client_messages import client_edits_thread
from booktutor.graph.state import ChatMessage
from booktutor.memory.models import Message as StoredMessage

SNAPSHOT_MESSAGES = 500


def messages_snapshot(
    run_input: RunAgentInput, question_id: str, stored: Sequence[StoredMessage]
) -> MessagesSnapshotEvent:
    """`stored`: the thread's newest messages, oldest first, the learner's new one (`question_id`) included."""
    ids = [message.id for message in stored]
    if question_id in ids:
        stored = stored[: ids.index(question_id) + 1]
    thread = [_agui(message) for message in stored if message.role in ("user", "assistant")]
    position = _position(run_input, question_id)
    earlier, after = run_input.messages[:position], run_input.messages[position + 1 :]
    chat = [_chat(message) for message in stored[:-1] if message.role in ("user", "assistant") and message.content]
    if thread and client_edits_thread(earlier, chat):
        thread = [*earlier, thread[-1]]
    return MessagesSnapshotEvent(messages=[*thread, *after])


def _position(run_input: RunAgentInput, question_id: str) -> int:
    ids = [message.id for message in run_input.messages]
    return ids.index(question_id) if question_id in ids else len(ids)


def _agui(message: StoredMessage) -> Message:
    if message.role == "user":
        return UserMessage(id=message.id, content=message.content)
    return AssistantMessage(id=message.id, content=message.content)


def _chat(message: StoredMessage) -> ChatMessage:
    return ChatMessage(role="user" if message.role == "user" else "assistant", content=message.content)


def with_answer(snapshot: MessagesSnapshotEvent, answer_id: str, answer: str) -> MessagesSnapshotEvent:
    """The conversation at the run's end: the snapshot it started with and its answer."""
    return MessagesSnapshotEvent(messages=[*snapshot.messages, AssistantMessage(id=answer_id, content=answer)])
