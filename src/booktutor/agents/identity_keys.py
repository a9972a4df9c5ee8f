"""The Agents SDK's agent identity keys, computed once per agent instead of three times per run.

A streamed run names each agent of its graph by a stable key (for serialising and resuming the run's
state): the SDK derives it from a signature of every agent's instructions, tools, handoffs and settings,
from scratch, twice while streaming and once more when the run starts (0.1 ms each for the answer agent:
a tenth of the SDK's CPU per run), whatever the run config says. The keys depend on the agent graph only; our
agents are built once and never changed (a per-run variant is a clone: a new object, keys of its own),
so each agent keeps its keys after the first run. If an SDK release renames these internals, nothing
is changed and runs compute the keys as before.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from agents import Agent

_COMPUTE = "_build_agent_identity_keys_by_id"
_USERS = ("agents.run_internal.tool_use_tracker", "agents.sandbox.runtime_session_manager")
_KEPT = "_booktutor_identity_keys"

KeysById = Callable[[Agent[Any]], Mapping[int, str]]


def remember_agent_identity_keys() -> bool:
    """Make the SDK reuse each agent's identity keys (idempotent). False when this SDK version has no
    such computation to reuse."""
    identity = _module("agents._run_state_agent_identity")
    compute = getattr(identity, _COMPUTE, None)
    if compute is None:
        return False
    if hasattr(compute, "__wrapped__"):  # installed already
        return True
    remembering = _remembering(compute)
    for module in filter(None, map(_module, (identity.__name__, *_USERS))):
        if getattr(module, _COMPUTE, None) is compute:
            setattr(module, _COMPUTE, remembering)
    return True


def _remembering(compute: KeysById) -> KeysById:
    def keys_by_id(agent: Agent[Any]) -> Mapping[int, str]:
        kept: Mapping[int, str] | None = agent.__dict__.get(_KEPT)
        if kept is None:
            kept = MappingProxyType(dict(compute(agent)))  # read-only: every run shares it
            agent.__dict__[_KEPT] = kept
        return kept

    keys_by_id.__wrapped__ = compute  # type: ignore[attr-defined]
    return keys_by_id


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
