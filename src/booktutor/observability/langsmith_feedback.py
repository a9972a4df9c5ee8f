"""Learner feedback sent to LangSmith as feedback on the answer's trace, when LangSmith tracing is on.

Best effort: it runs after the response is sent and only logs when anything goes wrong. The trace is
the root run of the graph in that thread (LangGraph puts `thread_id` in the run's metadata) whose
inputs carry the answer's `message_id`."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from booktutor.observability.langsmith_setup import langsmith_enabled

log = structlog.get_logger(__name__)
FEEDBACK_KEY = "learner_rating"
RECENT_TRACES = 50
# Feedback ids derive from the message id, so posting again updates the same LangSmith feedback.
FEEDBACK_NAMESPACE = uuid.UUID("5d0f4c52-8d5e-4c8e-9a3e-0b1f7f6c2a18")


@dataclass(frozen=True, slots=True)
class LearnerFeedback:
    message_id: str
    thread_id: str
    run_id: str | None
    rating: str
    comment: str | None
    route: str | None


class LangSmithFeedback:
    def __init__(self, client: Any, project_name: str) -> None:
        self.client = client
        self.project_name = project_name

    @classmethod
    def from_environment(cls, make_client: Callable[[], Any] | None = None) -> LangSmithFeedback | None:
        """A sender configured by LangSmith's own variables, or None when tracing is off."""
        if not langsmith_enabled():
            return None
        if make_client is None:
            from langsmith import Client

            make_client = Client
        project = os.environ.get("LANGSMITH_PROJECT") or os.environ.get("LANGCHAIN_PROJECT") or "default"
        return cls(make_client(), project)

    async def send(self, feedback: LearnerFeedback) -> None:
        """Never raises: feedback is already stored in Postgres, LangSmith is a copy."""
        try:
            await asyncio.to_thread(self._send, feedback)
        except Exception as exc:  # noqa: BLE001 - best effort by design
            log.warning("langsmith_feedback_failed", message_id=feedback.message_id, error=repr(exc)[:300])

    def _send(self, feedback: LearnerFeedback) -> None:
        trace_id = self._trace_of(feedback)
        if trace_id is None:
            log.info("langsmith_feedback_no_trace", message_id=feedback.message_id)
            return
        feedback_id = uuid.uuid5(FEEDBACK_NAMESPACE, feedback.message_id)
        score = 1 if feedback.rating == "up" else 0
        from langsmith.utils import LangSmithConflictError

        try:
            self.client.create_feedback(
                run_id=trace_id,
                key=FEEDBACK_KEY,
                score=score,
                value=feedback.rating,
                comment=feedback.comment,
                feedback_id=feedback_id,
                source_info=_source_info(feedback),
            )
        except LangSmithConflictError:
            self.client.update_feedback(feedback_id, score=score, value=feedback.rating, comment=feedback.comment)

    def _trace_of(self, feedback: LearnerFeedback) -> Any | None:
        runs = self.client.list_runs(
            project_name=self.project_name,
            is_root=True,
            filter=(f'and(eq(metadata_key, "thread_id"), eq(metadata_value, {json.dumps(feedback.thread_id)}))'),
            limit=RECENT_TRACES,
        )
        for run in runs:
            if (getattr(run, "inputs", None) or {}).get("message_id") == feedback.message_id:
                return run.id
        return None


def _source_info(feedback: LearnerFeedback) -> dict[str, Any]:
    return {"message_id": feedback.message_id, "thread_id": feedback.thread_id, "route": feedback.route}
