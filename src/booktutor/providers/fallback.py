"""A model that tries a chain of models in order (pydantic-ai's FallbackModel is the pattern).

Each call gets a timeout and retries of transient errors; a provider that keeps failing has its
circuit opened and is skipped until its cooldown ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from agents import ModelSettings, Tool
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import ModelResponse, TResponseInputItem, TResponseStreamEvent
from agents.models.interface import Model, ModelTracing
from openai.types.responses.response_prompt_param import ResponsePromptParam

from booktutor.observability.metrics import PROVIDER_ERRORS, PROVIDER_FALLBACKS
from booktutor.providers.resilience import CircuitBreaker, RetryPolicy

log = structlog.get_logger(__name__)

COMMIT_EVENTS = frozenset({"response.output_text.delta", "response.output_item.done", "response.completed"})


class ModelUnavailableError(RuntimeError):
    """Every model in the fallback chain failed or had its circuit open."""


@dataclass
class ModelSlot:
    name: str
    model: Model
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)


@dataclass(frozen=True)
class _Call:
    """The arguments of one Model call, forwarded unchanged to each candidate model."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class FallbackModel(Model):
    """Tries models in order: per-call timeout, transient-error retries, circuit breakers."""

    def __init__(
        self,
        slots: Sequence[ModelSlot],
        *,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not slots:
            raise ValueError("FallbackModel needs at least one model")
        self.slots = list(slots)
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy()

    def _available(self) -> Iterator[ModelSlot]:
        # Lazily, so that a half-open breaker only claims its trial call when actually tried.
        return (slot for slot in self.slots if slot.breaker.allow())

    async def _respond(self, slot: ModelSlot, call: _Call) -> ModelResponse:
        async for attempt in self.retry.retrying():
            with attempt:
                async with asyncio.timeout(self.timeout_s):
                    return await slot.model.get_response(*call.args, **call.kwargs)
        raise AssertionError("unreachable: tenacity reraises")

    async def _open_stream(
        self, slot: ModelSlot, call: _Call
    ) -> tuple[list[TResponseStreamEvent], AsyncIterator[TResponseStreamEvent]]:
        """Read a stream up to its first visible output; failing before that is safe to retry."""
        async for attempt in self.retry.retrying():
            with attempt:
                stream = slot.model.stream_response(*call.args, **call.kwargs)
                buffered: list[TResponseStreamEvent] = []
                try:
                    while not buffered or getattr(buffered[-1], "type", None) not in COMMIT_EVENTS:
                        async with asyncio.timeout(self.timeout_s):
                            buffered.append(await anext(stream))
                except StopAsyncIteration:
                    pass
                except BaseException:
                    await _close(stream)
                    raise
                return buffered, stream
        raise AssertionError("unreachable: tenacity reraises")

    async def _drain(self, stream: AsyncIterator[TResponseStreamEvent]) -> AsyncIterator[TResponseStreamEvent]:
        while True:
            try:
                async with asyncio.timeout(self.timeout_s):
                    event = await anext(stream)
            except StopAsyncIteration:
                return
            yield event

    def _exhausted(self, errors: list[tuple[str, BaseException]]) -> ModelUnavailableError:
        summary = "; ".join(f"{name}: {type(error).__name__}: {error}" for name, error in errors)
        return ModelUnavailableError(f"no model could answer ({summary or 'all circuits open'})")

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
        call = _Call(
            (system_instructions, input, model_settings, tools, output_schema, handoffs, tracing),
            {
                "previous_response_id": previous_response_id,
                "conversation_id": conversation_id,
                "prompt": prompt,
            },
        )
        errors: list[tuple[str, BaseException]] = []
        for slot in self._available():
            try:
                response = await self._respond(slot, call)
            except Exception as error:
                slot.breaker.record_failure()
                errors.append((slot.name, error))
                PROVIDER_ERRORS.labels(provider=slot.name).inc()
                log.warning("llm.fallback", model=slot.name, error=repr(error))
                continue
            slot.breaker.record_success()
            _answered_by(slot.name, errors)
            return response
        raise self._exhausted(errors) from (errors[-1][1] if errors else None)

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
        call = _Call(
            (system_instructions, input, model_settings, tools, output_schema, handoffs, tracing),
            {
                "previous_response_id": previous_response_id,
                "conversation_id": conversation_id,
                "prompt": prompt,
            },
        )
        errors: list[tuple[str, BaseException]] = []
        for slot in self._available():
            try:
                buffered, stream = await self._open_stream(slot, call)
            except Exception as error:
                slot.breaker.record_failure()
                errors.append((slot.name, error))
                PROVIDER_ERRORS.labels(provider=slot.name).inc()
                log.warning("llm.fallback", model=slot.name, error=repr(error), streamed=True)
                continue
            _answered_by(slot.name, errors)
            # Output has reached the learner: from here on an error is final, not a fallback.
            try:
                for event in buffered:
                    yield event
                async for event in self._drain(stream):
                    yield event
            except Exception:
                slot.breaker.record_failure()
                PROVIDER_ERRORS.labels(provider=slot.name).inc()
                raise
            finally:
                await _close(stream)
            slot.breaker.record_success()
            return
        raise self._exhausted(errors) from (errors[-1][1] if errors else None)

    async def close(self) -> None:
        for slot in self.slots:
            await slot.model.close()


def _answered_by(provider: str, errors: list[tuple[str, BaseException]]) -> None:
    if errors:
        PROVIDER_FALLBACKS.labels(from_provider=errors[-1][0]).inc()
    structlog.contextvars.bind_contextvars(provider=provider)


async def _close(stream: AsyncIterator[TResponseStreamEvent]) -> None:
    """Close a model's stream: `Model.stream_response` is typed as an iterator, but it is an async generator."""
    if isinstance(stream, AsyncGenerator):
        await stream.aclose()
