"""The offline grounded answerer as an Agents SDK ``Model``.

Turn 1: call ``search_book`` with the learner's latest message. Turn 2: compose an extractive
answer from the tool output and stream it as Responses-API events, exactly like a hosted LLM,
so ``Runner.run_streamed`` drives tools and streaming through its normal code path.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, ClassVar

from agents import FunctionTool, ModelProvider, ModelSettings, Tool, Usage
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import (
    ModelResponse,
    TResponseInputItem,
    TResponseOutputItem,
    TResponseStreamEvent,
)
from agents.models.interface import Model, ModelTracing
from openai.types.responses.response_prompt_param import ResponsePromptParam

from booktutor.extractive import AbstentionPolicy, compose_answer
from booktutor.extractive.chapter_points import chapter_points_answer, missing_part_answer
from booktutor.extractive.intent import asked_topic
from booktutor.providers.capabilities import OFFLINE_ANSWERER, ModelCapabilities
from booktutor.providers.embeddings import Embedder
from booktutor.providers.model_input import TurnState
from booktutor.providers.responses_events import WORDS_PER_DELTA, function_call, new_id, stream_output, text_message

SEARCH_TOOL = "search_book"
MAX_TOOL_ECHO_WORDS = 120
OFFLINE_HELP = (
    "I'm running offline without a language model, so I can only answer by quoting the book. "
    "Ask me about a topic the book covers, or highlight a passage and ask about it."
)


def _tool_names(tools: Sequence[Tool]) -> set[str]:
    return {tool.name for tool in tools if isinstance(tool, FunctionTool)}


def _results_from_payload(payload: Any) -> list[dict[str, Any]] | None:
    """Search-shaped results from a tool's JSON output (search results or one section/chapter)."""
    if isinstance(payload, dict) and isinstance(payload.get("results"), list):
        return [r for r in payload["results"] if isinstance(r, dict)]
    if isinstance(payload, dict) and isinstance(payload.get("text"), str):
        return [{**payload, "n": payload.get("n", 1), "source": payload.get("source", "book")}]
    return None


def _plain_summary(outputs: Sequence[tuple[str, str]]) -> str:
    words = " ".join(text for _, text in outputs).split()
    clipped = " ".join(words[:MAX_TOOL_ECHO_WORDS]) + (" …" if len(words) > MAX_TOOL_ECHO_WORDS else "")
    return f"Here is what I found:\n\n{clipped}"


# ---------------------------------------------------------------- the model


class ExtractiveModel(Model):
    """Answers only by quoting retrieved book text; no LLM, no network."""

    capabilities: ClassVar[ModelCapabilities] = OFFLINE_ANSWERER
    runs_locally: ClassVar[bool] = True
    """Its own computation, no provider to wait for: only the run's deadline bounds it."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        policy: AbstentionPolicy | None = None,
        *,
        words_per_delta: int = WORDS_PER_DELTA,
        delta_delay_s: float = 0.0,
        model_name: str = "extractive",
    ) -> None:
        self.embedder = embedder
        self.policy = policy or AbstentionPolicy()
        self.words_per_delta = words_per_delta
        self.delta_delay_s = delta_delay_s
        self.model_name = model_name

    async def plan(self, input: str | list[TResponseInputItem], tools: Sequence[Tool]) -> list[TResponseOutputItem]:
        """The output items for this turn: a search call, or the composed answer."""
        state = TurnState(input)
        question = asked_topic(state.question.strip())
        search_output = state.output_of(SEARCH_TOOL)
        if search_output is None and SEARCH_TOOL in _tool_names(tools) and question:
            return [function_call(SEARCH_TOOL, {"query": question})]
        outputs = [("search_book", search_output)] if search_output is not None else state.tool_outputs
        return [text_message(await self._answer(question, outputs, state.earlier_answers))]

    async def _answer(self, question: str, outputs: Sequence[tuple[str, str]], said: Sequence[str] = ()) -> str:
        if not outputs:
            return OFFLINE_HELP
        results: list[dict[str, Any]] = []
        evidence: dict[str, Any] | None = None
        practice: list[dict[str, Any]] | None = None
        kinds: dict[str, Any] | None = None
        for _, text in outputs:
            try:
                payload = json.loads(text)
            except json.JSONDecodeError:
                payload = None
            results.extend(_results_from_payload(payload) or [])
            if isinstance(payload, dict) and isinstance(payload.get("evidence"), dict):
                evidence = payload["evidence"]
            if isinstance(payload, dict) and isinstance(payload.get("practice"), list):
                practice = [p for p in payload["practice"] if isinstance(p, dict)]
            if isinstance(payload, dict) and isinstance(payload.get("kinds"), dict):
                kinds = payload["kinds"]
            missing = payload.get("missing_part") if isinstance(payload, dict) else None
            if isinstance(missing, dict) and (no_part := missing_part_answer(missing)):
                return no_part
            if isinstance(payload, dict) and (points := chapter_points_answer(payload.get("chapter_points") or [])):
                return points
        if not results:
            return _plain_summary(outputs)
        composed = await compose_answer(
            question,
            results,
            embedder=self.embedder,
            policy=self.policy,
            evidence=evidence,
            said=said,
            practice=practice,
            kinds=kinds,
        )
        return composed.text

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelResponse:
        output = await self.plan(input, tools)
        return ModelResponse(output=output, usage=Usage(requests=1), response_id=new_id("resp"))

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> AsyncIterator[TResponseStreamEvent]:
        output = await self.plan(input, tools)
        async for event in stream_output(
            output,
            self.model_name,
            words_per_delta=self.words_per_delta,
            delta_delay_s=self.delta_delay_s,
        ):
            yield event


class ExtractiveModelProvider(ModelProvider):
    """Serves the one extractive model whatever name an agent asks for."""

    def __init__(self, model: ExtractiveModel | None = None) -> None:
        self.model = model or ExtractiveModel()

    def get_model(self, model_name: str | None) -> Model:
        return self.model
