"""One time budget per run, shared by every model call of the run and by their retries.

`BOOKTUTOR_LLM_TIMEOUT_S` bounds how long a run waits for a provider's first token: the time a
provider spends failing (timeouts, errors, the backoff between retries) is charged to that
provider for the whole run, so a hung provider costs the run at most one first-token timeout, not
one per call and per retry. A run-level deadline bounds everything; a call may also be capped
shorter for a while (the router's own budget). Outside a run (background jobs), each call gets a
fresh budget of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from booktutor.errors import AppError

T = TypeVar("T")


@dataclass
class RunBudget:
    run_s: float | None = None
    """The whole run's deadline, from the budget's creation; None: unbounded."""
    clock: Callable[[], float] = time.monotonic
    spent: dict[str, float] = field(default_factory=dict)
    answered_by: str | None = None
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.clock()

    def remaining(self) -> float | None:
        """Seconds left before the run's deadline (None when the run has none)."""
        if self.run_s is None:
            return None
        return self.run_s - (self.clock() - self.started)

    def allowance(self, provider: str, first_token_s: float) -> float:
        """How long a call may now wait for `provider`'s first token (<= 0: not at all; inf: no
        limit): what is left of `first_token_s` (the run's limit for that provider, inf for a model
        computed here, which cannot hang on a network) once its failures are charged, within the
        run's deadline and any cap."""
        limits = [first_token_s - self.spent.get(provider, 0.0)]
        remaining = self.remaining()
        if remaining is not None:
            limits.append(remaining)
        cap = _CAP.get()
        if cap is not None:
            limits.append(cap - time.monotonic())
        return min(limits)

    def charge(self, provider: str, seconds: float) -> None:
        """Time lost waiting on `provider` without an answer."""
        self.spent[provider] = self.spent.get(provider, 0.0) + max(seconds, 0.0)


_CURRENT: ContextVar[RunBudget | None] = ContextVar("booktutor_run_budget", default=None)
_CAP: ContextVar[float | None] = ContextVar("booktutor_call_cap", default=None)


def current_budget() -> RunBudget | None:
    return _CURRENT.get()


@contextmanager
def using(budget: RunBudget) -> Iterator[RunBudget]:
    """Make `budget` the current one for the code (and the tasks it starts) inside. Never hold it
    across a `yield` of an async generator: the context must be reset where it was set."""
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


@contextmanager
def capped(seconds: float) -> Iterator[None]:
    """Model calls inside wait at most `seconds` from now, whatever the run has left."""
    deadline = time.monotonic() + seconds
    outer = _CAP.get()
    token = _CAP.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _CAP.reset(token)


def answered_by() -> str | None:
    """The provider that gave the current run's latest model answer."""
    budget = _CURRENT.get()
    return budget.answered_by if budget is not None else None


class RunTimedOut(AppError):
    code = "run_timeout"
    status_code = 503


async def next_within(parts: AsyncGenerator[T, None], budget: RunBudget) -> T | None:
    """The next item of `parts` (None at its end), with `budget` current (the tasks it starts
    inherit it) and within the run's deadline. Never holds the budget across the caller's yield."""
    remaining = budget.remaining()
    try:
        with using(budget):
            async with asyncio.timeout(max(remaining, 0.0) if remaining is not None else None):
                return await anext(parts)
    except StopAsyncIteration:
        return None
    except TimeoutError as exc:
        left = budget.remaining()
        if left is not None and left <= 0:
            raise RunTimedOut(f"The run took longer than {budget.run_s:g} s.") from exc
        raise
