"""`reliability batch --scheduler`: the batch's tasks on a Dask cluster (dask.distributed).

`local` or `local:N` starts a LocalCluster of N worker processes (default: this machine's cores) of
one thread each; any other value is a running scheduler's address (`tcp://host:8786`). The client
(this process) keeps the state file and commits each result as today: the workers only compute.

- Models load once per worker, in a worker plugin (`ModelsPlugin`): a worker that joins later or is
  restarted by its nanny loads them before its first task. The plugin refuses a worker whose package
  version or models differ from the client's, so a cluster never mixes two models in one OUT.jsonl.
- Each task computes on one thread; a worker runs as many tasks at once as it has threads
  (`dask worker --nthreads`), but scores one story at a time (they share one embedding cache): give
  workers one thread each and one process per core (`--nworkers N --nthreads 1`), as LocalCluster does.
- Failures: a task that raises is retried `RETRIES` times; a task whose worker dies is rescheduled on
  another by the scheduler, up to its `distributed.scheduler.allowed-failures` deaths (Dask's
  default: 3) before the batch stops (ReliabilityError, exit code 4); --resume then continues from
  what was committed.
- The corpus context (vocabulary and template lines, read by every segmentation task) is scattered
  to the workers once instead of being sent with each task.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from distributed import WorkerPlugin

from service.errors import ModelArtifactError, ReliabilityError, UsageError

from . import tasks

# A LocalCluster's processes share this machine's cores with the work: Dask's own monitors wake less
# often, and the workers' statistical profiler (a stack sample every 10 ms) is off. A running
# cluster keeps its own configuration (docs/scale.md suggests the same).
QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "200ms",
    "distributed.worker.memory.monitor-interval": "1s",
    # Dask's default sets MALLOC_TRIM_THRESHOLD_=65536 in workers, which hands freed memory back to the
    # system at once: numpy's many short-lived arrays then fault their pages in again (measured here:
    # +3 s of system time per worker on 2,000 articles). One BLAS thread per worker, as Dask's default.
    "distributed.nanny.pre-spawn-environ": {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1},
}
RETRIES = 2  # retries of a task that raised (a worker's death is counted apart, by the scheduler)
# One per cluster: registering it again replaces the previous run's. A second batch that needs other
# models reloads every worker's, and the first batch's tasks then refuse to run (`checked`, exit 5).
PLUGIN_NAME = "reliability-models"


class ModelsPlugin(WorkerPlugin):
    """A Dask worker plugin: loads the engine's models into the worker process, once.

    `expected` is the client's (package version, models digest): a worker that runs another version
    raises in `setup`, and registering the plugin fails with its message. `batch_pid` is the client's
    process id for a LocalCluster (its workers exit with it), None for a cluster that outlives it."""

    def __init__(self, embedder: str | None, expected: tuple[str, str], batch_pid: int | None) -> None:
        self.embedder = embedder
        self.expected = expected
        self.batch_pid = batch_pid

    def setup(self, worker: Any) -> None:
        from service import __version__

        from .runner import models_digest

        found = (__version__, models_digest())
        if found != self.expected:
            tasks._worker.pop("loaded", None)  # its tasks refuse to run (`checked`), whatever it loaded before
            raise RuntimeError(
                f"worker {worker.address} runs source-reliability {found[0]} with models {found[1][:12]}; "
                f"the client runs {self.expected[0]} with models {self.expected[1][:12]}"
            )
        if self.batch_pid is not None:
            tasks.die_with(self.batch_pid)
        wanted = (*self.expected, self.embedder)
        if tasks._worker.get("loaded") != wanted:
            tasks._worker.pop("loaded", None)
            tasks.load_models(self.embedder)
            tasks._worker["loaded"] = wanted

    def teardown(self, worker: Any) -> None:
        return None


def checked(wanted: tuple[str, str, str | None], fn: Any, *args: Any) -> Any:
    """Run a batch task only on a worker that loaded the models the batch needs: `wanted` is the
    client's (package version, models digest, embedder). Distributed does not stop a worker whose
    plugin failed from taking tasks (a late worker, or one its nanny restarted), and another batch
    on the same cluster may have loaded another embedder since. Raises ModelArtifactError."""
    loaded = tasks._worker.get("loaded")
    if loaded != wanted:
        from distributed import get_worker

        have = "no models" if loaded is None else f"{loaded[0]} with models {loaded[1][:12]} ({loaded[2] or 'default'})"
        raise ModelArtifactError(
            f"worker {get_worker().address} has {have}; the batch needs {wanted[0]} with models "
            f"{wanted[1][:12]} ({wanted[2] or 'default'}): one batch's models at a time on a cluster"
        )
    return fn(*args)


def parse_scheduler(value: str) -> tuple[str, int | None]:
    """("local", N) for `local` / `local:N`, (address, None) otherwise. Raises UsageError."""
    if value == "local" or value.startswith("local:"):
        count = value.partition(":")[2]
        if count and not (count.isdigit() and int(count) >= 1):
            raise UsageError(f"--scheduler {value}: N in local:N must be a whole number of workers >= 1")
        return "local", int(count) if count else (os.cpu_count() or 1)
    if "://" not in value and ":" not in value:
        raise UsageError(f"--scheduler {value}: give local, local:N or a scheduler address such as tcp://host:8786")
    return value, None


class DaskPool:
    """The pool interface (see tasks.py) over a Dask client."""

    def __init__(self, scheduler: str, embedder: str | None, expected: tuple[str, str]) -> None:
        import dask
        from distributed import Client, LocalCluster

        address, workers = parse_scheduler(scheduler)
        self.cluster: Any = None
        # A LocalCluster's workers read a story's inputs from the state file; a running cluster's
        # may be on other hosts, and are sent them with the task.
        self.reads_state = workers is not None
        if workers is not None:
            # The dashboard needs bokeh, which is not a dependency: started where it is installed.
            dashboard = ":0" if importlib.util.find_spec("bokeh") else None
            with dask.config.set(QUIET):  # the workers' processes take the configuration at their start
                self.cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=dashboard,
                    silence_logs=logging.ERROR,
                )  # fmt: skip
            self.client = Client(self.cluster)
            batch_pid: int | None = os.getpid()
        else:
            try:
                self.client = Client(address, timeout="30s")
            except (OSError, ValueError) as exc:  # unreachable, or an address Dask cannot parse
                raise UsageError(f"--scheduler {address}: cannot reach the scheduler ({exc})") from None
            batch_pid = None
        link = self._dashboard()
        workers_now = len(self.client.scheduler_info().get("workers", {}))
        print(
            f"reliability: Dask scheduler {self.client.scheduler.address}, {workers_now} worker(s)"
            + (f"; dashboard {link}" if link else ""),
            file=sys.stderr,
            flush=True,
        )
        # The workers load the models while this process reads the inputs (as the process pool's do):
        # the plugin is registered in a thread, awaited before the first task.
        self._scheduler = scheduler
        self._plugin_error: BaseException | None = None
        plugin = ModelsPlugin(embedder, expected, batch_pid)
        self._wanted = (*expected, embedder)
        self._loading = threading.Thread(target=self._register, args=(plugin,), name="dask-models", daemon=True)
        self._loading.start()

    def _register(self, plugin: ModelsPlugin) -> None:
        try:
            self.client.register_plugin(plugin, name=PLUGIN_NAME)
        except BaseException as exc:  # re-raised in the main thread by _ready
            self._plugin_error = exc

    def _ready(self) -> None:
        """Wait until every worker has loaded the models. Raises ModelArtifactError (the plugin's
        refusal, or a worker that could not load them)."""
        self._loading.join()
        if self._plugin_error is not None:
            error, self._plugin_error = self._plugin_error, None
            raise ModelArtifactError(
                f"--scheduler {self._scheduler}: a worker could not load the models: {error}"
            ) from None

    def _dashboard(self) -> str | None:
        """The dashboard's address where it serves pages: a scheduler lists its dashboard port even
        when bokeh is missing there and every page is a 404."""
        import urllib.request

        try:
            if "dashboard" not in self.client.scheduler_info().get("services", {}):
                return None
            link = str(self.client.dashboard_link)
            with urllib.request.urlopen(link, timeout=2) as response:  # noqa: S310 - the scheduler's own http://
                return link if response.status == 200 else None
        except Exception:  # no link rather than no batch
            return None

    def run(self, fn: Any, jobs: Iterable[tuple[Any, tuple[Any, ...]]], window: int) -> Iterator[tuple[Any, Any]]:
        from distributed import KilledWorker, wait
        from distributed.client import CancelledError

        self._ready()

        def submit(fn: Any, *args: Any) -> Any:
            return self.client.submit(checked, self._wanted, fn, *args, pure=False, retries=RETRIES)

        def first_done(futures: list[Any]) -> set[Any]:
            return set(wait(futures, return_when="FIRST_COMPLETED").done)

        threads = sum(w.get("nthreads", 1) for w in self.client.scheduler_info().get("workers", {}).values())
        try:  # a large cluster gets enough tasks in flight to keep every thread busy
            yield from tasks.bounded(submit, first_done, jobs, fn, max(window, 4 * threads))
        except KilledWorker as exc:
            raise ReliabilityError(
                f"Dask workers died running one task ({exc}); what was done is kept: run again with --resume"
            ) from None
        except CancelledError:  # the scheduler went away (or cancelled the run)
            raise ReliabilityError(
                "the Dask scheduler lost the batch's tasks; what was done is kept: run again with --resume"
            ) from None

    def share(self, obj: Any) -> Any:
        self._ready()
        return self.client.scatter(obj, broadcast=True, hash=False)

    def shutdown(self) -> None:
        self._loading.join()
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
