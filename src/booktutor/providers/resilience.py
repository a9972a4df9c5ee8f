"""Which model errors are worth retrying, the retry policy, and a circuit breaker per provider."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import openai
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

TRANSIENT_STATUS = frozenset({408, 425, 429})


def _status_code(error: BaseException) -> int | None:
    for source in (error, getattr(error, "response", None)):
        for attribute in ("status_code", "code", "status"):
            value = getattr(source, attribute, None)
            if isinstance(value, int):
                return value
    return None


def is_transient(error: BaseException) -> bool:
    """Timeouts, connection failures, 429 and 5xx are worth retrying; other 4xx are not."""
    if isinstance(error, TimeoutError | ConnectionError | openai.APIConnectionError | httpx.TransportError):
        return True
    status = _status_code(error)
    return status is not None and (status in TRANSIENT_STATUS or status >= 500)


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; one trial call after ``cooldown_s``."""

    threshold: int = 3
    cooldown_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock() - self.opened_at >= self.cooldown_s else "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.trial_in_flight:
            self.trial_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        self.failures, self.opened_at, self.trial_in_flight = 0, None, False

    def record_failure(self) -> None:
        self.failures += 1
        if self.trial_in_flight or self.failures >= self.threshold:
            self.opened_at = self.clock()
        self.trial_in_flight = False


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    initial_s: float = 0.5
    max_s: float = 8.0
    jitter_s: float = 0.5

    def pause(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based): exponential, jittered."""
        backoff: float = min(self.max_s, self.initial_s * 2.0 ** (attempt - 1))
        return backoff + random.uniform(0, self.jitter_s)  # noqa: S311

    def retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential_jitter(initial=self.initial_s, max=self.max_s, jitter=self.jitter_s),
            retry=retry_if_exception(is_transient),
            reraise=True,
        )
