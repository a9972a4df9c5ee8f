"""An Agent object per concurrent run, reused by later runs.

The Agents SDK watches every Agent object for tool changes made while runs share it: each turn compares
the tools of all runs in flight on that object, so N concurrent runs on one shared agent cost O(N) each
(about 6 % of a run's CPU at 50 at once, more at 500). The SDK's advice is an agent per run; a fresh
clone per run would also throw away what the SDK works out once per agent object (its identity keys,
agents/identity_keys.py). So each route keeps clones of its agent, lends one to each run and takes it
back: a run's agent is never shared while it runs, and the pool grows to the largest burst (bounded).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from agents import Agent

TContext = TypeVar("TContext")
MAX_IDLE = 256  # clones kept after a burst; beyond it, returned clones are dropped


class AgentPool(Generic[TContext]):
    def __init__(self, agent: Agent[TContext], max_idle: int = MAX_IDLE) -> None:
        self.agent = agent
        self.max_idle = max_idle
        self._idle: list[Agent[TContext]] = [agent]

    @contextmanager
    def lend(self) -> Iterator[Agent[TContext]]:
        """The route's agent, for this run alone until the block ends."""
        agent = self._idle.pop() if self._idle else self.agent.clone()
        try:
            yield agent
        finally:
            if len(self._idle) < self.max_idle:
                self._idle.append(agent)
