"""Load trained artifacts from models/, refusing any that does not match its model card.

Each artifact `models/NAME.joblib` has a card `models/NAME.md` with a JSON block
(between ```json fences) recording its sha256 and the scikit-learn version it was
trained with; a mismatch raises ModelArtifactError rather than scoring wrongly.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from service.errors import ModelArtifactError

_cache: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


def models_dir() -> Path:
    configured = os.environ.get("RELIABILITY_MODELS_DIR")
    if configured:
        return Path(configured)
    package = Path(__file__).resolve().parent.parent  # service/
    bundled = package / "models"
    if bundled.is_dir():
        return bundled
    return package.parent / "models"  # the checkout's models/ (an editable install)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_card(name: str, directory: Path | None = None) -> dict[str, Any]:
    card_path = (directory or models_dir()) / f"{name}.md"
    if not card_path.exists():
        raise ModelArtifactError(f"model card {card_path} is missing; rebuild with `python -m training`")
    match = re.search(r"```json\n(.*?)\n```", card_path.read_text(encoding="utf-8"), re.S)
    if not match:
        raise ModelArtifactError(f"model card {card_path} has no ```json metadata block")
    return json.loads(match.group(1))


def load_artifact(name: str, directory: Path | None = None) -> tuple[Any, dict[str, Any]]:
    """The unpickled artifact and its card metadata, verified against the card."""
    import joblib
    import sklearn

    directory = directory or models_dir()
    key = (str(directory), name)
    with _lock:
        if key in _cache:
            return _cache[key]
        path = directory / f"{name}.joblib"
        if not path.exists():
            raise ModelArtifactError(f"model artifact {path} is missing; rebuild with `python -m training`")
        card = read_card(name, directory)
        actual = sha256_file(path)
        if actual != card.get("sha256"):
            raise ModelArtifactError(
                f"{path} does not match its model card (sha256 {actual[:12]}… != {str(card.get('sha256'))[:12]}…)"
            )
        trained_with = card.get("versions", {}).get("scikit-learn")
        if trained_with != sklearn.__version__:
            raise ModelArtifactError(
                f"{path} was trained with scikit-learn {trained_with}, this is {sklearn.__version__}; "
                "install the pinned version or retrain"
            )
        value = (joblib.load(path), card)
        _cache[key] = value
        return value


def load_json(name: str, directory: Path | None = None) -> dict[str, Any]:
    path = (directory or models_dir()) / name
    if not path.exists():
        raise ModelArtifactError(f"{path} is missing; rebuild with `python -m training`")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
