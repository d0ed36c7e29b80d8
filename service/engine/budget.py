"""The time budget of one scoring call: a deadline and a cancellation hook, checked between
stages and inside the loops that grow with the input (issue 15).

A server gives each request a budget and abandons the work when it runs out or when its client
goes away, instead of scoring on for minutes for nobody. `scope` sets the budget for everything
the calling thread runs inside it (a context variable: threads and requests do not share it);
`checkpoint` raises when it is spent and costs a clock read otherwise, so loops call it freely.
Nothing partial escapes: the stages write their results only to objects of the call itself,
and the embedding cache keeps a call's vectors only once they are all computed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from service.errors import ScoringCancelled, TimeBudgetExceeded

# A `cancelled` hook may cost a system call (a socket poll): asked at most this often.
CANCEL_POLL_SECONDS = 0.05


@dataclass
class Budget:
    deadline: float | None  # a time.monotonic() instant
    cancelled: Callable[[], bool] | None
    seconds: float | None  # the budget as given, for the message
    _polled: float = field(default=float("-inf"))

    def check(self, stage: str = "") -> None:
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            raise TimeBudgetExceeded(self.seconds, stage)
        if self.cancelled is not None and now - self._polled >= CANCEL_POLL_SECONDS:
            self._polled = now
            if self.cancelled():
                raise ScoringCancelled(stage)


_current: ContextVar[Budget | None] = ContextVar("reliability_scoring_budget", default=None)


@contextmanager
def scope(deadline: float | None = None, cancelled: Callable[[], bool] | None = None) -> Iterator[None]:
    """Run the block under a budget: `deadline` a time.monotonic() instant, `cancelled` a hook that
    says the result is no longer wanted. With neither, the block keeps the budget around it (the
    pipeline's entry points open a scope for their own keyword arguments and nest freely); an inner
    scope never extends an outer deadline."""
    outer = _current.get()
    if deadline is None and cancelled is None:
        yield
        return
    if outer is not None and outer.deadline is not None and (deadline is None or outer.deadline < deadline):
        deadline = outer.deadline
    if outer is not None and outer.cancelled is not None and cancelled is not outer.cancelled:
        inner_cancelled, outer_cancelled = cancelled, outer.cancelled
        cancelled = (lambda: outer_cancelled() or inner_cancelled()) if inner_cancelled else outer_cancelled
    if outer is not None and outer.deadline is not None and deadline == outer.deadline:
        seconds = outer.seconds
    else:
        seconds = None if deadline is None else max(0.0, deadline - time.monotonic())
    budget = Budget(deadline, cancelled, seconds)
    token = _current.set(budget)
    try:
        budget.check("start")
        yield
    finally:
        _current.reset(token)


def checkpoint(stage: str = "") -> None:
    """Raise TimeBudgetExceeded or ScoringCancelled when the current budget is spent; else nothing."""
    current = _current.get()
    if current is not None:
        current.check(stage)
