"""Where the Agents SDK sends its traces: OpenAI, LangSmith, or nowhere."""

from __future__ import annotations

from agents import set_tracing_disabled, set_tracing_export_api_key

from booktutor.config import Settings
from booktutor.observability.langsmith_setup import register_agents_processor


def configure_tracing(settings: Settings) -> None:
    """Export Agents SDK traces to OpenAI only with a real OpenAI key, to LangSmith only when its
    variables opt in; with neither, tracing is disabled."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key is not None else None
    openai_export = bool(key and settings.openai_base_url is None)
    if key and openai_export:
        set_tracing_export_api_key(key)
    # Without a key the default exporter would only log errors (or leak a third-party key).
    langsmith = register_agents_processor(replace_default=not openai_export)
    set_tracing_disabled(not (openai_export or langsmith))
