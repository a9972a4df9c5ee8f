"""Frontend tools (AG-UI `tools`): offered to a language model, executed by the client.

When the model calls one, the run streams the call as TOOL_CALL_START/ARGS/END and ends without a
result: the client runs the tool and starts the next run with the assistant's tool call and a
`tool` message holding the result, which the model then sees as the call's output.
"""

from __future__ import annotations

import json
from typing import Any

from agents import Agent, FunctionTool, RunContextWrapper, StopAtTools, TResponseInputItem
from openai.types.responses import ResponseFunctionToolCallParam
from openai.types.responses.response_input_item_param import FunctionCallOutput

from booktutor.graph.state import TutorState
from booktutor.tools.context import ToolContext

PENDING = "(sent to the learner's app; its result arrives with the next run)"


def with_client_tools(agent: Agent[ToolContext], state: TutorState) -> Agent[ToolContext]:
    """The agent with the client's tools added; the run stops when the model calls one."""
    tools = [_function_tool(t) for t in state.get("client_tools", [])]
    if not tools:
        return agent
    return agent.clone(
        tools=[*agent.tools, *tools],
        tool_use_behavior=StopAtTools(stop_at_tool_names=[t.name for t in tools]),
    )


def client_tool_names(state: TutorState) -> set[str]:
    return {str(t["name"]) for t in state.get("client_tools", [])}


def tool_turn_items(state: TutorState) -> list[TResponseInputItem]:
    """The tool calls after the learner's message and the results the client sent for them."""
    items: list[TResponseInputItem] = []
    for turn in state.get("tool_turns", []):
        items.append(
            ResponseFunctionToolCallParam(
                type="function_call", call_id=turn["call_id"], name=turn["name"], arguments=turn["arguments"] or "{}"
            )
        )
        items.append(FunctionCallOutput(type="function_call_output", call_id=turn["call_id"], output=turn["output"]))
    return items


def _function_tool(spec: dict[str, Any]) -> FunctionTool:
    async def pending(_ctx: RunContextWrapper[Any], _arguments: str) -> str:
        return PENDING

    return FunctionTool(
        name=str(spec["name"]),
        description=str(spec.get("description") or ""),
        params_json_schema=_schema(spec.get("parameters")),
        on_invoke_tool=pending,
        strict_json_schema=False,
    )


def _schema(parameters: Any) -> dict[str, Any]:
    schema = parameters if isinstance(parameters, dict) else {}
    return {"type": "object", "properties": {}, **json.loads(json.dumps(schema))}
