"""Saves a run's answer, the thread's summary and the run's outcome when the run ends.

While Postgres is unreachable the save is retried in the background (the run row would otherwise stay
`running`, blocking the thread, and the answer would be lost).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import structlog
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential_jitter

from booktutor.memory.database import Database, is_database_unavailable
from booktutor.memory.turns import Answer, finish_turn

log = structlog.get_logger(__name__)
SAVE_RETRY_FOR_S = 300.0  # how long an answer waits for the database to come back


class AnswerSaver:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: set[asyncio.Task[None]] = set()  # answers saved once the database is back

    async def save(
        self,
        thread_id: str,
        run_id: str,
        answer_id: str,
        text: str,
        final: dict[str, Any],
        *,
        status: str,
        error_code: str | None = None,
    ) -> None:
        """Save the answer (`complete`, or `interrupted` / `failed` with what had streamed) and the outcome."""
        answer = Answer(
            answer_id, text, status, final.get("route"), final.get("citations", []), bool(final.get("abstained"))
        )
        write = partial(
            finish_turn,
            self.db,
            thread_id=thread_id,
            run_id=run_id,
            answer=answer,
            save_answer=bool(text) or status == "complete",
            summary=final.get("summary"),
            run_status={"complete": "completed"}.get(status, status),
            error_code=error_code,
        )
        try:
            await write()
        except Exception as exc:
            if not is_database_unavailable(exc):
                log.exception("save_answer_failed", run_id=run_id)
                return
            log.warning("save_answer_deferred", run_id=run_id, error=str(exc))
            task = asyncio.create_task(self._retry(run_id, write))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _retry(self, run_id: str, write: partial[Any]) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_database_unavailable),
            wait=wait_exponential_jitter(initial=0.5, max=5),
            stop=stop_after_delay(SAVE_RETRY_FOR_S),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await write()
        except Exception:
            log.exception("save_answer_failed", run_id=run_id)
        else:
            log.info("save_answer_recovered", run_id=run_id)

    async def close(self) -> None:
        """Answers waiting for the database: a last chance, then give up."""
        if self._pending:
            _, waiting = await asyncio.wait(set(self._pending), timeout=5)
            for task in waiting:
                task.cancel()
