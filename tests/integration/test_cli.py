"""The `booktutor` CLI as a user meets it: --version, --json in the API's shape, one-line user errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from booktutor.api.schemas import BookList, SearchResponse
from booktutor.cli import app
from booktutor.config import get_settings

pytestmark = pytest.mark.integration
MINI_BOOK = Path(__file__).parent.parent / "fixtures" / "mini_book"


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory, database_url):
    env = {
        "BOOKTUTOR_DATABASE_URL": database_url.render_as_string(hide_password=False),
        "BOOKTUTOR_DATA_DIR": str(tmp_path_factory.mktemp("cli-data")),
        "BOOKTUTOR_LLM_PROVIDER": "extractive",
        "BOOKTUTOR_EMBEDDING_PROVIDER": "local",
    }
    return env


def cli(env: dict, *args: str):
    get_settings.cache_clear()  # the process caches settings; each invocation reads its own environment
    try:
        return CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()


def one_line_error(result, *needles: str) -> None:
    """Exit 2 with a single `error:` line naming the problem, and no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    for needle in needles:
        assert needle in errors[0], result.output


def test_version(cli_env):
    result = cli(cli_env, "--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("booktutor ") and len(result.stdout.split()) == 2


def test_bad_input_before_any_work(cli_env, tmp_path):
    one_line_error(cli(cli_env, "ingest", str(tmp_path / "nowhere")), "does not exist")
    one_line_error(cli(cli_env, "ingest"), "PATH or --sample")
    one_line_error(cli(cli_env, "search", "   "), "query is empty")
    one_line_error(cli(cli_env, "ask", ""), "question is empty")


@pytest.fixture
def ingested(clean_db, cli_env):
    result = cli(cli_env, "ingest", str(MINI_BOOK), "--book-id", "mini", "--title", "Mini")
    assert result.exit_code == 0, result.output
    return cli_env


def test_books_and_search_json_have_the_api_shape(ingested):
    books = cli(ingested, "books", "--json")
    assert books.exit_code == 0, books.output
    listing = BookList.model_validate(json.loads(books.stdout))
    assert [(b.id, b.title) for b in listing.books] == [("mini", "Mini")] and listing.books[0].chapter_count > 0

    found = cli(ingested, "search", "gear ratio teeth", "--book-id", "mini", "-k", "3", "--json")
    assert found.exit_code == 0, found.output
    response = SearchResponse.model_validate(json.loads(found.stdout))
    assert response.query == "gear ratio teeth" and response.book_id == "mini" and response.degraded is False
    assert 0 < len(response.hits) <= 3 and response.hits[0].doc_path == "basics/gears.md"


def test_unknown_book_is_named_in_one_line(ingested):
    one_line_error(cli(ingested, "search", "gears", "--book-id", "unknown"), "No book with id 'unknown'")
    one_line_error(cli(ingested, "ask", "What is a gear?", "--book-id", "unknown"), "No book with id 'unknown'")
