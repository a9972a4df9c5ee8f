"""Fixtures wiring real components together: Postgres, Qdrant, MiniLM, the ingest pipeline."""

from __future__ import annotations

import pytest

from booktutor.ingest.pipeline import Ingestor
from booktutor.memory.users import UserRepository
from booktutor.retrieval.search import HybridSearcher
from booktutor.services import Services
from booktutor.tutoring.authored import store_authored_questions

pytestmark = pytest.mark.integration


def build_test_services(settings, db, store, embedder) -> Services:
    searcher = HybridSearcher(db, store, embedder, default_language="en", vector_timeout_s=2.0)
    return Services(settings=settings, db=db, store=store, embedder=embedder, searcher=searcher)


@pytest.fixture
def services(test_settings, clean_db, local_mode_store, local_embedder) -> Services:
    return build_test_services(test_settings, clean_db, local_mode_store, local_embedder)


@pytest.fixture
async def guest(services):
    """A guest learner in `services`' database (the module's own `services` when it overrides it)."""
    async with services.db.session() as session, session.begin():
        return await UserRepository(session).create_guest()


@pytest.fixture
def ingestor(services) -> Ingestor:
    return Ingestor(services.db, services.store, services.embedder, on_published=[store_authored_questions])
