"""Fixtures the unit tests share."""

from __future__ import annotations

import pytest

from booktutor.providers.embeddings import FakeEmbedder


@pytest.fixture(params=["lexical", "fake-embedder"])
def embedder(request: pytest.FixtureRequest) -> FakeEmbedder | None:
    """The offline answerer's tests run with the lexical scorer and with a (fake) embedder's vectors."""
    return FakeEmbedder(dimension=256) if request.param == "fake-embedder" else None
