"""Asking the offline answerer through the real graph (ChatService, router, extractive model), for the
answer-behaviour tests: the streamed text and the run's last state snapshot."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from ag_ui.core import EventType, RunAgentInput, UserMessage
from agents.models.interface import Model
from tests.integration.conftest import build_test_services

from booktutor.graph.router import IntentRouter
from booktutor.graph.service import ChatService
from booktutor.ingest.pipeline import Ingestor
from booktutor.providers.extractive_model import ExtractiveModel
from booktutor.tutoring.authored import store_authored_questions


async def ask_offline(
    services: Any,
    guest: Any,
    question: str,
    *,
    thread_id: str | None = None,
    model: Model | None = None,
    **forwarded_props: Any,
) -> tuple[str, dict]:
    """One turn; a `thread_id` already used continues that conversation (a follow-up); `model` answers instead
    of the offline answerer (a scripted one)."""
    answerer = model or ExtractiveModel(embedder=services.embedder)
    chat = ChatService(services, answerer, IntentRouter(services.embedder))
    request = RunAgentInput(
        thread_id=thread_id or f"t-{uuid.uuid4().hex[:8]}",
        run_id=f"r-{uuid.uuid4().hex[:8]}",
        state={},
        messages=[UserMessage(id=f"m-{uuid.uuid4().hex[:8]}", role="user", content=question)],
        tools=[],
        context=[],
        forwarded_props=forwarded_props,
    )
    await chat.prepare(request, guest)
    events = [event async for event in chat.stream(request, guest)]
    text = "".join(e.delta for e in events if e.type == EventType.TEXT_MESSAGE_CONTENT)
    state = [e for e in events if e.type == EventType.STATE_SNAPSHOT][-1].snapshot
    return text, state


FIXTURES = Path(__file__).parents[1] / "fixtures"


async def ingest_fixture_book(
    services: Any, tmp_path: Path, name: str, *, book_id: str, title: str, quizzes: bool = False
) -> Path:
    """A copy of the test book `tests/fixtures/<name>`, ingested into `services` as `book_id` (with its ```quiz
    blocks' questions stored, as every ingest outside tests does, when `quizzes`)."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    hooks = [store_authored_questions] if quizzes else []
    ingestor = Ingestor(services.db, services.store, services.embedder, on_published=hooks)
    await ingestor.ingest(target, book_id=book_id, title=title)
    return target


async def ingest_pages(services: Any, tmp_path: Path, pages: dict[str, str], *, book_id: str) -> Path:
    """A book of the given pages (file name -> Markdown) written under `tmp_path` and ingested as `book_id`."""
    root = tmp_path / "book" / "docs"
    root.mkdir(parents=True)
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    await Ingestor(services.db, services.store, services.embedder).ingest(root.parent, book_id=book_id)
    return root


def fixture_book_fixtures(name: str, *, book_id: str, title: str, quizzes: bool = False) -> tuple[Any, Any]:
    """The `services` and `book` fixtures of an answer-behaviour test over `tests/fixtures/<name>`:
    `services, book = fixture_book_fixtures("kinds_book", book_id="rover", title="Rover")`."""

    @pytest.fixture(name="services")
    def services(test_settings: Any, clean_db: Any, edge_store: Any, local_embedder: Any) -> Any:
        return build_test_services(test_settings, clean_db, edge_store, local_embedder)

    @pytest.fixture(name="book")
    async def book(services: Any, tmp_path: Path) -> Path:
        return await ingest_fixture_book(services, tmp_path, name, book_id=book_id, title=title, quizzes=quizzes)

    return services, book


def cited_sections(state: dict) -> set[tuple[str, str]]:
    """The (page, section anchor) pairs an answer's citations point at."""
    return {(c["doc_path"], c["anchor_url"].rsplit("#", 1)[-1]) for c in state["citations"]}
