"""`reliability batch`: a folder or JSONL export scored in parallel, resumably.

runner.py (the process pool, stories as the unit of work, resumable state), files.py (inputs,
JSONL and CSV outputs) and html_report.py (the HTML report). Other packages use `run_batch`
and `sidecar_metadata` from here, never the modules inside (an import-linter contract checks it).
"""

from .files import sidecar_metadata
from .runner import run_batch

__all__ = ["run_batch", "sidecar_metadata"]
