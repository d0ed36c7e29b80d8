"""A real `reliability serve` (gunicorn arbiter, waitress workers) in a subprocess, for the live-server tests.

Each server gets its own free port, its own process group (so a SIGKILL of the group
takes gunicorn's workers down with the master) and its own log file, printed when a
test fails. Every wait has a deadline: a hang fails the test instead of blocking CI.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT.parent / "shared" / "data" / "rpm2-fr-dev" / "documents.jsonl"
READY_TIMEOUT = 120.0  # loading the models takes a few seconds; a loaded 2-core CI machine more
REQUEST_TIMEOUT = 120.0


def reliability_command() -> list[str]:
    """The `reliability` console script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "reliability"
    return [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def load_documents() -> list[dict[str, Any]]:
    with DOCUMENTS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def payload(doc: dict[str, Any], k: int) -> dict[str, Any]:
    return {"text": doc["text"], "title": doc["title"], "source": f"outlet{k % 7}.example"}


def server_env(workdir: Path, db_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without its reliability settings, plus this test's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELIABILITY_") and k != "DATABASE_URL"}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{db_path}",
            "RELIABILITY_RATE_LIMIT": "100000/minute",
            # gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl);
            # a folder of our own keeps parallel servers (ours or anyone's) from replacing each other's.
            "XDG_RUNTIME_DIR": str(workdir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        reliability_command() + args,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class LiveServer:
    """`reliability serve --host HOST --port PORT` on a given SQLite file."""

    def __init__(
        self, workdir: Path, db_path: Path, *, host: str = "127.0.0.1", env: dict[str, str] | None = None
    ) -> None:
        self.workdir = workdir
        self.db_path = db_path
        self.host = host
        self.env = server_env(workdir, db_path, env)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self.logs: list[Path] = []

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> LiveServer:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.port = free_port(self.host)
        self.log_path = self.workdir / f"server-{len(self.logs) + 1}.log"
        self.logs.append(self.log_path)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                reliability_command() + ["serve", "--host", self.host, "--port", str(self.port)],
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Seconds until /readyz answered 200; fails (with the log) if the server died or hung."""
        assert self.proc is not None
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode} before ready:\n{self.log()}")
            try:
                if requests.get(self.url("/readyz"), timeout=2).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server not ready after {timeout:.0f} s:\n{self.log()}")

    @property
    def pgid(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # start_new_session: the master leads its own process group

    def kill_group(self, sig: int = signal.SIGKILL, timeout: float = 15.0) -> None:
        """Signal the master and its workers at once, then wait until none of them runs."""
        assert self.proc is not None
        try:
            os.killpg(self.pgid, sig)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while group_members(self.pgid):
            if time.monotonic() > deadline:
                raise AssertionError(f"processes of group {self.pgid} still run: {group_members(self.pgid)}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Teardown: kill whatever is left of the server, never raising."""
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None or group_members(self.pgid):
                self.kill_group(signal.SIGKILL)
        except Exception as exc:  # noqa: BLE001 - teardown must not hide the test's own failure
            print(f"live server teardown: {exc}", file=sys.stderr)

    # -- helpers ----------------------------------------------------------------------

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's running processes have used so far."""
        total = 0
        for pid in group_members(self.pgid):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
        return total / os.sysconf("SC_CLK_TCK")

    @property
    def base(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "127.0.0.1", "localhost") else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def log(self) -> str:
        parts = []
        for path in self.logs:
            text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else "(no log)"
            parts.append(f"----- {path.name} -----\n{text[-20000:]}")
        return "\n".join(parts)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members
