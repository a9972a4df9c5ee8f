"""The model providers driven through the real Agents SDK runner."""

from __future__ import annotations

import json
import math
import socket

import httpx
import openai
import pytest
from agents import Agent, ModelSettings, RunConfig, Runner, function_tool
from agents.models.interface import ModelTracing
from agents.tracing import get_trace_provider

from booktutor.config import Settings
from booktutor.observability.agents_tracing import configure_tracing
from booktutor.providers.budget import RunBudget, capped, using
from booktutor.providers.extractive_model import ExtractiveModel, ExtractiveModelProvider
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn
from booktutor.providers.fallback import FallbackModel, ModelSlot, ModelUnavailableError
from booktutor.providers.registry import build_model
from booktutor.providers.resilience import CircuitBreaker, RetryPolicy, is_transient
from booktutor.providers.responses_events import text_chunks

QUESTION = "What is an IMU?"
SEARCH_PAYLOAD = {
    "query": QUESTION,
    "mode": "book",
    "degraded": False,
    "results": [
        {
            "n": 1,
            "source": "book",
            "doc_path": "foundations/sensors.md",
            "chapter_title": "Sensors",
            "heading": "IMUs",
            "anchor_url": "/docs/foundations/sensors#imus",
            "text": "## IMUs\n\nAn inertial measurement unit (IMU) is a sensor that measures "
            "linear acceleration and angular rate. IMU readings drift, so robots fuse them "
            "with wheel odometry in a Kalman filter.",
            "score": 0.031,
            "dense_score": 0.62,
            "lexical_rank": 1,
            "language": "en",
        },
        {
            "n": 2,
            "source": "book",
            "doc_path": "foundations/sensors.md",
            "chapter_title": "Sensors",
            "heading": "Encoders",
            "anchor_url": "/docs/foundations/sensors#encoders",
            "text": "Wheel encoders count wheel rotations to estimate odometry. Their error grows "
            "when the wheels slip on the floor.",
            "score": 0.02,
            "dense_score": 0.41,
            "lexical_rank": 4,
            "language": "en",
        },
    ],
}
NO_TRACING = RunConfig(tracing_disabled=True)
FAST_RETRY = RetryPolicy(attempts=3, initial_s=0.001, max_s=0.002, jitter_s=0.0)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("network access is blocked in unit tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def searches() -> list[str]:
    return []


@pytest.fixture
def answer_agent(searches: list[str]) -> Agent:
    @function_tool
    def search_book(query: str) -> str:
        """Search the book for passages relevant to the query."""
        searches.append(query)
        return json.dumps(SEARCH_PAYLOAD)

    return Agent(name="answer", instructions="Answer from the book.", tools=[search_book])


async def run_streamed(agent: Agent, question: str = QUESTION) -> tuple[str, list[str]]:
    result = Runner.run_streamed(agent, question, run_config=NO_TRACING)
    deltas = [
        event.data.delta
        async for event in result.stream_events()
        if event.type == "raw_response_event" and event.data.type == "response.output_text.delta"
    ]
    return str(result.final_output), deltas


def api_request() -> httpx.Request:
    return httpx.Request("POST", "https://llm.invalid/v1/chat/completions")


def connection_error() -> openai.APIConnectionError:
    return openai.APIConnectionError(request=api_request())


def status_error(status: int) -> openai.APIStatusError:
    response = httpx.Response(status, request=api_request())
    return openai.APIStatusError(f"HTTP {status}", response=response, body=None)


def answering(text: str = "Scripted answer from the backup model.") -> ScriptedModel:
    return ScriptedModel([Turn(text=text)], repeat_last=True)


def failing(error: BaseException) -> ScriptedModel:
    return ScriptedModel([Turn(error=error)], repeat_last=True)


async def call(model: FallbackModel) -> str:
    response = await model.get_response(
        None,
        "hi",
        ModelSettings(),
        [],
        None,
        [],
        ModelTracing.DISABLED,
        previous_response_id=None,
        conversation_id=None,
        prompt=None,
    )
    return "".join(part.text for item in response.output for part in item.content)


def test_text_chunks_reassemble_exactly() -> None:
    text = "IMUs measure rate. [1]\n\nNext  paragraph here."
    chunks = text_chunks(text, 2)
    assert "".join(chunks) == text and len(chunks) > 2


async def test_extractive_model_searches_once_then_streams_a_cited_answer(
    answer_agent: Agent, searches: list[str]
) -> None:
    agent = answer_agent.clone(model=ExtractiveModel())
    final, deltas = await run_streamed(agent)
    assert searches == [QUESTION]
    assert len(deltas) > 3 and "".join(deltas) == final
    assert final.startswith("An inertial measurement unit (IMU) is a sensor")
    assert "[1]" in final


async def test_extractive_model_without_results_abstains(answer_agent: Agent, searches: list[str]) -> None:
    agent = answer_agent.clone(model=ExtractiveModel())
    final, _ = await run_streamed(agent, "How do I bake sourdough bread?")
    assert final.startswith("The book does not cover this.")
    assert "[Sensors › IMUs](/docs/foundations/sensors#imus)" in final


async def test_extractive_model_without_search_tool_explains_offline_mode() -> None:
    agent = Agent(name="quiz", model=ExtractiveModel())
    result = await Runner.run(agent, "Quiz me on sensors", run_config=NO_TRACING)
    assert "offline" in result.final_output


async def test_extractive_provider_serves_the_model_via_run_config(answer_agent: Agent, searches: list[str]) -> None:
    config = RunConfig(model_provider=ExtractiveModelProvider(), tracing_disabled=True)
    result = await Runner.run(answer_agent, QUESTION, run_config=config)
    assert searches == [QUESTION] and "[1]" in result.final_output


async def test_scripted_model_replays_tool_call_then_text(answer_agent: Agent, searches: list[str]) -> None:
    model = ScriptedModel(
        [
            Turn(tool_calls=[ToolCall("search_book", {"query": "imu basics"})]),
            Turn(text="IMUs measure rate. [1]"),
        ]
    )
    final, deltas = await run_streamed(answer_agent.clone(model=model))
    assert searches == ["imu basics"]
    assert final == "IMUs measure rate. [1]" and len(deltas) >= 2
    assert model.calls[0].tool_names == ["search_book"]
    second_input = model.calls[1].input
    assert any(item.get("type") == "function_call_output" for item in second_input)


def test_transient_errors_are_classified() -> None:
    assert is_transient(TimeoutError())
    assert is_transient(connection_error())
    assert is_transient(status_error(429)) and is_transient(status_error(503))
    assert not is_transient(status_error(400)) and not is_transient(status_error(401))
    assert not is_transient(ValueError("bad"))


async def test_fallback_retries_transient_error_then_uses_next_model() -> None:
    primary, backup = failing(connection_error()), answering()
    model = FallbackModel([ModelSlot("a", primary), ModelSlot("b", backup)], retry=FAST_RETRY)
    assert await call(model) == "Scripted answer from the backup model."
    assert len(primary.calls) == 3 and len(backup.calls) == 1


async def test_fallback_recovers_when_a_retry_succeeds() -> None:
    primary = ScriptedModel([Turn(error=status_error(503)), Turn(text="Second try worked.")])
    model = FallbackModel([ModelSlot("a", primary), ModelSlot("b", answering())], retry=FAST_RETRY)
    assert await call(model) == "Second try worked."


async def test_fallback_on_timeout() -> None:
    primary = ScriptedModel([Turn(hang=True)], repeat_last=True)
    model = FallbackModel(
        [ModelSlot("slow", primary), ModelSlot("b", answering())],
        timeout_s=0.05,
        retry=RetryPolicy(attempts=2, initial_s=0.001, max_s=0.001, jitter_s=0.0),
    )
    assert await call(model) == "Scripted answer from the backup model."
    # The retry shares the call's first-token budget, which the hang used up: no second call.
    assert len(primary.calls) == 1


async def test_client_errors_are_not_retried() -> None:
    primary = failing(status_error(400))
    model = FallbackModel([ModelSlot("a", primary), ModelSlot("b", answering())], retry=FAST_RETRY)
    assert await call(model) == "Scripted answer from the backup model."
    assert len(primary.calls) == 1


async def test_all_models_failing_raises() -> None:
    model = FallbackModel([ModelSlot("a", failing(status_error(401)))], retry=FAST_RETRY)
    with pytest.raises(ModelUnavailableError, match="a: APIStatusError"):
        await call(model)


async def test_circuit_opens_after_consecutive_failures_and_half_opens_after_cooldown() -> None:
    now = [0.0]
    primary = failing(status_error(400))
    breaker = CircuitBreaker(threshold=2, cooldown_s=10.0, clock=lambda: now[0])
    model = FallbackModel([ModelSlot("a", primary, breaker), ModelSlot("b", answering())], retry=FAST_RETRY)
    for _ in range(4):
        await call(model)
    assert len(primary.calls) == 2 and breaker.state == "open"
    now[0] = 10.0
    assert breaker.state == "half_open"
    await call(model)
    await call(model)
    assert len(primary.calls) == 3 and breaker.state == "open"


async def test_streaming_falls_back_before_any_text(answer_agent: Agent) -> None:
    primary = failing(status_error(500))
    backup = answering("Backup streamed answer with several words in it.")
    fallback = FallbackModel([ModelSlot("a", primary), ModelSlot("b", backup)], retry=FAST_RETRY)
    final, deltas = await run_streamed(Agent(name="plain", model=fallback))
    assert final == "Backup streamed answer with several words in it."
    assert "".join(deltas) == final and len(deltas) > 1


async def test_streaming_does_not_fall_back_after_text() -> None:
    primary = ScriptedModel([Turn(text="Partial answer", error=connection_error())])
    backup = answering()
    fallback = FallbackModel([ModelSlot("a", primary), ModelSlot("b", backup)], retry=FAST_RETRY)
    with pytest.raises(openai.APIConnectionError):
        await run_streamed(Agent(name="plain", model=fallback))
    assert backup.calls == [] and len(primary.calls) == 1


async def test_extractive_model_behind_fallback_streams_through_runner(
    answer_agent: Agent, searches: list[str]
) -> None:
    fallback = FallbackModel(
        [
            ModelSlot("down", failing(connection_error())),
            ModelSlot("extractive", ExtractiveModel()),
        ],
        retry=FAST_RETRY,
    )
    final, deltas = await run_streamed(answer_agent.clone(model=fallback))
    assert searches == [QUESTION] and "[1]" in final and len(deltas) > 3


@pytest.fixture
def no_llm_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "GEMINI_API_KEY", "BOOKTUTOR_OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_llm_keys")
def test_build_model_defaults_to_extractive_and_skips_unconfigured_providers() -> None:
    settings = Settings(llm_provider="gemini", llm_fallbacks=["openai", "extractive"], _env_file=None)
    assert isinstance(build_model(settings), ExtractiveModel)


