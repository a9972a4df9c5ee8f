"""Agents SDK items to Gemini contents and back, and Gemini's stream chunks as Responses events."""

from __future__ import annotations

import pytest
from agents import ModelSettings, function_tool
from agents.agent_output import AgentOutputSchema
from agents.exceptions import UserError
from google.genai import errors, types
from pydantic import BaseModel

from booktutor.providers.gemini import _StreamEvents
from booktutor.providers.gemini_convert import (
    GeminiNoAnswerError,
    build_request,
    function_declarations,
    output_items,
    to_contents,
)
from booktutor.providers.resilience import is_transient


class Verdict(BaseModel):
    correct: bool


def _chunk(*parts: types.Part, finish: types.FinishReason | None = None) -> types.GenerateContentResponse:
    content = types.Content(role="model", parts=list(parts))
    return types.GenerateContentResponse(candidates=[types.Candidate(content=content, finish_reason=finish)])


def test_a_tool_round_trip_becomes_one_model_turn_and_one_user_turn_with_the_signature_back():
    items = [
        {"role": "system", "content": "Cite the book."},
        {"role": "user", "content": "What is backlash?"},
        {"type": "reasoning", "id": "r1", "summary": []},
        {"role": "assistant", "content": [{"type": "output_text", "text": "Let me look."}]},
        {"type": "function_call", "call_id": "c1", "name": "search_book", "arguments": '{"query": "backlash"}'},
        {"type": "function_call", "call_id": "c2", "name": "get_user_profile", "arguments": ""},
        {"type": "function_call_output", "call_id": "c1", "output": "Backlash is a gap."},
        {"type": "function_call_output", "call_id": "c2", "output": "{}"},
    ]
    contents, system = to_contents(items, {"c1": b"sig"})

    assert system == ["Cite the book."]
    assert [c.role for c in contents] == ["user", "model", "user"]
    model_parts, result_parts = contents[1].parts or [], contents[2].parts or []
    assert model_parts[0].text == "Let me look."
    calls = [p.function_call for p in model_parts[1:] if p.function_call]
    assert [(c.id, c.name, c.args) for c in calls] == [
        ("c1", "search_book", {"query": "backlash"}),
        ("c2", "get_user_profile", {}),
    ]
    assert [p.thought_signature for p in model_parts[1:]] == [b"sig", None]
    results = [p.function_response for p in result_parts if p.function_response]
    assert [(r.id, r.name, r.response) for r in results] == [
        ("c1", "search_book", {"output": "Backlash is a gap."}),
        ("c2", "get_user_profile", {"output": "{}"}),
    ]


def test_an_output_type_asks_for_json_with_its_schema_and_tool_choice_maps():
    schema = AgentOutputSchema(Verdict)
    request = build_request("Grade it.", "2+2=4?", ModelSettings(temperature=0.1), [], schema, [], {})
    assert request.config.response_mime_type == "application/json"
    assert request.config.response_json_schema == schema.json_schema()
    assert request.config.system_instruction == "Grade it."
    assert request.config.temperature == 0.1
    assert request.config.tools is None and request.config.tool_config is None

    plain = build_request(None, "hi", ModelSettings(), [], AgentOutputSchema(str), [], {})
    assert plain.config.response_mime_type is None


def test_tools_become_function_declarations_and_a_tool_without_arguments_has_no_schema():
    @function_tool
    def search_book(query: str) -> str:
        """Search the book."""
        return query

    @function_tool
    def recommend_next() -> str:
        """What to study next."""
        return ""

    search, recommend = function_declarations([search_book, recommend_next], [])
    assert (search.name, search.description) == ("search_book", "Search the book.")
    assert search.parameters_json_schema == search_book.params_json_schema
    assert recommend.name == "recommend_next" and recommend.parameters_json_schema is None

    config = build_request(None, "hi", ModelSettings(tool_choice="search_book"), [search_book], None, [], {}).config
    assert config.tool_config is not None and config.tool_config.function_calling_config is not None
    assert config.tool_config.function_calling_config.allowed_function_names == ["search_book"]


def test_a_hosted_tool_is_refused_clearly():
    from agents import WebSearchTool

    with pytest.raises(UserError, match="function tools only"):
        build_request(None, "hi", ModelSettings(), [WebSearchTool()], None, [], {})


def test_a_blocked_answer_is_an_error_the_fallback_can_act_on():
    blocked = types.GenerateContentResponse(
        prompt_feedback=types.GenerateContentResponsePromptFeedback(block_reason=types.BlockedReason.SAFETY)
    )
    with pytest.raises(GeminiNoAnswerError, match="blocked"):
        output_items(blocked, {})


def test_stream_chunks_become_text_deltas_then_a_tool_call_then_completed():
    signatures: dict[str, bytes] = {}
    stream = _StreamEvents("gemini-test", signatures)
    call = types.FunctionCall(id="c9", name="search_book", args={"query": "gears"})
    events = [
        *stream.opening(),
        *stream.chunk(_chunk(types.Part(text="Let me "), types.Part(text="thinking", thought=True))),
        *stream.chunk(_chunk(types.Part(text="check."))),
        *stream.chunk(_chunk(types.Part(function_call=call, thought_signature=b"s9"), finish=types.FinishReason.STOP)),
        *stream.finish(),
    ]
    kinds = [e.type for e in events]
    assert [e.delta for e in events if e.type == "response.output_text.delta"] == ["Let me ", "check."]
    assert kinds.index("response.output_text.done") < kinds.index("response.function_call_arguments.done")
    assert kinds[-1] == "response.completed"
    output = events[-1].response.output  # type: ignore[union-attr]
    assert [item.type for item in output] == ["message", "function_call"]
    assert output[0].content[0].text == "Let me check."
    assert (output[1].call_id, output[1].arguments) == ("c9", '{"query": "gears"}')
    assert signatures == {"c9": b"s9"}
    assert [e.sequence_number for e in events] == list(range(len(events)))


def test_an_empty_stream_fails_before_anything_is_committed():
    stream = _StreamEvents("gemini-test", {})
    list(stream.chunk(_chunk(finish=types.FinishReason.MAX_TOKENS)))
    with pytest.raises(GeminiNoAnswerError, match="MAX_TOKENS"):
        list(stream.finish())


@pytest.mark.parametrize(("status", "transient"), [(400, False), (404, False), (429, True), (500, True), (503, True)])
def test_google_genai_errors_are_retried_like_every_provider_s(status: int, transient: bool):
    kind = errors.ClientError if status < 500 else errors.ServerError
    error = kind(status, {"error": {"code": status, "message": "fake", "status": "FAKE"}})
    assert is_transient(error) is transient
