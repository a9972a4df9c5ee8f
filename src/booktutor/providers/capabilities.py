"""What a model can do, asked in one place instead of by its class or its provider's name.

Each of booktutor's own models declares a `capabilities` record (simonw/llm's capability flags are
the pattern); a hosted language model can do everything. A fallback chain is as capable as its
first model, the one that answers whenever it can.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.models.interface import Model

from booktutor.providers.fallback import FallbackModel


@dataclass(frozen=True)
class ModelCapabilities:
    free_text: bool
    """Writes its own prose: rewrites, translations, grades, routing decisions."""
    tools: bool
    structured_output: bool
    streaming: bool
    scripted: bool = False
    """Replays canned turns (tests, demos) rather than answering."""

    @property
    def language_model(self) -> bool:
        """A real language model: it writes, and not from a script."""
        return self.free_text and not self.scripted


LANGUAGE_MODEL = ModelCapabilities(free_text=True, tools=True, structured_output=True, streaming=True)
OFFLINE_ANSWERER = ModelCapabilities(free_text=False, tools=True, structured_output=False, streaming=True)
"""Calls tools like a language model, but can only quote what they return."""
SCRIPTED = ModelCapabilities(free_text=True, tools=True, structured_output=True, streaming=True, scripted=True)


def lead_model(model: Model) -> Model:
    """The model that answers first: a fallback chain's first slot, else the model itself."""
    return model.slots[0].model if isinstance(model, FallbackModel) else model


def capabilities_of(model: Model) -> ModelCapabilities:
    declared = getattr(lead_model(model), "capabilities", None)
    return declared if isinstance(declared, ModelCapabilities) else LANGUAGE_MODEL


def needs_tool_first_stand_in(model: Model) -> bool:
    """It calls tools but cannot write, so an agent with its own service tool runs a stand-in that
    calls that tool and relays its answer (agents/offline.py)."""
    capabilities = capabilities_of(model)
    return capabilities.tools and not capabilities.free_text


def free_text_only(model: Model) -> Model | None:
    """`model` without the models that cannot write free text (a fallback chain keeps its other
    slots, so a failing LLM never silently degrades into quoting); None when none is left."""
    if not isinstance(model, FallbackModel):
        return model if capabilities_of(model).free_text else None
    slots = [slot for slot in model.slots if capabilities_of(slot.model).free_text]
    if not slots:
        return None
    if len(slots) == len(model.slots):
        return model
    return FallbackModel(slots, timeout_s=model.timeout_s, retry=model.retry)
