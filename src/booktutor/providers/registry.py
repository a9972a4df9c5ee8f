"""The answer model from settings: a registry of providers by name, chained behind a fallback model.

OpenAI (or any OpenAI-compatible server) through the Agents SDK's own models; Gemini through
google-genai and booktutor's adapter (providers/gemini.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import openai
import structlog
from agents import OpenAIChatCompletionsModel, OpenAIResponsesModel
from agents.models.interface import Model

from booktutor.config import LLMProviderName, Settings
from booktutor.observability.outbound import async_http_client
from booktutor.providers.capabilities import LANGUAGE_MODEL, ModelCapabilities
from booktutor.providers.embeddings import Embedder
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, Turn
from booktutor.providers.fallback import FallbackModel, ModelSlot
from booktutor.providers.resilience import CircuitBreaker

log = structlog.get_logger(__name__)

NO_KEY_PLACEHOLDER = "not-needed"  # local OpenAI-compatible servers often ignore the key


@dataclass(frozen=True)
class Provider:
    build: Callable[[Settings, Embedder | None], Model | None]
    """The provider's model, or None when it is not configured (e.g. no API key)."""
    capabilities: ModelCapabilities


def _llm_http_client(settings: Settings) -> httpx.AsyncClient:
    # openai's own connection limits: many chat streams share one client.
    return async_http_client(settings.llm_timeout_s, limits=openai.DEFAULT_CONNECTION_LIMITS)


def _openai_model(settings: Settings, embedder: Embedder | None) -> Model | None:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key is not None else None
    if key is None and settings.openai_base_url is None:
        return None
    client = openai.AsyncOpenAI(
        api_key=key or NO_KEY_PLACEHOLDER,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_s,
        max_retries=0,  # FallbackModel retries
        http_client=_llm_http_client(settings),  # type: ignore[arg-type]  # openai takes httpx clients too, typed httpx2 only
    )
    if settings.openai_base_url:
        # OpenAI-compatible servers (vLLM, Ollama, LM Studio …) implement Chat Completions.
        return OpenAIChatCompletionsModel(settings.llm_model, client)
    return OpenAIResponsesModel(settings.llm_model, client)


def _gemini_model(settings: Settings, embedder: Embedder | None) -> Model | None:
    from booktutor.providers.gemini import GeminiModel  # google-genai loads only when Gemini is used

    return GeminiModel.from_settings(settings)


def _extractive_model(settings: Settings, embedder: Embedder | None) -> Model:
    return ExtractiveModel(embedder=embedder)


def _fake_model(settings: Settings, embedder: Embedder | None) -> Model:
    return ScriptedModel([Turn(text="This is the fake model's scripted answer.")], repeat_last=True)


PROVIDERS: dict[LLMProviderName, Provider] = {
    "extractive": Provider(_extractive_model, ExtractiveModel.capabilities),
    "openai": Provider(_openai_model, LANGUAGE_MODEL),
    "gemini": Provider(_gemini_model, LANGUAGE_MODEL),
    "fake": Provider(_fake_model, ScriptedModel.capabilities),
}


def provider_capabilities(name: LLMProviderName) -> ModelCapabilities:
    return PROVIDERS[name].capabilities


def build_single_model(name: LLMProviderName, settings: Settings, *, embedder: Embedder | None = None) -> Model | None:
    """One provider's model, or None when it is not configured (e.g. no API key)."""
    return PROVIDERS[name].build(settings, embedder)


def provider_chain(settings: Settings) -> list[LLMProviderName]:
    """The primary provider followed by the configured fallbacks, without repeats."""
    return list(dict.fromkeys([settings.llm_provider, *settings.llm_fallbacks]))


def build_model(settings: Settings, *, embedder: Embedder | None = None) -> Model:
    """The provider chain behind a FallbackModel, which keeps every call within the run's time
    budget; booktutor's own models alone (offline, scripted) never hang and are returned bare."""
    slots: list[ModelSlot] = []
    hosted = False
    for name in provider_chain(settings):
        model = build_single_model(name, settings, embedder=embedder)
        if model is None:
            log.warning("llm.provider_not_configured", provider=name)
            continue
        hosted = hosted or PROVIDERS[name].capabilities.language_model
        breaker = CircuitBreaker(threshold=settings.llm_breaker_threshold, cooldown_s=settings.llm_breaker_cooldown_s)
        slots.append(ModelSlot(name, model, breaker))
    if not slots:
        slots.append(ModelSlot("extractive", ExtractiveModel(embedder=embedder)))
    if len(slots) == 1 and not hosted:
        return slots[0].model
    return FallbackModel(slots, timeout_s=settings.llm_timeout_s)
