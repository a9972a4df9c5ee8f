"""Agents keep the SDK's identity keys across runs (agents/identity_keys.py), through the real runner."""

from __future__ import annotations

from typing import Any

import pytest
from agents import Agent, Runner, function_tool
from agents import _run_state_agent_identity as sdk_identity

from booktutor.agents.identity_keys import remember_agent_identity_keys
from booktutor.providers.fake import ScriptedModel, ToolCall, Turn


@function_tool
def look_up(topic: str) -> str:
    """Look a topic up in the book."""
    return f"The book says {topic} closes the loop."


def _agent(name: str = "tutor", runs: int = 3) -> Agent[Any]:
    one_run = [Turn(tool_calls=[ToolCall("look_up", {"topic": "feedback"})]), Turn(text="It closes the loop.")]
    model = ScriptedModel(one_run * runs)
    return Agent(name=name, instructions="Answer from the book.", model=model, tools=[look_up])


async def _stream(agent: Agent[Any]) -> str:
    result = Runner.run_streamed(agent, input="What does feedback do?")
    async for _ in result.stream_events():
        pass
    return str(result.final_output)


@pytest.fixture
def signature_count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often the SDK works out an agent graph's identities (the costly part)."""
    count = [0]
    build = sdk_identity._build_agent_identity_map

    def counted(agent: Agent[Any]) -> dict[str, Agent[Any]]:
        count[0] += 1
        return build(agent)

    monkeypatch.setattr(sdk_identity, "_build_agent_identity_map", counted)
    return count


async def test_an_agents_identity_keys_are_worked_out_once_for_all_its_runs(signature_count: list[int]) -> None:
    assert remember_agent_identity_keys()
    agent = _agent()
    answers = [await _stream(agent) for _ in range(3)]
    assert answers == ["It closes the loop."] * 3
    assert signature_count[0] == 1


async def test_remembered_keys_are_the_sdks_own_and_read_only() -> None:
    assert remember_agent_identity_keys()
    agent = _agent()
    await _stream(agent)
    kept = sdk_identity._build_agent_identity_keys_by_id(agent)
    assert dict(kept) == {id(agent): "tutor"}
    with pytest.raises(TypeError):
        kept[id(agent)] = "other"  # type: ignore[index]


async def test_a_clone_gets_keys_of_its_own(signature_count: list[int]) -> None:
    assert remember_agent_identity_keys()
    agent = _agent()
    await _stream(agent)
    clone = agent.clone(name="tutor-with-client-tools")
    assert dict(sdk_identity._build_agent_identity_keys_by_id(clone)) == {id(clone): "tutor-with-client-tools"}
    assert signature_count[0] == 2


def test_installing_twice_wraps_once() -> None:
    assert remember_agent_identity_keys()
    installed = sdk_identity._build_agent_identity_keys_by_id
    assert remember_agent_identity_keys()
    assert sdk_identity._build_agent_identity_keys_by_id is installed
