"""Thread limits for native libraries (BLAS, OpenMP) at a per-call cost of microseconds.

`threadpoolctl.threadpool_limits(...)` finds the loaded libraries again at every call (about
5 ms: it walks the process's shared objects); scoring a story calls it a few times, which cost
a 2,000-article batch about 7 s. One `ThreadpoolController` per process, made at the first call
(after the models are loaded, so their OpenMP and BLAS libraries are in it), does the same.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from threadpoolctl import ThreadpoolController


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def limited_threads(limit: int, user_api: str | None = None) -> Any:
    """A context manager that runs its block with at most `limit` threads in native libraries
    (`user_api`: "blas", "openmp" or None for both), as `threadpool_limits` does."""
    return _controller().limit(limits=limit, user_api=user_api)
