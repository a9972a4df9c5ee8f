"""The `booktutor` Typer application and its options; the commands live in the modules beside it."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Annotated

import typer

from booktutor.cli.common import booktutor_version

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(help="booktutor: a conversational tutor for interactive textbooks.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"booktutor {booktutor_version()}\n")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """booktutor: a conversational tutor for interactive textbooks."""
    _exit_cleanly_on_sigterm()


def _exit_cleanly_on_sigterm() -> None:
    """SIGTERM ends a command like Ctrl-C does, through its cleanup: the embedded database it
    started is stopped (by default SIGTERM kills the process and no exit handler runs)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)
