"""Runs' AG-UI events mirrored to Redis, so any replica can resume or cancel a run another one drives.

The replica that drives a run appends each numbered event to the Redis Stream `{prefix}:run:{run_id}`
(entry id `{seq}-0`, fields `seq`, `data` = the SSE JSON, `end` on the terminal event) and keeps the run's
owner, thread, state and last seq in the hash `{prefix}:run:{run_id}:meta`; both expire `retention_s`
after the last write. Writes go through one ordered queue per run, drained by a background task, so a
slow or failing Redis never holds a run back: an error is logged and that batch is dropped.

A replica following a run it does not drive reads the stream with `XREAD BLOCK` and refreshes
`{prefix}:run:{run_id}:followers` (a short TTL key) so the driving replica's disconnect grace does not
cancel the run. Cancel requests travel on the pub/sub channel `{prefix}:run-cancel` to every replica;
the one driving the run stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import structlog
from ag_ui.core import BaseEvent, TextMessageContentEvent
from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT

log = structlog.get_logger(__name__)

CancelHandler = Callable[[str], None]
_Op = tuple[int, BaseEvent, str | None]  # seq, event, the run's final state if the event ends it
_FLUSH_TIMEOUT_S = 5.0
_RECONNECT_WAIT_S = 1.0


def event_json(event: BaseEvent) -> str:
    """An event as SSE carries it: camelCase JSON without nulls.

    A text delta, most of a run's events, is written directly: the same bytes as pydantic's (json.dumps
    without ASCII escaping escapes what serde_json does), a few times faster."""
    if type(event) is TextMessageContentEvent and _plain(event):
        return f'{{"type":"TEXT_MESSAGE_CONTENT","messageId":{_json(event.message_id)},"delta":{_json(event.delta)}}}'
    return event.model_dump_json(by_alias=True, exclude_none=True)


def _plain(event: BaseEvent) -> bool:
    return event.timestamp is None and event.raw_event is None and not event.model_extra


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class RemoteRun:
    run_id: str
    owner_id: str
    thread_id: str
    state: str
    last_seq: int


@dataclass(eq=False)
class _Mirror:
    queue: asyncio.Queue[_Op]
    task: asyncio.Task[None] | None = None


class RunRelay:
    """Mirrors runs to Redis (driving side) and reads, follows and cancels them (any replica)."""

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = "booktutor",
        max_events: int = 10_000,
        retention_s: float = 600.0,
        follower_ttl_s: float = 3.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.max_events = max_events
        self.retention_ms = max(int(retention_s * 1000), 1000)
        self.follower_ttl_ms = max(int(follower_ttl_s * 1000), 300)
        self.cancel_channel = f"{prefix}:run-cancel"
        self._mirrors: dict[str, _Mirror] = {}
        self._listener: asyncio.Task[None] | None = None

    @classmethod
    def from_url(cls, url: str, **options: object) -> RunRelay:
        return cls(Redis.from_url(url, decode_responses=True), **options)  # type: ignore[arg-type]

    def _stream_key(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}"

    def _meta_key(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}:meta"

    def _followers_key(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}:followers"

    # -- the driving replica ---------------------------------------------------------------------

    def open(self, run_id: str, owner_id: str, thread_id: str) -> None:
        """Start mirroring a run: its metadata now, its events as `publish` queues them."""
        mirror = _Mirror(asyncio.Queue())
        self._mirrors[run_id] = mirror
        mirror.task = asyncio.create_task(
            self._drain(run_id, owner_id, thread_id, mirror.queue), name=f"relay:{run_id}"
        )

    def publish(self, run_id: str, seq: int, event: BaseEvent, final_state: str | None = None) -> None:
        mirror = self._mirrors.get(run_id)
        if mirror is not None:
            mirror.queue.put_nowait((seq, event, final_state))

    async def _drain(self, run_id: str, owner_id: str, thread_id: str, queue: asyncio.Queue[_Op]) -> None:
        meta = {"owner_id": owner_id, "thread_id": thread_id, "state": "running", "last_seq": 0}
        await self._write(run_id, meta, [])
        try:
            while meta["state"] == "running":
                batch = [await queue.get()]
                while not queue.empty():
                    batch.append(queue.get_nowait())
                meta["last_seq"] = batch[-1][0]
                meta["state"] = next((state for _, _, state in batch if state), "running")
                await self._write(run_id, meta, batch)
        finally:
            self._mirrors.pop(run_id, None)

    async def _write(self, run_id: str, meta: dict[str, object], batch: list[_Op]) -> None:
        stream, meta_key = self._stream_key(run_id), self._meta_key(run_id)
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for seq, event, final_state in batch:
                    fields: dict[FieldT, EncodableT] = {"seq": seq, "data": event_json(event)}
                    if final_state:
                        fields["end"] = final_state
                    pipe.xadd(stream, fields, id=f"{seq}-0", maxlen=self.max_events, approximate=True)
                pipe.hset(meta_key, mapping=meta)
                pipe.pexpire(meta_key, self.retention_ms)
                if batch:
                    pipe.pexpire(stream, self.retention_ms)
                await pipe.execute()
        except (RedisError, OSError):
            log.warning("run_relay_write_failed", run_id=run_id, events=len(batch), exc_info=True)

    async def has_follower(self, run_id: str) -> bool:
        """Whether a replica is following this run right now (False when Redis cannot say)."""
        try:
            return bool(await self.client.exists(self._followers_key(run_id)))
        except (RedisError, OSError):
            log.warning("run_relay_read_failed", run_id=run_id, exc_info=True)
            return False

    def on_cancel(self, handler: CancelHandler) -> None:
        """Call `handler(run_id)` for every cancel request any replica publishes."""
        self._listener = asyncio.create_task(self._listen(handler), name="relay:cancels")

    async def _listen(self, handler: CancelHandler) -> None:
        while True:
            try:
                async with self.client.pubsub() as pubsub:
                    await pubsub.subscribe(self.cancel_channel)
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            handler(message["data"])
            except (RedisError, OSError):
                log.warning("run_relay_listen_failed", exc_info=True)
                await asyncio.sleep(_RECONNECT_WAIT_S)

    # -- any replica -------------------------------------------------------------------------------

    async def lookup(self, run_id: str) -> RemoteRun | None:
        """The run's metadata, or None if Redis does not know it (or cannot be reached)."""
        try:
            meta = await self.client.hgetall(self._meta_key(run_id))  # type: ignore[misc]  # redis-py types it `Awaitable | dict`
        except (RedisError, OSError):
            log.warning("run_relay_read_failed", run_id=run_id, exc_info=True)
            return None
        if not meta:
            return None
        return RemoteRun(run_id, meta["owner_id"], meta["thread_id"], meta["state"], int(meta["last_seq"]))

    async def read(self, run_id: str, after_seq: int = 0) -> AsyncIterator[tuple[int, str]]:
        """(seq, event JSON) after `after_seq` until the terminal event, live; keeps the run followed."""
        cursor, refresh_ms = f"{after_seq}-0", max(self.follower_ttl_ms // 3, 100)
        refreshed_at = 0.0
        try:
            while True:
                if time.monotonic() - refreshed_at >= refresh_ms / 1000:
                    await self.client.set(self._followers_key(run_id), "1", px=self.follower_ttl_ms)
                    refreshed_at = time.monotonic()
                reply = await self.client.xread({self._stream_key(run_id): cursor}, count=500, block=refresh_ms)
                entries = reply[0][1] if reply else []
                for entry_id, fields in entries:
                    cursor = entry_id
                    yield int(fields["seq"]), fields["data"]
                    if "end" in fields:
                        return
                if not entries and await self._gone(run_id):
                    return
        except (RedisError, OSError):
            log.warning("run_relay_follow_failed", run_id=run_id, exc_info=True)

    async def _gone(self, run_id: str) -> bool:
        """The run's records expired (its replica stopped writing long ago): nothing more will come."""
        return not await self.client.exists(self._meta_key(run_id))

    async def request_cancel(self, run_id: str) -> int:
        """Ask the replica driving `run_id` to stop it; the number of replicas that heard the request."""
        return await self.client.publish(self.cancel_channel, run_id)

    async def aclose(self) -> None:
        """Finish pending writes (bounded), stop listening and close the connection pool."""
        pending = [mirror.task for mirror in self._mirrors.values() if mirror.task is not None]
        if pending:
            _, late = await asyncio.wait(pending, timeout=_FLUSH_TIMEOUT_S)
            for task in late:
                task.cancel()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self.client.aclose()
