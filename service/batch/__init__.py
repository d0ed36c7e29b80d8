"""`reliability batch`: a folder or JSONL export scored in parallel, resumably.

runner.py (stories as the unit of work, resumable state), tasks.py (what a worker computes, and
the process and inline pools), dask_pool.py (the same tasks on a Dask cluster), files.py (inputs,
JSONL and CSV outputs) and html_report.py (the HTML report). Other packages use `run_batch`
and `sidecar_metadata` from here, never the modules inside (an import-linter contract checks it).
"""

from .files import is_file_set, reject_lone_surrogates, sidecar_metadata
from .runner import run_batch

__all__ = ["is_file_set", "reject_lone_surrogates", "run_batch", "sidecar_metadata"]
