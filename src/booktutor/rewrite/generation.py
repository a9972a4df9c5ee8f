"""Text generation through the Agents SDK with the configured model, when one can write.

The offline extractive model can only quote the book, so it never rewrites or translates:
`generative_model` drops it (also from a fallback chain, so a failing LLM never silently
degrades into quoting English text labelled as a rewrite or a translation).
"""

from __future__ import annotations

import re

from agents import Agent, Model, Runner

from booktutor.providers.capabilities import free_text_only
from booktutor.providers.fallback import FallbackModel

ADAPTED_MODEL_ID = "adapted-v1"


def generative_model(model: Model | None) -> Model | None:
    return free_text_only(model) if model is not None else None


def model_id(model: Model) -> str:
    """A name for cache keys: the provider model behind the SDK object."""
    if isinstance(model, FallbackModel):
        return "+".join(model_id(slot.model) for slot in model.slots)[:200]
    name = getattr(model, "model", None) or getattr(model, "model_name", None)
    return str(name or type(model).__name__)[:200]


async def generate(model: Model, instructions: str, text: str, *, name: str = "writer") -> str:
    """One model turn without tools: `text` in, the model's text out."""
    agent = Agent(name=name, instructions=instructions, model=model)
    result = await Runner.run(agent, text, max_turns=1)
    return str(result.final_output or "")


_WRAPPING_FENCE = re.compile(r"^\s*```(?:markdown|md)?\s*\n(.*)\n```\s*$", re.DOTALL)


def unwrap(text: str) -> str:
    """Models sometimes wrap their whole answer in a ```markdown fence."""
    match = _WRAPPING_FENCE.match(text)
    return match.group(1) if match else text
