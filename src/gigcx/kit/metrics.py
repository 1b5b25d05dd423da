"""Counters, gauges and histograms that any layer updates, written out for Prometheus.

A metric is made once, at import, in the module that updates it (``counter``, ``gauge`` and
``histogram`` return the registered one when asked again with the same name), and updated with
its label values. ``render`` writes every metric in the Prometheus text exposition format
(version 0.0.4). Values live in the process: with several server processes each reports its own
requests; what is read from the database (job lag, queue depth) is the same in all of them.
"""

import math
import threading
from collections.abc import Iterable, Sequence
from typing import TypeVar

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Prometheus' default buckets, in seconds.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[str, ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    pairs = [f'{name}="{_escape(value)}"' for name, value in zip(names, values, strict=True)]
    if extra:
        pairs.append(extra)
    return "{" + ",".join(pairs) + "}" if pairs else ""


class Metric:
    kind = ""

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.label_names: Labels = tuple(labels)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> Labels:
        if set(labels) != set(self.label_names):
            raise ValueError(f"{self.name} takes the labels {self.label_names}, not {set(labels)}")
        return tuple(str(labels[name]) for name in self.label_names)

    def samples(self) -> Iterable[str]:
        raise NotImplementedError

    def render(self) -> str:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]
        lines.extend(self.samples())
        return "\n".join(lines) + "\n"


class Counter(Metric):
    """A count that only goes up (since the process started)."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[Labels, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> Iterable[str]:
        with self._lock:
            values = sorted(self._values.items())
        for key, value in values:
            yield f"{self.name}{_labels(self.label_names, key)} {_number(value)}"


class Gauge(Metric):
    """A value that is set: it has no sample until first set (or after ``clear``)."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[Labels, float] = {}

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = float(value)

    def replace(self, values: dict[Labels, float]) -> None:
        """Set every sample at once, dropping label values not given (a fresh reading)."""
        with self._lock:
            self._values = dict(values)

    def clear(self) -> None:
        with self._lock:
            self._values = {}

    def value(self, **labels: str) -> float | None:
        return self._values.get(self._key(labels))

    def samples(self) -> Iterable[str]:
        with self._lock:
            values = sorted(self._values.items())
        for key, value in values:
            yield f"{self.name}{_labels(self.label_names, key)} {_number(value)}"


class Histogram(Metric):
    """Observations counted into cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> None:
        super().__init__(name, help_text, labels)
        self.buckets = tuple(sorted(buckets))
        # Per label values: counts per bucket (not cumulative), then the sum.
        self._counts: dict[Labels, list[int]] = {}
        self._sums: dict[Labels, float] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        index = next((i for i, b in enumerate(self.buckets) if value <= b), len(self.buckets))
        with self._lock:
            counts = self._counts.setdefault(key, [0] * (len(self.buckets) + 1))
            counts[index] += 1
            self._sums[key] = self._sums.get(key, 0.0) + value

    def count(self, **labels: str) -> int:
        return sum(self._counts.get(self._key(labels), []))

    def samples(self) -> Iterable[str]:
        with self._lock:
            rows = sorted(
                (key, list(counts), self._sums[key]) for key, counts in self._counts.items()
            )
        for key, counts, total in rows:
            running = 0
            for bound, count in zip((*self.buckets, math.inf), counts, strict=True):
                running += count
                le = f'le="{_number(bound)}"'
                yield f"{self.name}_bucket{_labels(self.label_names, key, le)} {running}"
            yield f"{self.name}_sum{_labels(self.label_names, key)} {_number(total)}"
            yield f"{self.name}_count{_labels(self.label_names, key)} {running}"


_registry: dict[str, Metric] = {}
_registry_lock = threading.Lock()


M = TypeVar("M", bound=Metric)


def _register(metric: M) -> M:
    with _registry_lock:
        existing = _registry.get(metric.name)
        if existing is None:
            _registry[metric.name] = metric
            return metric
    if type(existing) is not type(metric) or existing.label_names != metric.label_names:
        raise ValueError(f"metric {metric.name} is registered already, differently")
    return existing


def counter(name: str, help_text: str, labels: Sequence[str] = ()) -> Counter:
    return _register(Counter(name, help_text, labels))


def gauge(name: str, help_text: str, labels: Sequence[str] = ()) -> Gauge:
    return _register(Gauge(name, help_text, labels))


def histogram(
    name: str,
    help_text: str,
    labels: Sequence[str] = (),
    buckets: Sequence[float] = DEFAULT_BUCKETS,
) -> Histogram:
    return _register(Histogram(name, help_text, labels, buckets))


def render() -> str:
    """Every registered metric, in the Prometheus text exposition format."""
    with _registry_lock:
        metrics = sorted(_registry.values(), key=lambda metric: metric.name)
    return "".join(metric.render() for metric in metrics)


# Set by each process's change listener (gigcx.db.notify.heard, on PostgreSQL or Redis): now
# minus the commit time that the notification carries.
notification_lag_seconds = gauge(
    "gigcx_notification_lag_seconds",
    "Seconds from a commit to a listener hearing its change notification, as last measured.",
)
