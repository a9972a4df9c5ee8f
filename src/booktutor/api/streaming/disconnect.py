"""Cancelling runs nobody listens to: a run whose last subscriber left `grace_s` ago, or that nobody
subscribed to within `first_subscriber_s` of its start, was abandoned."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine

from booktutor.api.run_relay import RunRelay
from booktutor.api.streaming.runs import Run

CancelRun = Callable[[Run, str], None]
Spawn = Callable[[Coroutine[object, object, None]], None]


class DisconnectGrace:
    """Arms a timer when a run's last subscriber leaves (or when nobody ever came) and cancels the
    run when it fires. With a relay, a replica following the run through Redis counts as listening."""

    def __init__(
        self, grace_s: float, relay: RunRelay | None, cancel: CancelRun, spawn: Spawn, first_subscriber_s: float
    ) -> None:
        self.grace_s = grace_s
        self.first_subscriber_s = max(first_subscriber_s, grace_s)
        self.relay = relay
        self._cancel = cancel
        self._spawn = spawn

    def attach(self, run: Run) -> None:
        run.subscribers += 1
        self.disarm(run)

    def detach(self, run: Run) -> None:
        run.subscribers -= 1
        if run.subscribers == 0 and not run.ended:
            self.arm(run)

    def arm_until_first_subscriber(self, run: Run) -> None:
        """A loaded server may start streaming the response well after the run started."""
        self.arm(run, self.first_subscriber_s)

    def arm(self, run: Run, after_s: float | None = None) -> None:
        self.disarm(run)
        loop = asyncio.get_running_loop()
        run.grace_timer = loop.call_later(self.grace_s if after_s is None else after_s, self._expired, run)

    def disarm(self, run: Run) -> None:
        if run.grace_timer is not None:
            run.grace_timer.cancel()
            run.grace_timer = None

    def _expired(self, run: Run) -> None:
        run.grace_timer = None
        if run.subscribers == 0 and not run.ended:
            if self.relay is None:
                self._cancel(run, "disconnected")
            else:
                self._spawn(self._cancel_unless_followed(run))

    async def _cancel_unless_followed(self, run: Run) -> None:
        assert self.relay is not None
        followed = await self.relay.has_follower(run.run_id)
        if run.subscribers or run.ended or run.grace_timer is not None:
            return  # a local subscriber came (and maybe went) meanwhile
        if followed:
            self.arm(run)
        else:
            self._cancel(run, "disconnected")