@pytest.mark.usefixtures("no_llm_keys")
def test_build_model_chains_configured_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")
    settings = Settings(llm_provider="gemini", llm_fallbacks=["extractive"], _env_file=None)
    model = build_model(settings)
    assert isinstance(model, FallbackModel)
    assert [slot.name for slot in model.slots] == ["gemini", "extractive"]


@pytest.mark.usefixtures("no_llm_keys")
def test_tracing_export_is_disabled_without_an_openai_key(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = get_trace_provider()
    monkeypatch.setattr(provider, "_manual_disabled", provider._manual_disabled)
    monkeypatch.setattr(provider, "_disabled", provider._disabled)
    configure_tracing(Settings(_env_file=None))
    assert provider._disabled is True
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    configure_tracing(Settings(_env_file=None))
    assert provider._disabled is False


# ---------------------------------------------------------------- one time budget per run


async def test_a_hung_provider_costs_a_run_one_first_token_timeout() -> None:
    """Within a run, the time a provider spent failing is charged to it: its later calls in the
    same run go straight to the fallback instead of waiting a timeout each."""
    hung = ScriptedModel([Turn(hang=True)], repeat_last=True)
    backup = answering()
    model = FallbackModel([ModelSlot("hung", hung), ModelSlot("b", backup)], timeout_s=0.2, retry=FAST_RETRY)
    with using(RunBudget(run_s=30)) as budget:
        for _ in range(3):
            assert await call(model) == "Scripted answer from the backup model."
    assert len(hung.calls) == 1 and len(backup.calls) == 3
    assert budget.spent["hung"] >= 0.2 and budget.answered_by == "b"
    # A new run has a budget of its own: the provider is tried again.
    with using(RunBudget(run_s=30)):
        await call(model)
    assert len(hung.calls) == 2


async def test_a_capped_call_gives_up_early_and_charges_the_provider() -> None:
    hung = ScriptedModel([Turn(hang=True)], repeat_last=True)
    model = FallbackModel([ModelSlot("hung", hung)], timeout_s=30, retry=FAST_RETRY)
    with using(RunBudget(run_s=None)) as budget:
        with capped(0.05), pytest.raises(ModelUnavailableError):
            await call(model)
        assert 0.05 <= budget.spent["hung"] < 5
        assert budget.allowance("hung", 30) > 20  # the rest of the first-token budget is left


def test_the_run_deadline_bounds_every_allowance() -> None:
    now = [100.0]
    budget = RunBudget(run_s=10, clock=lambda: now[0])
    assert budget.allowance("p", 30) == 10
    budget.charge("p", 25)
    assert budget.allowance("p", 30) == 5
    now[0] = 108.0
    assert budget.allowance("p", 30) == 2 and budget.allowance("q", math.inf) == 2
    now[0] = 111.0
    assert budget.allowance("q", math.inf) < 0
