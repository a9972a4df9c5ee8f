"""What a test leaves behind on the machine: child processes, embedded PostgreSQL servers, test databases.

A test that fails or times out (pytest-timeout raises in the middle of it) skips its own clean-up code, so
`tests/conftest.py` checks after every test, whatever its outcome, and at the end of the session:
- child processes the test started and left running (a `booktutor serve`, a Node script) are stopped;
- an embedded PostgreSQL still running from the test's temporary folder is stopped, and the test errors;
- the session's test databases are dropped, and those of earlier sessions on this machine whose process
  is gone (a run killed before its teardown) too. Databases of live sessions (other runs on the same
  server) are never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import socket
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import psutil

# booktutor_test_<host>_<pid>_<random>: the host and pid tell whether the session that made it still runs.
_HOST = hashlib.blake2b(socket.gethostname().encode(), digest_size=3).hexdigest()
_NAME = re.compile(r"^booktutor_test_([0-9a-f]{6})_(\d+)_[0-9a-f]+$")
GRACE_S = 5.0


def database_name() -> str:
    return f"booktutor_test_{_HOST}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def stale_databases(names: Iterable[str]) -> list[str]:
    """Test databases made on this machine by a process that is no longer running."""
    stale = []
    for name in names:
        match = _NAME.match(name)
        if match and match[1] == _HOST and not psutil.pid_exists(int(match[2])):
            stale.append(name)
    return stale


# ---------------------------------------------------------------------------------------- child processes


def child_pids() -> set[int]:
    """This process's descendants, read from /proc (fast: checked around every test), else from psutil."""
    if not Path(f"/proc/{os.getpid()}/task").is_dir():
        return {child.pid for child in psutil.Process().children(recursive=True)}
    found: set[int] = set()
    parents = [os.getpid()]
    while parents:
        pid = parents.pop()
        for listing in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                kids = {int(kid) for kid in listing.read_text().split()} - found
            except OSError:
                continue
            found |= kids
            parents += kids
    return found


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop_new_children(before: set[int]) -> list[str]:
    """Stop the child processes started since `before` that still run (after a short grace for those that
    are ending by themselves); a description of each one stopped."""
    new = []
    for pid in child_pids() - before:
        with contextlib.suppress(psutil.NoSuchProcess):
            new.append(psutil.Process(pid))
    deadline = time.monotonic() + GRACE_S
    while (left := [p for p in new if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    stopped = []
    for process in left:
        try:
            stopped.append(f"{process.pid} {' '.join(process.cmdline())[:200]}")
            process.terminate()
        except psutil.NoSuchProcess:
            continue
    _, still = psutil.wait_procs(left, timeout=30)
    for process in still:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(still, timeout=10)
    return stopped


# ------------------------------------------------------------------------------------ embedded PostgreSQL


def running_postmasters(folder: Path) -> list[tuple[Path, int]]:
    """(data dir, postmaster pid) of every PostgreSQL server still running on a data dir under `folder`."""
    found = []
    for root, dirs, files in os.walk(folder):
        if "postmaster.pid" in files:
            dirs.clear()  # a data dir holds no other data dir
            pid = _postmaster_pid(Path(root))
            if pid is not None:
                found.append((Path(root), pid))
    return found


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        process = psutil.Process(pid)
        if "postgres" in process.name() and str(pgdata.resolve()) in " ".join(process.cmdline()):
            return pid
    except (OSError, ValueError, IndexError, psutil.Error):
        pass
    return None


def stop_postmasters(folder: Path) -> list[str]:
    """Stop the PostgreSQL servers still running on data dirs under `folder` (fast shutdown, then kill)."""
    deadline = time.monotonic() + GRACE_S  # one that is shutting down is given a moment
    while (running := running_postmasters(folder)) and time.monotonic() < deadline:
        time.sleep(0.2)
    stopped = []
    for pgdata, pid in running:
        stopped.append(str(pgdata))
        try:
            os.kill(pid, signal.SIGINT)  # the postmaster's fast shutdown
            process = psutil.Process(pid)
            process.wait(30)
        except psutil.TimeoutExpired:
            process.kill()
        except (ProcessLookupError, psutil.NoSuchProcess):
            pass
    return stopped
