"""booktutor's compiled graph for `langgraph dev`: the same nodes, with our per-run deps injected.

The dev server passes only JSON context, while our nodes read services, agents and router from
LangGraph's runtime context (RunDeps). This subclass fills that context in; node code is unchanged.
Services are built once, lazily, on the server's event loop, from BOOKTUTOR_* variables.
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.conversation_server import InstantTutorModel
from langgraph.graph.state import CompiledStateGraph

from booktutor.config import get_settings
from booktutor.graph.graph import build_graph
from booktutor.graph.router import IntentRouter
from booktutor.graph.service import build_agents, lend_agents
from booktutor.graph.state import RunDeps
from booktutor.services import build_services

_deps: RunDeps | None = None
_lock = asyncio.Lock()


async def run_deps() -> RunDeps:
    global _deps
    async with _lock:
        if _deps is None:
            services = await build_services(get_settings(), migrate=False)
            model = InstantTutorModel()
            _deps = RunDeps(
                services=services, agents=lend_agents(build_agents(model)), router=IntentRouter(services.embedder)
            )
    return _deps


class GraphWithRunDeps(CompiledStateGraph):
    async def astream(self, input: Any, config: Any = None, *, context: Any = None, **kwargs: Any):
        deps = await run_deps()
        async for chunk in super().astream(input, config, context=deps, **kwargs):
            yield chunk


graph = build_graph()
graph.__class__ = GraphWithRunDeps
