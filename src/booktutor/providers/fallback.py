"""A model that tries a chain of models in order (pydantic-ai's FallbackModel is the pattern).

Every wait on a provider is bounded by the run's time budget (providers/budget.py): the first
token within the first-token timeout, retries of transient errors inside that same allowance, and
a provider that keeps failing has its circuit opened and is skipped until its cooldown ends.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from agents import ModelSettings, Tool
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import ModelResponse, TResponseInputItem, TResponseStreamEvent
from agents.models.interface import Model, ModelTracing
from openai.types.responses.response_prompt_param import ResponsePromptParam

from booktutor.observability.metrics import PROVIDER_ERRORS, PROVIDER_FALLBACKS
from booktutor.providers.budget import RunBudget, current_budget
from booktutor.providers.resilience import CircuitBreaker, RetryPolicy, is_transient

log = structlog.get_logger(__name__)
T = TypeVar("T")

COMMIT_EVENTS = frozenset({"response.output_text.delta", "response.output_item.done", "response.completed"})


class ModelUnavailableError(RuntimeError):
    """Every model in the fallback chain failed or had its circuit open."""


class BudgetExhaustedError(TimeoutError):
    """The run's time budget for a provider ran out before it answered."""


@dataclass
class ModelSlot:
    name: str
    model: Model
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)

    @property
    def local(self) -> bool:
        """Booktutor's own model, computed here (the offline answerer): no first-token limit."""
        return getattr(self.model, "runs_locally", False) is True

    def first_token_s(self, timeout_s: float) -> float:
        return math.inf if self.local else timeout_s


@dataclass(frozen=True)
class _Call:
    """The arguments of one Model call, forwarded unchanged to each candidate model."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class FallbackModel(Model):
    """Tries models in order within the run's time budget: retries, circuit breakers, fallbacks."""

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

    def _budget(self) -> RunBudget:
        """The run's budget, or (outside a run) a fresh one for this call alone."""
        return current_budget() or RunBudget()

    def _available(self, budget: RunBudget) -> Iterator[ModelSlot]:
        # Lazily, so that a half-open breaker only claims its trial call when actually tried;
        # a provider whose share of the run's budget is spent is skipped without a trial.
        for slot in self.slots:
            if budget.allowance(slot.name, slot.first_token_s(self.timeout_s)) <= 0:
                log.info("llm.budget_spent", model=slot.name)
                continue
            if slot.breaker.allow():
                yield slot

    async def _attempts(self, slot: ModelSlot, budget: RunBudget, attempt: Callable[[float], Awaitable[T]]) -> T:
        """`attempt(allowance)` retried on transient errors, all within the slot's allowance; the
        time lost to failures (and the waits between retries) is charged to the provider."""
        for number in range(1, self.retry.attempts + 1):
            allowance = budget.allowance(slot.name, slot.first_token_s(self.timeout_s))
            if allowance <= 0:
                raise BudgetExhaustedError(f"{slot.name}: the run's time budget is spent")
            started = time.monotonic()
            try:
                return await attempt(allowance)
            except Exception as error:
                budget.charge(slot.name, time.monotonic() - started)
                left = budget.allowance(slot.name, slot.first_token_s(self.timeout_s))
                if number == self.retry.attempts or not is_transient(error) or left <= 0:
                    raise
                pause = min(self.retry.pause(number), left)
                await asyncio.sleep(pause)
                budget.charge(slot.name, pause)
        raise AssertionError("unreachable: the last attempt raises")

    async def _respond(self, slot: ModelSlot, budget: RunBudget, call: _Call) -> ModelResponse:
        async def attempt(allowance: float) -> ModelResponse:
            async with asyncio.timeout(_seconds(allowance)):
                return await slot.model.get_response(*call.args, **call.kwargs)

        return await self._attempts(slot, budget, attempt)

    async def _open_stream(
        self, slot: ModelSlot, budget: RunBudget, call: _Call
    ) -> tuple[list[TResponseStreamEvent], AsyncIterator[TResponseStreamEvent]]:
        """Read a stream up to its first visible output; failing before that is safe to retry."""

        async def attempt(allowance: float) -> tuple[list[TResponseStreamEvent], AsyncIterator[TResponseStreamEvent]]:
            stream = slot.model.stream_response(*call.args, **call.kwargs)
            buffered: list[TResponseStreamEvent] = []
            try:
                async with asyncio.timeout(_seconds(allowance)):
                    while not buffered or getattr(buffered[-1], "type", None) not in COMMIT_EVENTS:
                        buffered.append(await anext(stream))
            except StopAsyncIteration:
                pass
            except BaseException:
                await _close(stream)
                raise
            return buffered, stream

        return await self._attempts(slot, budget, attempt)

    async def _drain(
        self, slot: ModelSlot, stream: AsyncIterator[TResponseStreamEvent], budget: RunBudget
    ) -> AsyncIterator[TResponseStreamEvent]:
        """The rest of a stream: each event within the first-token timeout and the run's deadline."""
        while True:
            remaining = budget.remaining()
            wait = min(math.inf if slot.local else self.timeout_s, math.inf if remaining is None else remaining)
            try:
                async with asyncio.timeout(_seconds(max(wait, 0.0))):
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
        budget = self._budget()
        for slot in self._available(budget):
            try:
                response = await self._respond(slot, budget, call)
            except Exception as error:
                slot.breaker.record_failure()
                errors.append((slot.name, error))
                PROVIDER_ERRORS.labels(provider=slot.name).inc()
                log.warning("llm.fallback", model=slot.name, error=repr(error))
                continue
            slot.breaker.record_success()
            _answered_by(slot.name, errors, budget)
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
        budget = self._budget()
        for slot in self._available(budget):
            try:
                buffered, stream = await self._open_stream(slot, budget, call)
            except Exception as error:
                slot.breaker.record_failure()
                errors.append((slot.name, error))
                PROVIDER_ERRORS.labels(provider=slot.name).inc()
                log.warning("llm.fallback", model=slot.name, error=repr(error), streamed=True)
                continue
            _answered_by(slot.name, errors, budget)
            # Output has reached the learner: from here on an error is final, not a fallback.
            try:
                for event in buffered:
                    yield event
                async for event in self._drain(slot, stream, budget):
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


def _answered_by(provider: str, errors: list[tuple[str, BaseException]], budget: RunBudget) -> None:
    budget.answered_by = provider
    if errors:
        PROVIDER_FALLBACKS.labels(from_provider=errors[-1][0]).inc()
    structlog.contextvars.bind_contextvars(provider=provider)


def _seconds(allowance: float) -> float | None:
    """An allowance for `asyncio.timeout`: None when unlimited."""
    return None if math.isinf(allowance) else allowance


async def _close(stream: AsyncIterator[TResponseStreamEvent]) -> None:
    """Close a model's stream: `Model.stream_response` is typed as an iterator, but it is an async generator."""
    if isinstance(stream, AsyncGenerator):
        await stream.aclose()
