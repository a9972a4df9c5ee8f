"""Gemini as an Agents SDK `Model`, through Google's `google-genai` SDK (the Gemini REST API).

Text streams as it arrives (`streamGenerateContent`), tool calls round-trip as function calls
(with their thought signatures, which Gemini 3 requires back), an agent's output type becomes
JSON mode with its schema. Retries, timeouts and fallbacks are FallbackModel's, as for every
provider: the SDK itself never retries a chat call.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import ClassVar

import httpx
from agents import ModelSettings, Tool
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import ModelResponse, TResponseInputItem, TResponseOutputItem, TResponseStreamEvent
from agents.models.interface import Model, ModelTracing
from google import genai
from google.genai import types
from openai.types.responses import (
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputText,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
)
from openai.types.responses.response_prompt_param import ResponsePromptParam
from openai.types.responses.response_usage import ResponseUsage

from booktutor.config import Settings
from booktutor.observability.outbound import async_http_client
from booktutor.providers.capabilities import LANGUAGE_MODEL, ModelCapabilities
from booktutor.providers.gemini_convert import (
    answer_parts,
    build_request,
    no_answer,
    output_items,
    tool_call_item,
    usage_of,
)
from booktutor.providers.responses_events import ResponseEventStream, text_message

SIGNATURES_KEPT = 512
"""Thought signatures remembered for tool calls still to be answered (they come back within a run)."""


class _Signatures(OrderedDict[str, bytes]):
    """Thought signatures by call id; the oldest are forgotten first."""

    def __setitem__(self, key: str, value: bytes) -> None:
        super().__setitem__(key, value)
        while len(self) > SIGNATURES_KEPT:
            self.popitem(last=False)


def gemini_client(
    api_key: str, base_url: str | None, http: httpx.AsyncClient, *, timeout_s: float, attempts: int
) -> genai.Client:
    """A client on booktutor's own httpx client (request ids, connect timeout); `base_url` points it
    at another server speaking the Gemini API (a gateway, or a test's fake)."""
    options = types.HttpOptions(
        base_url=base_url,
        timeout=int(timeout_s * 1000),
        httpx_async_client=http,
        retry_options=types.HttpRetryOptions(attempts=attempts) if attempts > 1 else None,
    )
    return genai.Client(api_key=api_key, http_options=options)


class GeminiModel(Model):
    capabilities: ClassVar[ModelCapabilities] = LANGUAGE_MODEL

    def __init__(
        self,
        model_name: str,
        client: genai.Client,
        http: httpx.AsyncClient | None = None,
        *,
        thinking_budget: int | None = None,
    ) -> None:
        self.model_name = model_name
        self._client = client
        self._http = http
        self._signatures = _Signatures()
        self._thinking = None if thinking_budget is None else types.ThinkingConfig(thinking_budget=thinking_budget)

    @classmethod
    def from_settings(cls, settings: Settings) -> GeminiModel | None:
        """The configured model, or None without an API key."""
        if settings.gemini_api_key is None:
            return None
        # The first token's wait is FallbackModel's to bound; a request's own limit (which Gemini also
        # gets as its server-side deadline) is the whole run's, so a long answer is never cut short.
        timeout_s = max(settings.llm_run_timeout_s, settings.llm_timeout_s)
        http = async_http_client(timeout_s)
        key = settings.gemini_api_key.get_secret_value()
        client = gemini_client(key, settings.gemini_base_url, http, timeout_s=timeout_s, attempts=1)
        return cls(settings.gemini_model, client, http, thinking_budget=settings.gemini_thinking_budget)

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
        request = build_request(
            system_instructions, input, model_settings, tools, output_schema, handoffs, self._signatures, self._thinking
        )
        response = await self._client.aio.models.generate_content(
            model=self.model_name, contents=request.contents, config=request.config
        )
        return ModelResponse(
            output=output_items(response, self._signatures),
            usage=usage_of([response]),
            response_id=response.response_id,
        )

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
        request = build_request(
            system_instructions, input, model_settings, tools, output_schema, handoffs, self._signatures, self._thinking
        )
        chunks = await self._client.aio.models.generate_content_stream(
            model=self.model_name, contents=request.contents, config=request.config
        )
        events = _StreamEvents(self.model_name, self._signatures)
        for event in events.opening():
            yield event
        async for chunk in chunks:
            for event in events.chunk(chunk):
                yield event
        for event in events.finish():
            yield event

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()


class _StreamEvents(ResponseEventStream):
    """Gemini's chunks as Responses-API events: text deltas as they come, each tool call whole
    (Gemini streams a call in one piece), then `response.completed`."""

    def __init__(self, model_name: str, signatures: dict[str, bytes]) -> None:
        super().__init__(model_name)
        self._signatures = signatures
        self._pending = text_message("")
        self._text: list[str] = []
        self._output: list[TResponseOutputItem] = []
        self._last: types.GenerateContentResponse | None = None
        self._usage: list[types.GenerateContentResponse] = []

    def chunk(self, chunk: types.GenerateContentResponse) -> Iterator[TResponseStreamEvent]:
        self._last = chunk
        self._usage.append(chunk)
        for part in answer_parts(chunk):
            if part.text:
                yield from self._delta(part.text)
            elif part.function_call is not None:
                yield from self._close_message()
                call = tool_call_item(part.function_call, part.thought_signature, self._signatures)
                self._output.append(call)
                yield from self.item(call, len(self._output) - 1)

    def finish(self) -> Iterator[TResponseStreamEvent]:
        yield from self._close_message()
        if not self._output:
            raise no_answer(self._last)
        final = self.completed(self._output)
        assert isinstance(final, ResponseCompletedEvent)
        usage = usage_of(self._usage)
        final.response.usage = ResponseUsage(
            input_tokens=usage.input_tokens,
            input_tokens_details=usage.input_tokens_details,
            output_tokens=usage.output_tokens,
            output_tokens_details=usage.output_tokens_details,
            total_tokens=usage.total_tokens,
        )
        yield final

    def _where(self) -> dict[str, str | int]:
        return {"item_id": self._pending.id, "output_index": len(self._output), "content_index": 0}

    def _delta(self, text: str) -> Iterator[TResponseStreamEvent]:
        if not self._text:
            pending = self._pending.model_copy(update={"content": [], "status": "in_progress"})
            index = len(self._output)
            yield ResponseOutputItemAddedEvent(
                type="response.output_item.added", item=pending, output_index=index, sequence_number=self._next()
            )
            part = ResponseOutputText(type="output_text", text="", annotations=[], logprobs=[])
            yield ResponseContentPartAddedEvent(
                type="response.content_part.added", part=part, sequence_number=self._next(), **self._where()
            )
        self._text.append(text)
        yield ResponseTextDeltaEvent(
            type="response.output_text.delta", delta=text, logprobs=[], sequence_number=self._next(), **self._where()
        )

    def _close_message(self) -> Iterator[TResponseStreamEvent]:
        if not self._text:
            return
        text = "".join(self._text)
        self._text = []
        message = text_message(text).model_copy(update={"id": self._pending.id})
        part = message.content[0]
        assert isinstance(part, ResponseOutputText)
        where = self._where()
        yield ResponseTextDoneEvent(
            type="response.output_text.done", text=text, logprobs=[], sequence_number=self._next(), **where
        )
        yield ResponseContentPartDoneEvent(
            type="response.content_part.done", part=part, sequence_number=self._next(), **where
        )
        yield ResponseOutputItemDoneEvent(
            type="response.output_item.done", item=message, output_index=len(self._output), sequence_number=self._next()
        )
        self._output.append(message)
        self._pending = text_message("")
