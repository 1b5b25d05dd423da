"""A server process starts without loading the text models: they load on first use."""

import json
import subprocess
import sys

HEAVY = (
    "sklearn",
    "scipy",
    "onnx",
    "onnxruntime",
    "tokenizers",
    "safetensors",
    "lingua",
    "vaderSentiment",
    "torch",
    "sentence_transformers",
)


def loaded_after(code: str) -> list[str]:
    """Which of the heavy packages a fresh interpreter has imported after running ``code``."""
    script = (
        f"import json, sys\n{code}\nprint(json.dumps(sorted(set(sys.modules) & set({HEAVY!r}))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_app_loads_no_text_model() -> None:
    assert loaded_after("import gigcx.app\ngigcx.app.create_app()") == []


def test_the_models_load_when_first_used() -> None:
    code = (
        "from gigcx.ai import language, sentiment\n"
        "language.detect('where is my parcel, it has not arrived yet', ['en', 'de'])\n"
        "sentiment.analyse('thanks, that was great', 'en')"
    )

    assert loaded_after(code) == ["lingua", "vaderSentiment"]
