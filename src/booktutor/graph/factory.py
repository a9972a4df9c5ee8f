"""Assemble the conversation engine from settings: model chain, router, checkpointer, and the quiz
service (on `services.quizzes`) that shares its model and checkpointer."""

from __future__ import annotations

from booktutor.graph.checkpoint import open_checkpointer
from booktutor.graph.router import IntentRouter, LLMRouter
from booktutor.graph.service import ChatService
from booktutor.providers.llm import build_model, configure_tracing
from booktutor.services import Services
from booktutor.tutoring.quizzes import QuizService

OFFLINE_PROVIDERS = ("extractive", "fake")


async def build_chat_service(services: Services, *, model=None, checkpoint: bool = True) -> ChatService:
    settings = services.settings
    configure_tracing(settings)
    model = model or build_model(settings, embedder=services.embedder)
    offline_router = IntentRouter(services.embedder)
    router = offline_router if settings.llm_provider in OFFLINE_PROVIDERS else LLMRouter(model, offline_router)
    checkpointer = pool = None
    if checkpoint:
        checkpointer, pool = await open_checkpointer(services.db.libpq_conninfo)
    services.quizzes = QuizService(services, model, checkpointer)  # quiz flows share the checkpointer
    chat = ChatService(services, model, router, checkpointer)
    chat.pool = pool
    return chat
