"""LangSmith tracing, opt-in through LangSmith's own variables (`LANGSMITH_TRACING=true` and
`LANGSMITH_API_KEY`). LangGraph runs are traced by langsmith itself from those variables; the Agents
SDK needs langsmith's trace processor registered, which happens here and nowhere else."""

from __future__ import annotations

import os

import structlog
from agents import add_trace_processor, set_trace_processors

log = structlog.get_logger(__name__)
_registered = False


def langsmith_enabled() -> bool:
    flag = os.environ.get("LANGSMITH_TRACING") or os.environ.get("LANGCHAIN_TRACING_V2") or ""
    key = os.environ.get("LANGSMITH_API_KEY") or os.environ.get("LANGCHAIN_API_KEY")
    return flag.strip().lower() in {"1", "true", "yes"} and bool(key)


def register_agents_processor(*, replace_default: bool) -> bool:
    """Send Agents SDK traces to LangSmith when enabled (once per process); True when active.

    `replace_default` drops the SDK's OpenAI exporter (when there is no OpenAI key to use).
    """
    global _registered
    if not langsmith_enabled():
        return False
    if not _registered:
        from langsmith.wrappers import OpenAIAgentsTracingProcessor

        processor = OpenAIAgentsTracingProcessor()
        # langsmith declares a stand-in class for when the Agents SDK is absent; mypy reads that one.
        if replace_default:
            set_trace_processors([processor])  # type: ignore[list-item]
        else:
            add_trace_processor(processor)  # type: ignore[arg-type]
        _registered = True
        log.info("langsmith_agents_tracing_enabled")
    return True
