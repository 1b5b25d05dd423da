"""Forecast accuracy against seasonal naive, and fit time, on synthetic and real hourly series.

    .venv/bin/python bench/forecast.py                  # synthetic series (+ real ones if any)
    .venv/bin/python bench/forecast.py --data FILE.csv  # also a CSV of timestamp,count rows
    .venv/bin/python bench/forecast.py --ablation       # also statsmodels' MSTL defaults

Synthetic: Poisson counts per hour over eight weeks with a daily shape (peak mid-afternoon,
trough at night, amplitude 80 %) and a weekly shape (weekends at 60 %), at several levels, some
with a trend. Real: an hourly (or finer) arrival series read from ``shared/data`` beside the
checkout or beside its parent (never copied); its README lists what is there. Each series gets
the product's rolling-origin backtest (``gigcx.planning.forecast.backtest``: a week ahead from 7
origins a day apart), so the model and seasonal naive(168) are scored on the same origins.
MASE divides by the in-sample MAE of seasonal naive(168) on each origin's training part: below
1 beats it. Coverage is the share of actual hours inside the 80 % band (target about 0.8).
Times are medians over repeated fits of the whole history (two noisy cores: read ratios).
"""

import argparse
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from gigcx.planning import forecast as model
from gigcx.planning.series import read_counts_csv

ROOT = Path(__file__).resolve().parent.parent
MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
FIT_REPEATS = 5
console = Console(highlight=False, width=170)


@dataclass(frozen=True)
class Case:
    name: str
    values: np.ndarray


def synthetic(level: float, *, seed: int, drift: float = 0.0, weeks: int = 8) -> np.ndarray:
    """Poisson counts with known daily and weekly shapes and a linear trend of ``drift``."""
    hours = np.arange(weeks * 168)
    daily = 1 + 0.8 * np.sin(2 * np.pi * (hours % 24 - 9) / 24)
    weekly = np.where((hours // 24) % 7 >= 5, 0.6, 1.0)
    trend = 1 + drift * hours / len(hours)
    return np.random.default_rng(seed).poisson(level * trend * daily * weekly).astype(float)


def synthetic_cases() -> list[Case]:
    return [
        Case("synthetic, 12/h", synthetic(12, seed=7)),
        Case("synthetic, 12/h, seed 8", synthetic(12, seed=8)),
        Case("synthetic, 12/h, +40% trend", synthetic(12, seed=9, drift=0.4)),
        Case("synthetic, 50/h, +20% trend", synthetic(50, seed=9, drift=0.2)),
        Case("synthetic, 2/h, +30% trend", synthetic(2, seed=8, drift=0.3)),
        Case("synthetic, 0.5/h (sparse)", synthetic(0.5, seed=7)),
    ]


def shared_data() -> Path | None:
    for base in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"):
        if base.is_dir():
            return base
    return None


def real_cases(extra: list[Path]) -> tuple[list[Case], list[str]]:
    """Hourly series from shared/data (CSV files of timestamp,count) and from --data."""
    notes = []
    found = list(extra)
    base = shared_data()
    if base is None:
        notes.append("shared/data not found beside the checkout: no real series")
    else:
        series_files = [
            path
            for path in sorted(base.rglob("*.csv"))
            if path.open(encoding="utf-8").readline().strip().lower() == "timestamp,count"
        ]
        if not series_files:
            folders = ", ".join(sorted(p.name for p in base.iterdir() if p.is_dir()))
            notes.append(
                f"no hourly arrival series in {base} ({folders}: texts without timestamps, "
                "per its README): real-series rows skipped"
            )
        found += series_files
    cases = []
    for path in found:
        series = read_counts_csv(path.read_text(encoding="utf-8"))
        cases.append(Case(f"{path.name} ({series.hours} h)", series.values))
    return cases, notes


@contextmanager
def stl_settings(windows: tuple[int, int], options: dict[str, int]) -> Iterator[None]:
    """Forecast with other MSTL settings for the block (the ablation)."""
    saved = model.SEASONAL_WINDOWS, model.STL_OPTIONS
    model.SEASONAL_WINDOWS, model.STL_OPTIONS = windows, options
    try:
        yield
    finally:
        model.SEASONAL_WINDOWS, model.STL_OPTIONS = saved


def fit_seconds(values: np.ndarray) -> float:
    times = []
    for _ in range(FIT_REPEATS):
        started = time.perf_counter()
        model.forecast(values, MONDAY)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def score_table(title: str, cases: list[Case]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("series", "hours", "method"):
        table.add_column(column)
    for column in ("MAE", "MASE", "naive MAE", "naive MASE", "MASE ratio", "coverage"):
        table.add_column(column, justify="right")
    table.add_column("fit s", justify="right")
    table.add_column("backtest s", justify="right")
    for case in cases:
        started = time.perf_counter()
        result = model.backtest(case.values)
        backtest_time = time.perf_counter() - started
        method = model.method_for(len(case.values)).value
        if result is None:
            table.add_row(case.name, str(len(case.values)), method, *["-"] * 8)
            continue
        ratio = (
            f"{result.model.mase / result.naive.mase:.3f}"
            if result.model.mase is not None and result.naive.mase
            else "-"
        )
        table.add_row(
            case.name,
            str(len(case.values)),
            method,
            f"{result.model.mae:.3f}",
            _maybe(result.model.mase),
            f"{result.naive.mae:.3f}",
            _maybe(result.naive.mase),
            ratio,
            f"{result.coverage:.3f}",
            f"{fit_seconds(case.values):.3f}",
            f"{backtest_time:.2f}",
        )
    return table


def _maybe(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def ablation(cases: list[Case]) -> Table:
    """Backtest MASE with the product's MSTL settings against statsmodels' defaults."""
    settings = {
        "product: local means, windows 29/11, jumps 10": (
            model.SEASONAL_WINDOWS,
            model.STL_OPTIONS,
        ),
        "local means, windows 29/11, no jumps": (model.SEASONAL_WINDOWS, {"seasonal_deg": 0}),
        "statsmodels defaults: local lines, windows 11/15": ((11, 15), {}),
    }
    table = Table(title="MSTL settings (backtest MASE; naive in the last column)")
    table.add_column("series")
    for name in settings:
        table.add_column(name, justify="right")
    table.add_column("naive", justify="right")
    for case in cases:
        row = [case.name]
        naive = None
        for windows, options in settings.values():
            with stl_settings(windows, options):
                result = model.backtest(case.values)
            assert result is not None
            row.append(_maybe(result.model.mase))
            naive = result.naive.mase
        table.add_row(*row, _maybe(naive))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, action="append", default=[], help="a CSV to add")
    parser.add_argument("--ablation", action="store_true", help="also compare MSTL settings")
    arguments = parser.parse_args()

    synthetic_set = synthetic_cases()
    console.print(score_table("Synthetic hourly arrivals, eight weeks", synthetic_set))
    real, notes = real_cases(arguments.data)
    for note in notes:
        console.print(note)
    if real:
        console.print(score_table("Real hourly arrivals", real))
    if arguments.ablation:
        console.print(ablation(synthetic_set))


if __name__ == "__main__":
    main()
