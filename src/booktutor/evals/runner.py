"""Run eval cases through the real answer path (ChatService) and score them."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ag_ui.core import (
    BaseEvent,
    RunAgentInput,
    RunErrorEvent,
    RunFinishedEvent,
    TextMessageContentEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
    UserMessage,
)

from booktutor.evals.answer_metrics import answer_scores
from booktutor.evals.dataset import EvalCase
from booktutor.evals.metrics import case_scores, dedupe, relevant_ranks
from booktutor.evals.store import SectionTexts
from booktutor.graph.service import ChatService
from booktutor.memory.models import User
from booktutor.retrieval.search import SearchQuery
from booktutor.services import Services

FALLBACK_K = 10
_DOC_PATH = re.compile(r'"source":\s*"(\w+)",\s*"doc_path":\s*"((?:[^"\\]|\\.)*)"')


@dataclass
class RunTrace:
    """What one run streamed: text, searches, the final state."""

    text: list[str] = field(default_factory=list)
    tools: dict[str, str] = field(default_factory=dict)
    searched: list[str] = field(default_factory=list)
    made_search: bool = False
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def search_doc_paths(content: str) -> list[str]:
    """Book doc paths of a search_book result in rank order (the selection result skipped).

    The streamed tool result may be cut short, so a regex reads what JSON parsing cannot.
    """
    try:
        results = json.loads(content).get("results", [])
        return [r.get("doc_path", "") for r in results if r.get("source", "book") == "book"]
    except (json.JSONDecodeError, AttributeError):
        return [json.loads(f'"{path}"') for source, path in _DOC_PATH.findall(content) if source == "book"]


def record(trace: RunTrace, event: BaseEvent) -> None:
    if isinstance(event, TextMessageContentEvent):
        trace.text.append(event.delta)
    elif isinstance(event, ToolCallStartEvent):
        trace.tools[event.tool_call_id] = event.tool_call_name
    elif isinstance(event, ToolCallResultEvent) and trace.tools.get(event.tool_call_id) == "search_book":
        trace.made_search = True
        if isinstance(event.content, str):  # booktutor's tools answer in text
            trace.searched.extend(search_doc_paths(event.content))
    elif isinstance(event, RunFinishedEvent):
        trace.result = dict(event.result or {})
    elif isinstance(event, RunErrorEvent):
        trace.error = event.message


def run_input(case: EvalCase, book_id: str) -> RunAgentInput:
    props: dict[str, Any] = {"book_id": book_id}
    if case.mode == "selection":
        props["selected_text"] = case.selected_text
    return RunAgentInput(
        thread_id=f"eval-{uuid.uuid4().hex}",
        run_id=f"run-{uuid.uuid4().hex}",
        state={},
        messages=[UserMessage(id=f"msg-{uuid.uuid4().hex}", role="user", content=case.question)],
        tools=[],
        context=[],
        forwarded_props=props,
    )


def _anchor(url: str) -> str:
    return url.split("#", 1)[1] if "#" in url else ""


def cited_sources(citations: Sequence[dict], sections: SectionTexts, selected_text: str) -> list[str]:
    """The text behind each citation: its section's chunks, or the learner's selection."""
    texts = []
    for c in citations:
        path = c.get("doc_path") or ""
        texts.append(
            sections.get((path, _anchor(c.get("anchor_url") or "")), c.get("snippet") or "") if path else selected_text
        )
    return texts


@dataclass
class EvalRunner:
    chat: ChatService
    services: Services
    user: User
    book_id: str
    sections: SectionTexts
    concurrency: int = 4

    async def run_all(
        self, cases: Sequence[EvalCase], on_done: Callable[[dict[str, Any]], None] | None = None
    ) -> list[dict[str, Any]]:
        gate = asyncio.Semaphore(max(1, self.concurrency))

        async def one(case: EvalCase) -> dict[str, Any]:
            async with gate:
                result = await self.run_case(case)
            if on_done:
                on_done(result)
            return result

        return list(await asyncio.gather(*(one(c) for c in cases)))

    async def run_case(self, case: EvalCase) -> dict[str, Any]:
        started = time.perf_counter()
        trace = await self._stream(case)
        latency_ms = (time.perf_counter() - started) * 1000
        retrieved = dedupe(trace.searched) if trace.made_search else await self._fallback(case)
        return self._score(case, trace, retrieved, latency_ms)

    async def _stream(self, case: EvalCase) -> RunTrace:
        trace = RunTrace()
        run = run_input(case, self.book_id)
        try:
            await self.chat.prepare(run, self.user)
            async for event in self.chat.stream(run, self.user):
                record(trace, event)
        except Exception as exc:  # one failing case must not stop the eval
            trace.error = f"{type(exc).__name__}: {exc}"
        return trace

    async def _fallback(self, case: EvalCase) -> list[str]:
        found = await self.services.searcher.search(SearchQuery(text=case.question, k=FALLBACK_K, book_id=self.book_id))
        return dedupe([hit.doc_path for hit in found.hits])

    def _score(self, case: EvalCase, trace: RunTrace, retrieved: list[str], latency_ms: float) -> dict[str, Any]:
        citations = list(trace.result.get("citations") or [])
        answer = "".join(trace.text)
        abstained = bool(trace.result.get("abstained", False))
        ranks = relevant_ranks(retrieved, case.relevant)
        scores = case_scores(
            ranks=ranks,
            relevant=case.relevant,
            answerable=case.answerable,
            abstained=abstained,
            cited_paths=[c.get("doc_path") or "" for c in citations],
            answer=answer,
            keywords=case.keywords,
            sources=cited_sources(citations, self.sections, case.selected_text),
        )
        scores.update(
            answer_scores(
                question=case.question,
                answer=answer,
                abstained=abstained,
                answerable=case.answerable,
                relevant=case.relevant,
                evidence=case.evidence,
                citations=citations,
                section_text=self.sections,
            )
        )
        return {
            "id": case.id,
            "mode": case.mode,
            "answerable": case.answerable,
            "question": case.question,
            "reference_answer": case.reference_answer,
            "relevant": case.relevant,
            "ranks": ranks,
            "retrieved": retrieved,
            "answer": answer,
            "citations": citations,
            "abstained": abstained,
            "latency_ms": round(latency_ms, 1),
            "scores": scores,
            "route": trace.result.get("route"),
            "degraded": bool(trace.result.get("degraded", False)),
            "error": trace.error,
        }
