"""Thread limits for native libraries (BLAS, OpenMP) at a per-call cost of microseconds.

`threadpoolctl.threadpool_limits(...)` finds the loaded libraries again at every call (about
5 ms: it walks the process's shared objects); scoring a story calls it a few times, which cost
a 2,000-article batch about 7 s. threadpoolctl's own `get_cached_controller()` keeps one
controller and rebuilds it when modules were imported since (a new native library may have
come with them), under a lock, so threads of the API share it safely.
"""

from __future__ import annotations

from typing import Any

from threadpoolctl import get_cached_controller


def limited_threads(limit: int, user_api: str | None = None) -> Any:
    """A context manager that runs its block with at most `limit` threads in native libraries
    (`user_api`: "blas", "openmp" or None for both), as `threadpool_limits` does."""
    return get_cached_controller().limit(limits=limit, user_api=user_api)
