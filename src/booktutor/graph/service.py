"""Runs a conversation turn through the graph and keeps the thread in Postgres.

The learner's message is committed before the run starts; the answer is saved when it ends,
as `complete`, or as `interrupted` / `failed` with whatever text had streamed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, cast

import structlog
from ag_ui.core import (
    BaseEvent,
    MessagesSnapshotEvent,
    RunAgentInput,
    RunErrorEvent,
    RunFinishedEvent,
    RunFinishedInterruptOutcome,
    RunStartedEvent,
    StateSnapshotEvent,
    TextMessageContentEvent,
)
from agents import Agent
from agents.models.interface import Model
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver

from booktutor.agents.answer import build_answer_agent
from booktutor.agents.identity_keys import remember_agent_identity_keys
from booktutor.agents.personalize import build_personalize_agent
from booktutor.agents.translate import build_translate_agent
from booktutor.agents.tutor import build_tutor_agent
from booktutor.errors import BadRequest
from booktutor.graph.agent_pool import AgentPool
from booktutor.graph.answer_saver import AnswerSaver
from booktutor.graph.checkpoint import CheckpointPool, first_run_reads
from booktutor.graph.client_messages import history_for
from booktutor.graph.events import EventSink, emitting_to, now_ms, recording
from booktutor.graph.graph import build_graph
from booktutor.graph.leases import LeaseKeeper
from booktutor.graph.quiz_interrupt import check_resume, quiz_turn_interrupt
from booktutor.graph.state import ChatMessage, Router, RunDeps, TutorState
from booktutor.graph.thread_snapshot import SNAPSHOT_MESSAGES, messages_snapshot, with_answer
from booktutor.graph.turn_request import TurnRequest, read_turn_request
from booktutor.memory.database import is_database_unavailable
from booktutor.memory.models import User
from booktutor.memory.threads import ThreadRepository
from booktutor.memory.turns import start_turn
from booktutor.providers.budget import RunBudget, next_within
from booktutor.providers.capabilities import capabilities_of
from booktutor.services import Services
from booktutor.tools.context import ToolContext
from booktutor.tutoring.quizzes import QuizService

log = structlog.get_logger(__name__)
HISTORY_MESSAGES = 20
MAX_PREPARED = 10_000  # runs prepared but not yet streamed (normally a handful)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What `prepare` read, handed to `stream` so it need not read it again."""

    request: TurnRequest
    summary: str
    history: list[ChatMessage]
    preferences: dict[str, Any]
    snapshot: MessagesSnapshotEvent  # the conversation this run continues, sent after RUN_STARTED
    new_thread: bool = False  # the run created its thread: no checkpoint to read


def build_agents(model: Model) -> dict[str, Agent[ToolContext]]:
    remember_agent_identity_keys()
    return {
        "answer": build_answer_agent(model),
        "tutor": build_tutor_agent(model),
        "personalize": build_personalize_agent(model),
        "translate": build_translate_agent(model),
    }


def lend_agents(agents: dict[str, Agent[ToolContext]]) -> dict[str, AgentPool[ToolContext]]:
    """Each route's agent, lent to one run at a time (graph/agent_pool.py)."""
    return {route: AgentPool(agent) for route, agent in agents.items()}


