"""The rounds bench/intake.py measures, and the tables it prints of them."""

import math
import os
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.table import Table

import _intake_runner
from _support import ms, summarize

TARGET_RATIO = 0.5
LABELS = {
    "insert": "POST /bench/insert (1 row)",
    "tickets": "POST /api/v1/tickets, routed in the request",
    "async": "POST /api/v1/tickets, Prefer: respond-async (runner routes)",
}


@dataclass
class Round:
    endpoint: str
    number: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    # CPU seconds used inside the measured window
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    db_cpu: float = 0.0
    runner_cpu: float = 0.0
    per_worker: Counter[int] = field(default_factory=Counter)
    # SQL statements per answered request of this round's path (server), and the runners'
    statements: float = float("nan")
    runner_statements: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    offers: _intake_runner.Offers | None = None
    drain_seconds: float = 0.0

    @property
    def ok(self) -> int:
        return self.outcomes["ok"]

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    @property
    def offered_rate(self) -> float:
        """Tickets of the round offered per second, counting the drain after it: what the
        machine took in and routed, end to end."""
        offered = len(self.offers.waits) if self.offers else 0
        return offered / (self.seconds + self.drain_seconds)

    def cpu_ms_per_ok(self, seconds: float) -> str:
        return f"{seconds / self.ok * 1000:.2f}" if self.ok else "-"

    @property
    def cpu_per_ok(self) -> float:
        """CPU seconds of server, runners and database per accepted request."""
        return (self.server_cpu + self.runner_cpu + self.db_cpu) / max(self.ok, 1)

    @property
    def runner_statements_per_ticket(self) -> float:
        routed = self.offers.routed_in_window if self.offers else 0
        taken = sum(self.offers.statuses.values()) if self.offers else 0
        return self.runner_statements / taken if taken and routed else 0.0

    def waits(self) -> tuple[float, float]:
        if self.offers is None or not self.offers.waits:
            return math.nan, math.nan
        s = summarize(self.offers.waits)
        return s.p50, s.p99

    def not_offered(self) -> str:
        if self.offers is None:
            return "-"
        others = {k: v for k, v in self.offers.statuses.items() if k != "offered"}
        return ", ".join(f"{k} {v}" for k, v in sorted(others.items())) or "-"


def render(rounds: list[Round], args: Any) -> Table:
    table = Table(
        title=(
            f"Intake over HTTP on PostgreSQL: {args.workers} uvicorn workers ({args.server}), "
            f"{args.runners} job runner(s), {args.concurrency} requests in flight, "
            f"{args.duration:g} s per round (latency in ms)"
        ),
        caption=(
            f"The client (this process: asyncio, raw HTTP/1.1), the {args.workers} server workers, "
            f"the job runners and PostgreSQL all share this machine's {os.cpu_count()} cores. "
            "cores = CPU busy in the window (1.00 = one core); cpu ms/ok = CPU per accepted "
            "request; stmts = SQL statements per request in the server (+ per ticket in the "
            "runners); to offer = a ticket's intake to its first offer (database times); "
            "drain s = waiting after the round for the runners to route what it took in; "
            "conns = client connections per server worker. Noisy machine: read medians and ratios."
        ),
    )
    headers = ("endpoint", "round", "ok", "ok/s", "p50", "p99", "other outcomes", "conns")
    extra = (
        "cores client/server/runner/db",
        "cpu ms/ok server+runner+db",
        "stmts",
        "to offer p50/p99",
        "not offered",
        "drain s",
    )
    for header in (*headers, *extra):
        left = header in {"endpoint", "other outcomes", "not offered"}
        table.add_column(header, justify="left" if left else "right")
    for result in rounds:
        s = summarize(result.latencies)
        others = ", ".join(f"{k} {v}" for k, v in sorted(result.outcomes.items()) if k != "ok")
        cores = (result.client_cpu, result.server_cpu, result.runner_cpu, result.db_cpu)
        cpus = (result.server_cpu, result.runner_cpu, result.db_cpu)
        p50, p99 = result.waits()
        runner_share = result.runner_statements_per_ticket
        table.add_row(
            result.endpoint,
            str(result.number),
            str(result.ok),
            f"{result.rate:.1f}",
            ms(s.p50),
            ms(s.p99),
            others or "-",
            "+".join(str(n) for _, n in sorted(result.per_worker.items())),
            "/".join(f"{c / result.seconds:.2f}" for c in cores),
            "+".join(result.cpu_ms_per_ok(c) for c in cpus),
            f"{result.statements:.1f}" + (f"+{runner_share:.1f}" if runner_share else ""),
            "-" if math.isnan(p50) else f"{ms(p50)}/{ms(p99)}",
            result.not_offered(),
            f"{result.drain_seconds:.1f}" if result.endpoint != "insert" else "-",
        )
    return table


def summary_table(rounds: list[Round]) -> Table:
    table = Table(title="Summary (median over rounds)")
    headers = (
        "endpoint",
        "ok/s",
        "p50 ms",
        "p99 ms",
        "cpu ms/ok (server+runner+db)",
        "statements (server+runner)",
        "to offer p50/p99 ms",
    )
    for header in headers:
        table.add_column(header, justify="left" if header == "endpoint" else "right")
    rates: dict[str, float] = {}
    for endpoint, label in LABELS.items():
        mine = [r for r in rounds if r.endpoint == endpoint]
        if not mine:
            continue
        rates[endpoint] = statistics.median(r.rate for r in mine)
        waits = [r.waits() for r in mine if not math.isnan(r.waits()[0])]
        table.add_row(
            label,
            f"{rates[endpoint]:.1f}",
            ms(statistics.median(summarize(r.latencies).p50 for r in mine)),
            ms(statistics.median(summarize(r.latencies).p99 for r in mine)),
            ms(statistics.median(r.cpu_per_ok for r in mine)),
            f"{statistics.median(r.statements for r in mine):.1f}"
            + (
                f"+{statistics.median(r.runner_statements_per_ticket for r in mine):.1f}"
                if endpoint == "async"
                else ""
            ),
            f"{ms(statistics.median(w[0] for w in waits))}/"
            f"{ms(statistics.median(w[1] for w in waits))}"
            if waits
            else "-",
        )
    if rates.get("insert"):
        table.add_section()
        for endpoint in ("tickets", "async"):
            if endpoint not in rates:
                continue
            ratio = rates[endpoint] / rates["insert"]
            verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
            table.add_row(
                f"{endpoint} / insert (target >= {TARGET_RATIO:.0%}: {verdict})",
                f"{ratio:.1%}",
                *[""] * (len(headers) - 2),
            )
        asynchronous = [r for r in rounds if r.endpoint == "async" and r.offers is not None]
        if asynchronous:
            offered = statistics.median(r.offered_rate for r in asynchronous)
            table.add_row(
                "async offered per s over round + drain / insert (end to end)",
                f"{offered / rates['insert']:.1%}",
                f"{offered:.1f}/s",
                *[""] * (len(headers) - 3),
            )
    return table
