"""What each model can do, the provider registry, and the offline stand-ins chosen from them."""

from __future__ import annotations

from typing import get_args

import openai
import pytest
from agents import OpenAIResponsesModel

from booktutor.agents.offline import ToolFirstModel, tool_first_stand_in
from booktutor.config import LLMProviderName, Settings
from booktutor.providers.capabilities import (
    LANGUAGE_MODEL,
    capabilities_of,
    free_text_only,
    lead_model,
    needs_tool_first_stand_in,
)
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.providers.fake import ScriptedModel, Turn
from booktutor.providers.fallback import FallbackModel, ModelSlot
from booktutor.providers.registry import PROVIDERS, build_single_model, provider_capabilities
from booktutor.rewrite.generation import generative_model


def _scripted() -> ScriptedModel:
    return ScriptedModel([Turn(text="scripted")], repeat_last=True)


def _hosted() -> OpenAIResponsesModel:
    return OpenAIResponsesModel("gpt-4o-mini", openai.AsyncOpenAI(api_key="sk-test", max_retries=0))


def _arguments(question: str) -> dict[str, str]:
    return {"chapter": question}


def _chain(*models) -> FallbackModel:
    return FallbackModel([ModelSlot(f"slot{i}", model) for i, model in enumerate(models)], timeout_s=5.0)


def test_every_configurable_provider_is_registered() -> None:
    assert set(PROVIDERS) == set(get_args(LLMProviderName))


@pytest.mark.parametrize(
    ("name", "language_model"), [("openai", True), ("gemini", True), ("extractive", False), ("fake", False)]
)
def test_only_hosted_providers_count_as_language_models(name: LLMProviderName, language_model: bool) -> None:
    assert provider_capabilities(name).language_model is language_model


def test_registry_builds_the_offline_and_fake_models_without_keys() -> None:
    settings = Settings(_env_file=None)
    assert isinstance(build_single_model("extractive", settings), ExtractiveModel)
    assert isinstance(build_single_model("fake", settings), ScriptedModel)


def test_offline_answerer_calls_tools_but_cannot_write() -> None:
    capabilities = capabilities_of(ExtractiveModel())
    assert capabilities.tools and capabilities.streaming
    assert not capabilities.free_text and not capabilities.structured_output
    assert needs_tool_first_stand_in(ExtractiveModel())


def test_scripted_model_writes_from_a_script() -> None:
    capabilities = capabilities_of(_scripted())
    assert capabilities.free_text and capabilities.scripted and not capabilities.language_model
    assert not needs_tool_first_stand_in(_scripted())


def test_models_without_a_declaration_are_language_models() -> None:
    assert capabilities_of(_hosted()) == LANGUAGE_MODEL


def test_a_fallback_chain_is_as_capable_as_its_first_model() -> None:
    offline, hosted = ExtractiveModel(), _hosted()
    assert capabilities_of(_chain(hosted, offline)) == LANGUAGE_MODEL
    assert not capabilities_of(_chain(offline, hosted)).free_text
    assert lead_model(_chain(offline, hosted)) is offline


def test_free_text_only_drops_the_offline_slots_of_a_chain() -> None:
    hosted, scripted = _hosted(), _scripted()
    writers = _chain(hosted, scripted)
    assert free_text_only(writers) is writers
    mixed = free_text_only(_chain(hosted, ExtractiveModel()))
    assert isinstance(mixed, FallbackModel) and [slot.model for slot in mixed.slots] == [hosted]
    assert free_text_only(_chain(ExtractiveModel(), ExtractiveModel())) is None
    assert free_text_only(ExtractiveModel()) is None
    assert free_text_only(scripted) is scripted


def test_generative_model_writes_or_is_none() -> None:
    assert generative_model(None) is None
    assert generative_model(ExtractiveModel()) is None
    hosted = _hosted()
    assert generative_model(hosted) is hosted


def test_tool_first_stand_in_wraps_the_offline_answerer_only() -> None:
    offline = ExtractiveModel(words_per_delta=5)
    stand_in = tool_first_stand_in(offline, "get_translation", _arguments)
    assert isinstance(stand_in, ToolFirstModel) and stand_in.words_per_delta == 5
    assert isinstance(tool_first_stand_in(_chain(offline, _hosted()), "get_translation", _arguments), ToolFirstModel)
    assert tool_first_stand_in(_chain(_hosted(), offline), "get_translation", _arguments) is None
    assert tool_first_stand_in(_scripted(), "get_translation", _arguments) is None