class ChatService:
    """The graph-backed RunSource behind /agent/run, /chatbot/* and `booktutor ask`."""

    emits_directly = True  # stream(emit=...): the graph's events straight to the run manager

    def __init__(
        self,
        services: Services,
        model: Model,
        router: Router,
        checkpointer: BaseCheckpointSaver[str] | None = None,
        *,
        quizzes: QuizService | None = None,
    ) -> None:
        self.services = services
        self.quizzes = quizzes  # quiz turns and tools; the API's /quizzes (graph.factory builds it)
        self.router = router
        self.model = model  # also serves personalization and translation (same configured model)
        self.agents = build_agents(model)
        self.agent_pools = lend_agents(self.agents)
        self.checkpointer = checkpointer
        self.graph = build_graph(checkpointer)
        self.pool: CheckpointPool | None = None  # the checkpointer's connection pool, closed with the service
        self._prepared: dict[str, _Prepared] = {}  # by run id, from prepare() to stream()
        self.answers = AnswerSaver(services.db)  # also retries while the database is unreachable
        self._warmup: asyncio.Task[None] | None = None
        self.leases = LeaseKeeper(services.db, services.settings.run_lease_s, services.settings.run_heartbeat_s)

    def start_warmup(self) -> None:
        """Ready the offline router in the background (it is also the LLM router's fallback)."""
        warm_up = getattr(self.router, "warm_up", None)
        if warm_up is not None and self._warmup is None:
            self._warmup = asyncio.create_task(warm_up(), name="router-warmup")

    async def close(self) -> None:
        if self._warmup is not None and not self._warmup.done():
            self._warmup.cancel()
        await self.leases.close()
        await self.answers.close()
        if self.pool is not None:
            await self.pool.close()

    async def forget_thread(self, thread_id: str) -> None:
        """Drop a deleted thread's checkpoints."""
        if self.checkpointer is not None:
            await self.checkpointer.adelete_thread(thread_id)

    async def prune_checkpoints(self, idle_for: timedelta) -> int:
        """Delete checkpoints of chat threads that are gone or idle longer than `idle_for` (bounded
        growth). Quiz flows (`quiz:<id>`) keep theirs: they resume until the quiz ends."""
        if self.checkpointer is None:
            return 0
        async with self.services.db.session() as session:
            stale = await ThreadRepository(session).stale_checkpoint_threads(idle_for)
        for thread_id in stale:
            await self.checkpointer.adelete_thread(thread_id)
        return len(stale)

    # --- RunSource --------------------------------------------------------------------
    async def prepare(self, run_input: RunAgentInput, user: User) -> None:
        request = await read_turn_request(self.services, run_input, verify_book=False)  # start_turn checks it
        self._check_client_tools(request)
        if request.resume_id is not None:
            await check_resume(self.quizzes, user.id, run_input.thread_id, request.resume_id)
        turn = await start_turn(
            self.services.db,
            thread_id=run_input.thread_id,
            owner_id=user.id,
            book_id=request.book_id,
            run_id=run_input.run_id,
            owner_process=self.leases.owner,
            lease=self.leases.lease,
            message_id=request.message_id,
            question=request.question,
            extra=_selection_extra(request),
            history=SNAPSHOT_MESSAGES,
        )
        history = history_for(run_input, request, turn.history[-HISTORY_MESSAGES:])
        snapshot = messages_snapshot(run_input, request.message_id, turn.history)
        preferences = _set_preferences(turn.preferences)
        prepared = _Prepared(request, turn.summary, history, preferences, snapshot, new_thread=turn.created)
        self._remember(run_input.run_id, prepared)

    def _check_client_tools(self, request: TurnRequest) -> None:
        """Frontend tools need a model that decides to call them; the offline answerer cannot."""
        if not (request.client_tools or request.tool_turns):
            return
        if not capabilities_of(self.model).free_text:
            raise BadRequest(
                "Frontend tools need a language model, and this server answers offline: configure one "
                "(BOOKTUTOR_LLM_PROVIDER) or send the run without `tools`.",
                code="frontend_tools_unsupported",
                details=[{"loc": ["body", "tools"]}],
            )
        own = {tool.name for agent in self.agents.values() for tool in agent.tools}
        if clash := sorted(own & {tool.name for tool in request.client_tools}):
            raise BadRequest(
                f"Tool name '{clash[0]}' is one of the agent's own tools.",
                code="invalid_tool",
                details=[{"loc": ["body", "tools"]}],
            )

    def _remember(self, run_id: str, prepared: _Prepared) -> None:
        self._prepared[run_id] = prepared
        if len(self._prepared) > MAX_PREPARED:  # runs cancelled before they streamed
            self._prepared.pop(next(iter(self._prepared)))

    async def stream(
        self, run_input: RunAgentInput, user: User, emit: EventSink | None = None
    ) -> AsyncIterator[BaseEvent]:
        """The run's events; with `emit`, those the graph makes go to it as they are made (between
        the ones yielded, in order) instead of being yielded."""
        prepared = self._prepared.pop(run_input.run_id, None)
        request = prepared.request if prepared else await read_turn_request(self.services, run_input)
        thread_id, run_id = run_input.thread_id, run_input.run_id
        yield RunStartedEvent(thread_id=thread_id, run_id=run_id, timestamp=now_ms())
        if prepared is not None:
            yield prepared.snapshot
        yield StateSnapshotEvent(
            snapshot={"route": None, "citations": [], "abstained": False, "degraded": False, "provider": None}
        )
        answer_id = f"msg-{uuid.uuid4().hex}"
        streamed: list[str] = []
        final: dict[str, Any] = {}
        self.leases.track(run_id, streamed)  # heartbeats save `streamed` in case this process dies
        try:
            state = await self._initial_state(run_input, user, request, answer_id, prepared)
            with first_run_reads(self.checkpointer, thread_id, prepared is not None and prepared.new_thread):
                async for event in self._run_graph(state, user, thread_id, final, recording(streamed, emit)):
                    if isinstance(event, TextMessageContentEvent):
                        streamed.append(event.delta)
                    yield event
        except asyncio.CancelledError:
            await asyncio.shield(
                self.answers.save(thread_id, run_id, answer_id, "".join(streamed), final, status="interrupted")
            )
            raise
        except Exception as exc:
            log.exception("run_failed", run_id=run_id)
            await self.answers.save(
                thread_id, run_id, answer_id, "".join(streamed), final, status="failed", error_code=_error_code(exc)
            )
            yield RunErrorEvent(
                message="The tutor could not finish this answer. Please try again.",
                code=_error_code(exc),
                timestamp=now_ms(),
            )
            return
        else:
            await self.answers.save(
                thread_id, run_id, answer_id, final.get("answer", "".join(streamed)), final, status="complete"
            )
            yield StateSnapshotEvent(snapshot=_public_state(final))
            interrupt = await quiz_turn_interrupt(self.quizzes, final.get("route"), user.id, thread_id)
            if interrupt is not None and prepared is not None:  # what resuming needs comes before it
                yield with_answer(prepared.snapshot, answer_id, final.get("answer", "".join(streamed)))
            yield RunFinishedEvent(
                thread_id=thread_id,
                run_id=run_id,
                timestamp=now_ms(),
                result={"message_id": answer_id, **_public_state(final)},
                outcome=RunFinishedInterruptOutcome(interrupts=[interrupt]) if interrupt else None,
            )
        finally:
            self.leases.untrack(run_id)

    async def cancel_requested(self, thread_id: str, run_id: str, user: User) -> None:
        log.info("run_cancel_requested", thread_id=thread_id, run_id=run_id)

    # --- internals -----------------------------------------------------------------------
    async def _initial_state(
        self,
        run_input: RunAgentInput,
        user: User,
        request: TurnRequest,
        answer_id: str,
        prepared: _Prepared | None = None,
    ) -> TutorState:
        if prepared is None:  # prepared elsewhere, or forgotten: read what prepare() read
            prepared = await self._read_prepared(run_input, user, request)
        summary, messages, preferences = prepared.summary, list(prepared.history), prepared.preferences
        if not messages or messages[-1]["content"] != request.question:
            messages.append({"role": "user", "content": request.question})
        return TutorState(
            messages=messages,
            question="",  # set by the router; never the previous turn's from the checkpoint
            summary=summary,
            thread_id=run_input.thread_id,
            user_id=str(user.id),
            book_id=request.book_id,
            language=request.language or preferences.get("preferred_language") or "en",
            profile=request.profile or preferences,
            mode=request.mode,
            selected_text=request.selected_text,
            doc_path=request.doc_path,
            context=[{"description": d, "value": v} for d, v in request.context],
            client_tools=[asdict(tool) for tool in request.client_tools],
            tool_turns=[asdict(turn) for turn in request.tool_turns],
            message_id=answer_id,
            citations=[],
            abstained=False,
        )

    async def _read_prepared(self, run_input: RunAgentInput, user: User, request: TurnRequest) -> _Prepared:
        from booktutor.personalize.preferences import PreferencesRepository

        async with self.services.db.session() as session:
            threads = ThreadRepository(session)
            summary = (await threads.get_thread(run_input.thread_id, user.id)).summary
            recent = await threads.recent_messages(run_input.thread_id, HISTORY_MESSAGES)
            stored = await PreferencesRepository(session).get(user.id)
        history = history_for(run_input, request, recent)
        snapshot = messages_snapshot(run_input, request.message_id, recent)
        return _Prepared(request, summary, history, _set_preferences(stored.model_dump()), snapshot)

    async def _run_graph(
        self, state: TutorState, user: User, thread_id: str, final: dict[str, Any], emit: EventSink | None = None
    ) -> AsyncIterator[BaseEvent]:
        """The graph's events (none with `emit`: they go to it), its final state in `final`."""
        deps = RunDeps(
            services=self.services,
            agents=self.agent_pools,
            router=self.router,
            user_id=user.id,
            quizzes=self.quizzes,
        )
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        settings = self.services.settings
        budget = RunBudget(settings.llm_run_timeout_s)  # first tokens: the model chain's own timeout
        parts = self.graph.astream(
            state,
            config,
            context=deps,
            stream_mode=["updates"] if emit is not None else ["custom", "updates"],
            durability="exit" if self.checkpointer is not None else None,
        )
        # With a list of stream modes LangGraph yields (mode, chunk) pairs; its overload says dict.
        pairs = cast(AsyncGenerator[tuple[str, Any], None], parts)
        try:
            while (part := await _next_part(pairs, budget, emit)) is not None:
                mode, chunk = part
                if mode == "custom":
                    yield chunk
                else:
                    for update in chunk.values():
                        final.update(update or {})
        finally:
            await pairs.aclose()
        final["provider"] = budget.answered_by
        if self.checkpointer is not None and len(state["messages"]) > 1:  # a first turn: nothing to prune
            await _prune_checkpoints(self.checkpointer, thread_id)


