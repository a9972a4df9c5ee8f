"""The `booktutor` command line (entry point `booktutor.cli:app`).

Exit codes: 0 ok, 1 failure (a service down, a failed eval gate, a missing extra), 2 bad input (unknown book,
empty question, missing path, malformed dataset). A user error prints one line, never a traceback.
"""

from __future__ import annotations

from booktutor.cli import content, processes, query  # noqa: F401, I001  (they register their commands, in this order)
from booktutor.cli.app import app
from booktutor.cli.common import SAMPLE_BOOK_ID, SAMPLE_BOOK_TITLE, fail, run_async, sample_book_path
from booktutor.evals.cli import eval_app

app.add_typer(eval_app, name="eval")

__all__ = ["SAMPLE_BOOK_ID", "SAMPLE_BOOK_TITLE", "app", "fail", "run_async", "sample_book_path"]
