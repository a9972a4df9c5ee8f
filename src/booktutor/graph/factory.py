"""Assemble the conversation engine from settings: model chain, router, checkpointer, and the quiz
service (on `ChatService.quizzes`) that shares its model and checkpointer."""

from __future__ import annotations

from agents.models.interface import Model
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from booktutor.graph.checkpoint import CheckpointPool, open_checkpointer
from booktutor.graph.router import IntentRouter, LLMRouter
from booktutor.graph.service import ChatService
from booktutor.graph.state import Router
from booktutor.observability.agents_tracing import configure_tracing
from booktutor.providers.capabilities import free_text_only
from booktutor.providers.registry import build_model, provider_capabilities
from booktutor.services import Services
from booktutor.tutoring.quizzes import QuizService


async def build_chat_service(services: Services, *, model: Model | None = None, checkpoint: bool = True) -> ChatService:
    settings = services.settings
    configure_tracing(settings)
    model = model or build_model(settings, embedder=services.embedder)
    offline_router = IntentRouter(services.embedder)
    language_model = provider_capabilities(settings.llm_provider).language_model
    # The router asks only models that can write a decision; the offline router is its fallback.
    routing_model = free_text_only(model)
    if language_model and routing_model is not None:
        router: Router = LLMRouter(routing_model, offline_router, timeout_s=settings.llm_router_timeout_s)
    else:
        router = offline_router
    checkpointer: AsyncPostgresSaver | None = None
    pool: CheckpointPool | None = None
    if checkpoint:
        prepare = not settings.db_disable_statement_cache
        checkpointer, pool = await open_checkpointer(services.db.libpq_conninfo, prepare=prepare)
    quizzes = QuizService(services, model, checkpointer)  # quiz flows share the checkpointer
    chat = ChatService(services, model, router, checkpointer, quizzes=quizzes)
    chat.pool = pool
    return chat