async def _next_part(
    pairs: AsyncGenerator[tuple[str, Any], None], budget: RunBudget, emit: EventSink | None
) -> tuple[str, Any] | None:
    """The graph's next (mode, chunk), its nodes' events going to `emit` meanwhile if given (set
    here, not across the caller's yield)."""
    if emit is None:
        return await next_within(pairs, budget)
    with emitting_to(emit):
        return await next_within(pairs, budget)


async def _prune_checkpoints(checkpointer: BaseCheckpointSaver[str], thread_id: str) -> None:
    try:
        await checkpointer.aprune([thread_id], strategy="keep_latest")
    except NotImplementedError:
        # The saver refuses keep_latest for threads with several namespaces (subgraphs): keep them all.
        log.debug("checkpoint_prune_unsupported", thread_id=thread_id)


def _set_preferences(stored: dict[str, Any]) -> dict[str, Any]:
    """The learner's saved profile and language (only the fields they set)."""
    from booktutor.personalize.profile import PreferencesOut

    fields = {k: v for k, v in stored.items() if k in PreferencesOut.model_fields}
    return {k: v for k, v in PreferencesOut(**fields).model_dump().items() if v not in (None, [], "")}


def _public_state(final: dict[str, Any]) -> dict[str, Any]:
    return {
        "route": final.get("route"),
        "citations": final.get("citations", []),
        "abstained": bool(final.get("abstained")),
        "degraded": bool(final.get("degraded")),
        "provider": final.get("provider"),
    }


def _selection_extra(request: TurnRequest) -> dict[str, Any]:
    if request.mode != "selection":
        return {}
    return {"mode": "selection", "selected_text": request.selected_text, "doc_path": request.doc_path}


def _error_code(exc: Exception) -> str:
    from booktutor.providers.fallback import ModelUnavailableError

    if isinstance(exc, ModelUnavailableError):
        return "provider_unavailable"
    if is_database_unavailable(exc):
        return "database_unavailable"
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else "internal_error"
