"""`booktutor eval export-feedback`: thumbs-down answers in real Postgres become labelable eval cases."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from booktutor.cli import app
from booktutor.evals.dataset import load_dataset
from booktutor.memory.feedback import FeedbackRepository
from booktutor.memory.threads import ThreadRepository
from booktutor.memory.users import UserRepository

pytestmark = pytest.mark.integration

CITED = [
    {"n": 1, "doc_path": "basics/gears.md", "anchor_url": "/docs/basics/gears#backlash", "heading": "Backlash"},
    {"n": 2, "doc_path": "basics/gears.md", "anchor_url": "/docs/basics/gears#ratio", "heading": "Ratio"},
]


async def turn(threads: ThreadRepository, thread_id: str, n: int, question: str, answer: str, **kw) -> str:
    await threads.add_message(
        thread_id,
        message_id=f"{thread_id}-q{n}",
        role="user",
        content=question,
        run_id=None,
        extra=kw.pop("extra", None),
    )
    await threads.add_message(
        thread_id, message_id=f"{thread_id}-a{n}", role="assistant", content=answer, run_id=None, **kw
    )
    return f"{thread_id}-a{n}"


@pytest.fixture
async def rated(clean_db):
    async with clean_db.session() as session, session.begin():
        owner = (await UserRepository(session).create_guest()).id
        threads, feedback = ThreadRepository(session), FeedbackRepository(session)
        await threads.get_or_create_thread("t-gears", owner, book_id="mini")
        await threads.get_or_create_thread("t-other", owner, book_id="other")
        liked = await turn(
            threads, "t-gears", 1, "What is a gear ratio?", "Driven over driving teeth [1].", citations=CITED
        )
        disliked = await turn(
            threads, "t-gears", 2, "What is backlash?", "Explain backlash. A) gap B) ratio C) torque", citations=CITED
        )
        abstained = await turn(
            threads, "t-gears", 3, "Who invented gears?", "The book does not cover this.", abstained=True
        )
        selection = await turn(
            threads,
            "t-other",
            1,
            "What does this mean?",
            "It means torque.",
            extra={"mode": "selection", "selected_text": "Gears trade speed for torque.", "doc_path": "x/y.md"},
        )
        await feedback.record(liked, owner, "up", None)
        await feedback.record(disliked, owner, "down", "It pasted a quiz instead of answering")
        await feedback.record(abstained, owner, "down", None)
        await feedback.record(selection, owner, "down", "too short")
    return {"disliked": disliked, "abstained": abstained, "selection": selection}


def export(database_url, tmp_path, *args: str):
    env = {"BOOKTUTOR_DATABASE_URL": database_url.render_as_string(hide_password=False)}
    env["BOOKTUTOR_DATA_DIR"] = str(tmp_path / "data")
    return CliRunner().invoke(app, ["eval", "export-feedback", *args], env=env, catch_exceptions=False)


def test_thumbs_down_answers_become_eval_cases(rated, database_url, tmp_path):
    out = tmp_path / "feedback.jsonl"
    result = export(database_url, tmp_path, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 3" in result.output
    cases = {c.id: c for c in load_dataset(out)}  # the dataset format: `eval run` takes it after labelling
    assert list(cases) == [f"feedback-{rated[k]}" for k in ("disliked", "abstained", "selection")]

    disliked = cases[f"feedback-{rated['disliked']}"]
    assert disliked.question == "What is backlash?" and disliked.answerable and disliked.mode == "book"
    assert disliked.relevant == ["basics/gears.md"]
    assert disliked.feedback is not None
    assert disliked.feedback["comment"] == "It pasted a quiz instead of answering"
    assert disliked.feedback["answer"].startswith("Explain backlash.") and disliked.feedback["book_id"] == "mini"
    assert disliked.feedback["citations"] == ["/docs/basics/gears#backlash", "/docs/basics/gears#ratio"]

    abstained = cases[f"feedback-{rated['abstained']}"]
    assert abstained.question == "Who invented gears?" and not abstained.answerable and abstained.relevant == []

    selection = cases[f"feedback-{rated['selection']}"]
    assert selection.mode == "selection" and selection.selected_text == "Gears trade speed for torque."
    assert selection.relevant == ["x/y.md"]


def test_export_filters_by_book(rated, database_url, tmp_path):
    out = tmp_path / "mini.jsonl"
    result = export(database_url, tmp_path, "--out", str(out), "--book-id", "other")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [c["id"] for c in lines] == [f"feedback-{rated['selection']}"]
