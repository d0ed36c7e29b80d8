"""`reliability batch --scheduler`: the batch on Dask gives the process pool's OUT.jsonl, byte for byte,
on a LocalCluster and on a scheduler and workers started as separate processes, with a worker killed
mid-run, and with the client killed and the run resumed. Also: JSONL inputs read through fsspec."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.batch.dask_pool import ModelsPlugin, checked, parse_scheduler
from service.cli import main
from service.errors import ModelArtifactError, UsageError
from tests.api.live import free_port
from tests.test_batch import make_corpus, read_jsonl

BIN = Path(sys.executable).parent
N_DOCUMENTS = 57  # with the seeds, the examples and a sidecar article: 80 distinct articles


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("RELIABILITY_")}


def _batch(folder: Path, out: Path, *extra: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "reliability"), "batch", str(folder), "--out", str(out), *extra]
    return subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dask") / "in"
    make_corpus(folder, n_documents=N_DOCUMENTS)
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path) -> bytes:
    """OUT.jsonl of the process-pool runner with 2 workers."""
    out = corpus.parent / "pool.jsonl"
    done = _batch(corpus, out, "--workers", "2")
    assert done.returncode == 1, done.stderr  # the corpus holds bad files
    assert len({r["article_id"] for r in read_jsonl(out)}) == 80
    return out.read_bytes()


class Cluster:
    """`dask scheduler` and two `dask worker` processes (each with its nanny) on 127.0.0.1."""

    def __init__(self, folder: Path) -> None:
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.logs = folder
        port = self.address.rsplit(":", 1)[1]
        self.processes = [self._start("scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")]
        for k in range(2):
            self.processes.append(
                self._start("worker", self.address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                            "--name", f"w{k}", log=f"worker{k}")
            )  # fmt: skip

    def _start(self, role: str, *args: str, log: str | None = None) -> subprocess.Popen[bytes]:
        handle = (self.logs / f"{log or role}.log").open("wb")
        return subprocess.Popen(
            [str(BIN / "dask"), role, *args], env=_env(), stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def worker_pids(self) -> dict[str, int]:
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
            return dict(client.run(os.getpid))

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        running.worker_pids()  # both workers up
        yield running
    finally:
        running.stop()


def _wait_for(state: Path, query: str, proc: subprocess.Popen[str], timeout: float = 600) -> None:
    """Until the state file answers `query` with a true value (the batch must still be running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the batch finished before the moment the test waits for"
        if state.exists():
            try:
                with sqlite3.connect(state) as conn:
                    if conn.execute(query).fetchone()[0]:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {query}")


def _start_batch(folder: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [str(BIN / "reliability"), "batch", str(folder), "--out", str(out), *extra]
    return subprocess.Popen(
        command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def test_local_cluster_gives_the_process_pool_output(corpus: Path, reference: bytes) -> None:
    out = corpus.parent / "local.jsonl"
    done = _batch(corpus, out, "--scheduler", "local:2")
    assert done.returncode == 1, done.stderr
    assert "Dask scheduler" in done.stderr and "2 worker(s)" in done.stderr
    assert out.read_bytes() == reference


def test_separate_scheduler_and_workers_give_the_same_output(corpus: Path, reference: bytes, cluster: Cluster) -> None:
    out = corpus.parent / "remote.jsonl"
    done = _batch(corpus, out, "--scheduler", cluster.address)
    assert done.returncode == 1, done.stderr
    assert out.read_bytes() == reference


def test_a_worker_killed_mid_run_is_replaced_and_the_output_is_the_same(
    corpus: Path, reference: bytes, cluster: Cluster
) -> None:
    out = corpus.parent / "worker-killed.jsonl"
    before = cluster.worker_pids()
    proc = _start_batch(corpus, out, "--scheduler", cluster.address)
    try:
        _wait_for(Path(str(out) + ".state.db"), "SELECT COUNT(*) >= 1 FROM units", proc)  # scoring, tasks in flight
        victim = sorted(before.values())[0]
        os.kill(victim, signal.SIGKILL)
        _, stderr = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, stderr
    assert out.read_bytes() == reference
    after = cluster.worker_pids()  # its nanny started a new worker, which loaded the models (the plugin)
    assert victim not in after.values() and len(after) == 2


def test_a_killed_client_resumes_on_the_cluster_to_the_same_output(
    corpus: Path, reference: bytes, cluster: Cluster
) -> None:
    out = corpus.parent / "client-killed.jsonl"
    proc = _start_batch(corpus, out, "--scheduler", cluster.address)
    _wait_for(Path(str(out) + ".state.db"), "SELECT COUNT(*) >= 2 FROM units", proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert not out.exists()
    again = _batch(corpus, out, "--scheduler", cluster.address, "--resume")
    assert again.returncode == 1, again.stderr
    assert out.read_bytes() == reference


def test_a_task_refuses_a_worker_without_the_batch_models(cluster: Cluster) -> None:
    """Dask lets a worker whose plugin failed take tasks: each task checks what its worker loaded."""
    from distributed import Client

    with Client(cluster.address, timeout="30s") as client:
        future = client.submit(checked, ("0.0.0", "0" * 64, None), len, [1, 2], pure=False)
        with pytest.raises(ModelArtifactError, match=r"worker tcp://127\.0\.0\.1:\d+ has .* the batch needs 0\.0\.0"):
            future.result(timeout=120)


def test_workers_of_another_version_are_refused() -> None:
    plugin = ModelsPlugin(None, ("0.0.0", "0" * 64), None)

    class Worker:
        address = "tcp://127.0.0.1:1"

    with pytest.raises(RuntimeError, match="runs source-reliability .* the client runs 0.0.0"):
        plugin.setup(Worker())


def test_scheduler_option_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_scheduler("local:3") == ("local", 3)
    assert parse_scheduler("tcp://10.0.0.5:8786") == ("tcp://10.0.0.5:8786", None)
    for bad in ("local:0", "local:x", "nowhere"):
        with pytest.raises(UsageError):
            parse_scheduler(bad)
    article = tmp_path / "a.txt"
    article.write_text("Un article.", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["batch", str(article), "--out", str(out), "--workers", "2", "--scheduler", "local"]) == 2
    assert "not both" in capsys.readouterr().err
    closed = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    assert main(["batch", str(article), "--out", str(out), "--scheduler", closed]) == 2
    assert "cannot reach the scheduler" in capsys.readouterr().err
    assert main(["batch", str(article), "--out", str(out), "--scheduler", "nosuch://127.0.0.1:1"]) == 2
    assert not out.exists()


def test_jsonl_files_read_through_fsspec(tmp_path: Path, corpus: Path) -> None:
    """A glob of JSONL files (one compressed), a file:// URL, a matched file that is not JSONL, a
    pattern that matches nothing and a protocol whose driver is missing."""
    export = (corpus / "export" / "cms.jsonl").read_bytes()
    parts = tmp_path / "parts"
    parts.mkdir()
    lines = export.splitlines(keepends=True)
    (parts / "a.jsonl").write_bytes(b"".join(lines[:10]))
    (parts / "b.jsonl.gz").write_bytes(gzip.compress(b"".join(lines[10:20])))
    (parts / "c.txt").write_text("Pas un export JSONL.", encoding="utf-8")
    out = tmp_path / "glob.jsonl"
    assert main(["batch", str(parts / "*"), "--out", str(out)]) == 1  # the .txt and the bad JSON line
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [r["id"] for r in read_jsonl_lines(lines[:20])]
    assert rows[0]["input"] == f"{parts}/a.jsonl:1" and rows[-1]["input"].startswith(f"{parts}/b.jsonl.gz:")
    reasons = [e["reason"] for e in read_jsonl(out.with_suffix(".errors.jsonl"))]
    assert any("c.txt: only JSONL files" in r for r in reasons) and any("invalid JSON" in r for r in reasons)

    url_out = tmp_path / "url.jsonl"
    assert main(["batch", f"file://{parts}/a.jsonl", "--out", str(url_out)]) == 1  # its bad line
    assert read_jsonl(url_out)[0]["input"] == f"file://{parts}/a.jsonl:1"

    assert main(["batch", str(tmp_path / "none" / "*.jsonl"), "--out", str(out)]) == 2
    assert main(["batch", f"file://{parts}/missing.jsonl", "--out", str(out)]) == 2  # no glob, no file
    assert main(["batch", "nosuchdriver://bucket/*.jsonl", "--out", str(out)]) == 2
    shutil.rmtree(parts)


def read_jsonl_lines(lines: list[bytes]) -> list[dict]:
    import json

    rows = []
    for line in lines:
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows
