"""all-MiniLM-L6-v2 on ONNX Runtime gives the vectors sentence-transformers gave (on torch)."""

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from safetensors.numpy import load_file

from gigcx.ai import embeddings, minilm_onnx

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "minilm" / "reference_vectors.json"
# Recorded once with sentence-transformers on torch: English, German, Chinese, emoji, an empty
# text and one of 402 tokens (cut at the model's 256).
REFERENCE = json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_the_vectors_are_those_sentence_transformers_gives() -> None:
    expected = np.array(REFERENCE["vectors"], dtype=np.float32)

    together = embeddings.encode(REFERENCE["texts"])
    one_by_one = np.vstack([embeddings.encode([text]) for text in REFERENCE["texts"]])

    assert together.shape == (7, embeddings.DIMENSIONS)
    assert float(np.abs(together - expected).max()) < 1e-5
    assert float(np.abs(one_by_one - expected).max()) < 1e-5


def test_batches_keep_the_order_given_and_report_progress() -> None:
    texts = [f"order {i} has not arrived" + " yet" * (i % 9) for i in range(70)]
    done: list[int] = []

    vectors = embeddings.encode(texts, batch_size=32, progress=done.append)

    assert done == [32, 32, 6]
    assert float(np.abs(vectors[41] - embeddings.encode([texts[41]])[0]).max()) < 1e-5
    assert float(np.abs(np.linalg.norm(vectors, axis=1) - 1).max()) < 1e-5


def test_no_texts_need_no_model() -> None:
    assert embeddings.encode([]).shape == (0, embeddings.DIMENSIONS)


def test_the_graph_is_valid_onnx() -> None:
    directory = embeddings.model_dir()
    config = minilm_onnx.read_config(directory)

    graph = minilm_onnx.build(load_file(str(directory / "model.safetensors")), config)

    model = onnx.load_from_string(graph)
    onnx.checker.check_model(model)
    assert [i.name for i in model.graph.input] == ["input_ids", "attention_mask"]
    assert [o.name for o in model.graph.output] == ["last_hidden_state"]


def test_a_model_the_graph_does_not_implement_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    (tmp_path / "config.json").write_text('{"model_type": "bert", "hidden_act": "relu"}')

    with pytest.raises(ValueError, match="hidden_act is 'relu', not 'gelu'"):
        minilm_onnx.read_config(tmp_path)
