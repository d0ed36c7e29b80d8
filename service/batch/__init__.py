"""`reliability batch`: a folder or JSONL export scored in parallel, resumably.

runner.py (the process pool, stories as the unit of work, resumable state), files.py (inputs,
JSONL and CSV outputs) and html_report.py (the HTML report). Other packages use `run_batch`
and `sidecar_metadata` from here, never the modules inside (an import-linter contract checks it).
"""

from pathlib import Path

from .files import _sidecar
from .runner import run_batch

__all__ = ["run_batch", "sidecar_metadata"]


def sidecar_metadata(path: Path, max_bytes: int) -> dict[str, str]:
    """The fields of NAME.meta.json beside the article file NAME.*, or {}: read as a batch reads
    them, so `reliability score` and `extract` give a file the metadata `batch` gives it."""
    return _sidecar(path, max_bytes)
