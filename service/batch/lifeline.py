"""A batch worker exits as soon as its batch process is gone, whatever killed it (SIGKILL included).

Nothing else would end it: a ProcessPoolExecutor worker waits on its call queue, a pipe whose write
end it holds itself, so it never reads EOF when the batch process dies, and it would live on with
its models loaded (about 0.5 GB) until killed by hand.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

POLL_SECONDS = 0.5  # how often the watchdog looks; a worker outlives its batch by at most this
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with(batch_pid: int) -> None:
    """Have this worker process exit once the batch process `batch_pid` is gone.

    Call it first in the worker's initializer (the models take seconds to load, and the batch may die
    meanwhile); in the batch process itself (the inline pool of --workers 1) it does nothing.

    Two mechanisms, each covering the other's gap:
    - Linux's PR_SET_PDEATHSIG: the kernel SIGKILLs this worker the instant its parent exits, even
      while it is deep in a C call that holds the GIL. SIGKILL, not SIGTERM: a worker has nothing to
      clean up (the batch process writes every result), and no handler a library installs delays it.
      It fires when the *thread* that forked the worker ends: ProcessPoolExecutor starts workers from
      the thread that submits (run_batch's), which outlives the pool (run_batch shuts it down, waiting).
      A parent that died before the prctl call is missed: checked right after it.
    - A daemon thread that looks every POLL_SECONDS: on any system, and for a parent that died in the
      prctl race.
    With the spawn and fork start methods the parent is the batch process. With forkserver it is the
    fork server, a child of the batch process that exits once the batch process is gone (its end of
    the batch's 'alive' pipe reaches EOF): so the batch process is watched as the parent's parent
    (in /proc), and the parent's death signals the worker all the same.
    """
    if batch_pid == os.getpid():
        return
    parent = os.getppid()
    _parent_death_signal(signal.SIGKILL)
    if not _batch_alive(parent, batch_pid):
        os._exit(1)  # orphaned already: before this call, or between getppid and prctl
    threading.Thread(target=_watch, args=(parent, batch_pid), name="batch-watchdog", daemon=True).start()


def _watch(parent: int, batch_pid: int) -> None:
    while _batch_alive(parent, batch_pid):
        time.sleep(POLL_SECONDS)
    os._exit(1)  # the whole process, whatever its main thread is doing


def _batch_alive(parent: int, batch_pid: int) -> bool:
    """Whether this worker still has `parent` as its parent, and that is the batch process or its child."""
    if os.getppid() != parent:  # reparented: the parent died
        return False
    if parent == batch_pid:
        return True
    grandparent = _parent_of(parent)
    return grandparent is None or grandparent == batch_pid  # None: no /proc here; the fork server exits with it


def _parent_of(pid: int) -> int | None:
    """The parent pid of `pid` from /proc (Linux), or None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None if not os.path.isdir("/proc/self") else 0  # with /proc: the process is gone
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
    fields = stat[stat.rfind(b")") + 2 :].split()
    return int(fields[1]) if len(fields) > 1 else None


def _parent_death_signal(signum: int) -> None:
    """PR_SET_PDEATHSIG where the system has it (Linux); elsewhere the watchdog alone does the work."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return
    # prctl is variadic: declare the types, so each argument is passed as the unsigned long it reads
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)  # on failure (-1) the watchdog is still there
