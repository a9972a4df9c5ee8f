"""`booktutor eval run` / `eval diff` end to end over the mini book (real Postgres, Qdrant Edge, MiniLM)."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from booktutor.cli import app
from booktutor.evals.metrics import METRICS
from booktutor.evals.report import CASE_KEYS
from booktutor.evals.store import corpus_hash, open_eval_store
from booktutor.memory.books import BookRepository
from booktutor.memory.database import _asyncpg_kwargs, to_asyncpg_url

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).parent.parent / "fixtures"

CASES = [
    {
        "id": "m-1",
        "question": "What is a gear ratio?",
        "relevant": ["basics/gears.md"],
        "answerable": True,
        "mode": "book",
        "reference_answer": "Driven teeth over driving teeth.",
        "keywords": ["teeth"],
    },
    {
        "id": "m-2",
        "question": "At what voltage per cell should a pack be stored?",
        "relevant": ["basics/batteries.mdx"],
        "answerable": True,
        "mode": "book",
        "reference_answer": "About 3.3 volts per cell.",
        "keywords": ["3.3"],
    },
    {
        "id": "m-3",
        "question": "What must every workshop robot have to cut motor power?",
        "relevant": ["intro.md"],
        "answerable": True,
        "mode": "book",
        "reference_answer": "A red stop button.",
        "keywords": ["stop button"],
    },
    {
        "id": "m-4",
        "question": "What is backlash between gear teeth?",
        "relevant": ["basics/gears.md"],
        "answerable": True,
        "mode": "book",
        "reference_answer": "The gap between meshing teeth.",
        "keywords": ["gap"],
    },
    {
        "id": "m-5",
        "question": "What does this mean?",
        "relevant": ["basics/gears.md"],
        "answerable": True,
        "mode": "selection",
        "selected_text": "A gear train trades speed for torque.",
        "reference_answer": "Gears slow the output and multiply torque.",
        "keywords": ["torque"],
    },
    {
        "id": "m-6",
        "question": "Who won the football world cup in 1998?",
        "relevant": [],
        "answerable": False,
        "mode": "book",
        "reference_answer": "",
        "keywords": [],
    },
]


@pytest.fixture(scope="module")
def eval_env(tmp_path_factory, database_url, test_settings):
    root = tmp_path_factory.mktemp("evals")
    dataset = root / "mini.jsonl"
    dataset.write_text("\n".join(json.dumps(c) for c in CASES) + "\n", encoding="utf-8")
    server = database_url.render_as_string(hide_password=False)
    env = {
        "BOOKTUTOR_DATABASE_URL": server,
        "BOOKTUTOR_LLM_PROVIDER": "extractive",
        "BOOKTUTOR_EMBEDDING_PROVIDER": "local",
        "LANGSMITH_API_KEY": "",
    }
    return root, dataset, env


async def eval_databases(server: str, corpus: Path) -> set[str]:
    url = to_asyncpg_url(server).set(database="postgres")
    conn = await asyncpg.connect(**_asyncpg_kwargs(url))
    try:
        pattern = f"booktutor_eval_{corpus_hash(corpus)[:16]}%"
        rows = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", pattern)
    finally:
        await conn.close()
    return {r["datname"] for r in rows}


def run_cli(env: dict, *args: str):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def eval_run(env: dict, dataset: Path, out: Path, *extra: str):
    return run_cli(
        env,
        "eval",
        "run",
        "--dataset",
        str(dataset),
        "--corpus",
        str(FIXTURES / "mini_book"),
        "--book-id",
        "mini",
        "--out",
        str(out),
        "--concurrency",
        "3",
        *extra,
    )


def test_eval_run_writes_reports_and_gates(eval_env):
    root, dataset, env = eval_env
    first = eval_run(env, dataset, root / "a")
    assert first.exit_code == 0, first.output
    report = json.loads((root / "a" / "report.json").read_text())
    assert {"dataset", "corpus", "provider", "created_at", "metrics", "by_mode", "cases"} <= set(report)
    assert list(report["metrics"]) == list(METRICS)
    assert report["provider"] == "extractive" and set(report["by_mode"]) == {"book", "selection"}
    assert len(report["cases"]) == len(CASES) and all(set(CASE_KEYS) <= set(c) for c in report["cases"])
    assert report["metrics"]["hit@5"] >= 0.8
    for name in ("report.md", "metrics.png", "by_mode.png", "latency.png"):
        assert (root / "a" / name).stat().st_size > 0

    gated = eval_run(env, dataset, root / "b", "--min", "hit@1=1.01", "--baseline", str(root / "a" / "report.json"))
    assert gated.exit_code == 1
    assert "hit@1" in gated.output and (root / "b" / "diff.png").exists()

    diff = run_cli(env, "eval", "diff", str(root / "a" / "report.json"), str(root / "b" / "report.json"))
    assert diff.exit_code == 0 and "better:" in diff.output and "mrr@10" in diff.output


def test_malformed_dataset_refuses_to_start(eval_env, tmp_path):
    _, _, env = eval_env
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(CASES[0]) + "\n" + '{"id": "x"\n', encoding="utf-8")
    result = eval_run(env, bad, tmp_path / "out")
    assert result.exit_code == 2 and ":2:" in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_min_metric_is_a_usage_error(eval_env, tmp_path):
    _, dataset, env = eval_env
    result = eval_run(env, dataset, tmp_path / "out", "--min", "accuracy=0.5")
    assert result.exit_code == 2


async def test_parallel_runs_get_their_own_store_and_drop_it(eval_env, tmp_path):
    """Two runs over one corpus at once: distinct databases, each dropped when its run ends."""
    _, _, env = eval_env
    server, corpus = env["BOOKTUTOR_DATABASE_URL"], FIXTURES / "mini_book"
    key = corpus_hash(corpus)[:16]
    async with open_eval_store(corpus, tmp_path, "mini", server, run_id="runa") as (first, _):
        async with open_eval_store(corpus, tmp_path, "mini", server, run_id="runb") as (second, report):
            assert report.documents_ok > 0
            assert {f"booktutor_eval_{key}_runa", f"booktutor_eval_{key}_runb"} <= await eval_databases(server, corpus)
            assert first.settings.data_dir != second.settings.data_dir
        assert f"booktutor_eval_{key}_runb" not in await eval_databases(server, corpus)
        async with first.db.session() as session:  # the other run's store is untouched
            assert await BookRepository(session).count_current_chunks() > 0
    assert not {f"booktutor_eval_{key}_runa", f"booktutor_eval_{key}_runb"} & await eval_databases(server, corpus)
    assert not (tmp_path / "store" / f"{key}_runa").exists()


def test_eval_tutoring_uses_the_configured_encoder(tmp_path):
    """No PyTorch needed: the command embeds with the configured provider (here the fake one)."""
    env = {"BOOKTUTOR_EMBEDDING_PROVIDER": "fake"}
    result = run_cli(
        env,
        "eval",
        "tutoring",
        "--corpus",
        str(FIXTURES / "workshop_book"),
        "--sample",
        "5",
        "--no-grading",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    book = json.loads((tmp_path / "tutoring.json").read_text())["books"][0]
    assert book["sample"] and "## Tutoring eval" in result.output
