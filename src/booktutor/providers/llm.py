"""Choosing the answer model: the provider factory, a resilient fallback chain, and tracing setup.

Gemini is reached through its OpenAI-compatible endpoint with ``AsyncOpenAI`` and the SDK's
``OpenAIChatCompletionsModel``: the SDK already converts tool calls and streams for Chat
Completions, so no hand-written google-genai adapter (and its own event translation) is needed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai
import structlog
from agents import (
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Tool,
    set_tracing_disabled,
    set_tracing_export_api_key,
)
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import ModelResponse, TResponseInputItem, TResponseStreamEvent
from agents.models.interface import Model, ModelTracing
from openai.types.responses.response_prompt_param import ResponsePromptParam
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from booktutor.config import LLMProviderName, Settings
from booktutor.observability.langsmith_setup import register_agents_processor
from booktutor.observability.metrics import PROVIDER_ERRORS, PROVIDER_FALLBACKS
from booktutor.observability.outbound import async_http_client
from booktutor.providers.embeddings import Embedder
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, Turn

log = structlog.get_logger(__name__)

GEMINI_OPENAI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"
NO_KEY_PLACEHOLDER = "not-needed"  # local OpenAI-compatible servers often ignore the key
TRANSIENT_STATUS = frozenset({408, 425, 429})
COMMIT_EVENTS = frozenset({"response.output_text.delta", "response.output_item.done", "response.completed"})


class ModelUnavailableError(RuntimeError):
    """Every model in the fallback chain failed or had its circuit open."""


# ---------------------------------------------------------------- error classification


def _status_code(error: BaseException) -> int | None:
    for source in (error, getattr(error, "response", None)):
        for attribute in ("status_code", "code", "status"):
            value = getattr(source, attribute, None)
            if isinstance(value, int):
                return value
    return None


def is_transient(error: BaseException) -> bool:
    """Timeouts, connection failures, 429 and 5xx are worth retrying; other 4xx are not."""
    if isinstance(error, TimeoutError | ConnectionError | openai.APIConnectionError | httpx.TransportError):
        return True
    status = _status_code(error)
    return status is not None and (status in TRANSIENT_STATUS or status >= 500)


# ---------------------------------------------------------------- circuit breaker and retry policy


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; one trial call after ``cooldown_s``."""

    threshold: int = 3
    cooldown_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.cooldown_s else "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.trial_in_flight:
            self.trial_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        self.failures, self.opened_at, self.trial_in_flight = 0, None, False

    def record_failure(self) -> None:
        self.failures += 1
        if self.trial_in_flight or self.failures >= self.threshold:
            self.opened_at = self.clock()
        self.trial_in_flight = False


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    initial_s: float = 0.5
    max_s: float = 8.0
    jitter_s: float = 0.5

    def retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential_jitter(initial=self.initial_s, max=self.max_s, jitter=self.jitter_s),
            retry=retry_if_exception(is_transient),
            reraise=True,
        )


@dataclass
class ModelSlot:
    name: str
    model: Model
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)


# ---------------------------------------------------------------- fallback model


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
                    await stream.aclose()
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
                await stream.aclose()
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


# ---------------------------------------------------------------- factory


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def _llm_http_client(settings: Settings) -> httpx.AsyncClient:
    # openai's own connection limits: many chat streams share one client.
    return async_http_client(settings.llm_timeout_s, limits=openai.DEFAULT_CONNECTION_LIMITS)


def _openai_model(settings: Settings) -> Model | None:
    key = _secret(settings.openai_api_key)
    if key is None and settings.openai_base_url is None:
        return None
    client = openai.AsyncOpenAI(
        api_key=key or NO_KEY_PLACEHOLDER,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_s,
        max_retries=0,  # FallbackModel retries
        http_client=_llm_http_client(settings),
    )
    if settings.openai_base_url:
        # OpenAI-compatible servers (vLLM, Ollama, LM Studio …) implement Chat Completions.
        return OpenAIChatCompletionsModel(settings.llm_model, client)
    return OpenAIResponsesModel(settings.llm_model, client)


def _gemini_model(settings: Settings) -> Model | None:
    key = _secret(settings.gemini_api_key)
    if key is None:
        return None
    client = openai.AsyncOpenAI(
        api_key=key,
        base_url=GEMINI_OPENAI_BASE_URL,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        http_client=_llm_http_client(settings),
    )
    return OpenAIChatCompletionsModel(settings.gemini_model, client)


def build_single_model(name: LLMProviderName, settings: Settings, *, embedder: Embedder | None = None) -> Model | None:
    """One provider's model, or None when it is not configured (e.g. no API key)."""
    if name == "extractive":
        return ExtractiveModel(embedder=embedder)
    if name == "openai":
        return _openai_model(settings)
    if name == "gemini":
        return _gemini_model(settings)
    return ScriptedModel([Turn(text="This is the fake model's scripted answer.")], repeat_last=True)


def provider_chain(settings: Settings) -> list[LLMProviderName]:
    """The primary provider followed by the configured fallbacks, without repeats."""
    return list(dict.fromkeys([settings.llm_provider, *settings.llm_fallbacks]))


def build_model(settings: Settings, *, embedder: Embedder | None = None) -> Model:
    slots: list[ModelSlot] = []
    for name in provider_chain(settings):
        model = build_single_model(name, settings, embedder=embedder)
        if model is None:
            log.warning("llm.provider_not_configured", provider=name)
            continue
        slots.append(ModelSlot(name, model))
    if not slots:
        slots.append(ModelSlot("extractive", ExtractiveModel(embedder=embedder)))
    if len(slots) == 1:
        return slots[0].model
    return FallbackModel(slots, timeout_s=settings.llm_timeout_s)


def configure_tracing(settings: Settings) -> None:
    """Export Agents SDK traces to OpenAI only with a real OpenAI key, to LangSmith only when its
    variables opt in; with neither, tracing is disabled."""
    key = _secret(settings.openai_api_key)
    openai_export = bool(key and settings.openai_base_url is None)
    if openai_export:
        set_tracing_export_api_key(key)
    # Without a key the default exporter would only log errors (or leak a third-party key).
    langsmith = register_agents_processor(replace_default=not openai_export)
    set_tracing_disabled(not (openai_export or langsmith))
