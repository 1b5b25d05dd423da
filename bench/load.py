"""The whole loop under load: the highest ticket rate the production setup sustains.

Starts what production runs, on a scratch PostgreSQL database: ``gigcx serve --processes 2
--no-jobs --no-demo`` and two ``gigcx jobs run``. Seeds a brand, its API key, a program and
``--experts`` available experts (1,000 by default), each signed in with its offer feed open
(``/expert/offers/stream``, pushed on change notifications). Then, step by step, customers
write in at a steady rate (Poisson arrivals, ``POST /api/v1/tickets``); an expert whose feed
shows an offer accepts it, replies and resolves through the API, and the customer rates.

A step passes when intake p99 (from when a ticket was due to its 201) is under 300 ms, offer to
screen p99 (an offer's ``created_at`` to its first showing on the expert's feed; an offer never
shown counts as too slow) is under 1 s, and at most 1% of tickets fail. The search doubles the
rate while steps pass, then halves the gap between the best pass and the lowest failure.
Every process it starts is stopped at the end, also on errors, Ctrl-C and SIGTERM, and the
database is dropped.

    .venv/bin/python bench/load.py                              # ~5 minutes on 2 cores
    .venv/bin/python bench/load.py --rates 2,4,6 --duration 30  # fixed rates, no search
    .venv/bin/python bench/load.py --experts 2000 --start-rate 4 --max-steps 8
"""

import argparse
import asyncio
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from sqlalchemy import text
from sqlalchemy.engine import Engine

import _load_report
from _load_seed import World, seed
from _load_sim import Pace, Simulation, Tally
from _load_stats import Sample, Usage, has_statement_counts, offers_made, sample, usage
from _procs import free_port, start_group, stop_group
from _support import DEFAULT_POSTGRES_URL, postgres_reachable, safe_url, scratch_postgres_database
from gigcx.db.session import make_engine

BENCH_DIR = Path(__file__).resolve().parent
SRC = BENCH_DIR.parent / "src"
INTAKE_P99 = 0.300
SCREEN_P99 = 1.0
MAX_FAILED_SHARE = 0.01
PROGRESS_SECONDS = 5.0


@dataclass
class Cluster:
    base_url: str
    server_pid: int
    runner_pids: list[int]
    logs: list[Path]


def gigcx_command() -> list[str]:
    """The ``gigcx`` console script of this interpreter's environment, as production runs it."""
    script = Path(sys.executable).parent / "gigcx"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gigcx"]


@contextmanager
def cluster(url: str, args: argparse.Namespace, directory: Path) -> Iterator[Cluster]:
    """API processes and job runners on ``url``, each in its own process group; all stopped."""
    port = free_port()
    env = {
        **os.environ,
        "GIGCX_DATABASE_URL": url,
        # Fixed, so nothing is written under the scratch directory's var/.
        "GIGCX_SECRET_KEY": "load-bench-secret-not-for-production",
        "GIGCX_POOL_SIZE": str(args.pool_size),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
    }
    serve = [*gigcx_command(), "serve", "--processes", str(args.processes), "--no-jobs"]
    serve += ["--no-demo", "--host", "127.0.0.1", "--port", str(port)]
    started = []
    logs = [directory / "serve.log"] + [directory / f"runner{n}.log" for n in range(args.runners)]
    try:
        # In the scratch directory: no .env or var/ of the checkout is read or written.
        started.append(start_group(serve, env=env, cwd=directory, log=logs[0]))
        for log in logs[1:]:
            started.append(
                start_group([*gigcx_command(), "jobs", "run"], env=env, cwd=directory, log=log)
            )
        base_url = f"http://127.0.0.1:{port}"
        wait_until_ready(base_url, started, logs)
        yield Cluster(base_url, started[0].pid, [p.pid for p in started[1:]], logs)
    finally:
        for process in reversed(started):
            stop_group(process)


def wait_until_ready(
    base_url: str, processes: list[subprocess.Popen[bytes]], logs: list[Path]
) -> None:
    deadline = time.monotonic() + 180
    with httpx.Client(base_url=base_url, timeout=5) as client:
        while time.monotonic() < deadline:
            for process, log in zip(processes, logs, strict=True):
                if process.poll() is not None:
                    raise RuntimeError(f"{log.name}: exited early\n{log.read_text()[-3000:]}")
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    raise RuntimeError(f"the server was not ready within 180 s:\n{logs[0].read_text()[-3000:]}")


@dataclass
class Step:
    rate: float
    seconds: float
    tally: Tally
    sent: int
    screen: list[float]
    unseen: int
    tickets: int  # sent over the whole step (warm-up and window): what usage is divided by
    before: Sample
    after: Sample

    @property
    def use(self) -> Usage:
        return usage(self.before, self.after)

    @property
    def taken(self) -> int:
        return len(self.tally.intake)

    def passed(self) -> bool:
        intake = _load_report.p99(self.tally.intake)
        screen = _load_report.p99(self.screen + [float("inf")] * self.unseen)
        failed = self.sent - self.taken
        return (
            self.taken > 0
            and intake < INTAKE_P99
            and screen < SCREEN_P99
            and failed <= MAX_FAILED_SHARE * self.sent
        )


class Bench:
    def __init__(self, sim: Simulation, engine: Engine, site: Cluster, args: argparse.Namespace):
        self.sim = sim
        self.engine = engine
        self.site = site
        self.args = args
        self.statements = has_statement_counts(engine)
        self.console = Console(stderr=True)

    async def sample(self) -> Sample:
        return await asyncio.to_thread(
            sample,
            self.engine,
            server_pid=self.site.server_pid,
            runner_pids=self.site.runner_pids,
            statements=self.statements,
        )

    async def step(self, rate: float) -> Step:
        """Warm up, measure a window, drain, let the statistics settle; count what it took."""
        sim, args = self.sim, self.args
        before = await self.sample()
        sim.tally = warm = Tally()
        numbered = sim.sent
        await self.show(rate, "warm-up", sim.arrivals(rate, args.warmup))
        sim.tally = window = Tally()
        start, sent_before = time.time(), sim.sent
        await self.show(rate, "measuring", sim.arrivals(rate, args.duration))
        end, sent = time.time(), sim.sent - sent_before
        sim.tally = Tally()
        await self.show(rate, "draining", self.drain())
        await self.show(rate, "settling", asyncio.sleep(args.settle))
        after = await self.sample()
        offers = await asyncio.to_thread(offers_made, self.engine, start, end)
        screen = [sim.seen[o] - made for o, made in offers if o in sim.seen]
        del warm
        return Step(
            rate=rate,
            seconds=end - start,
            tally=window,
            sent=sent,
            screen=screen,
            unseen=len(offers) - len(screen),
            tickets=sim.sent - numbered,
            before=before,
            after=after,
        )

    async def drain(self) -> None:
        """Until every ticket sent was answered and every offer worked, or ``--drain`` s."""
        deadline = time.monotonic() + self.args.drain
        while self.sim.busy() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)

    async def show(self, rate: float, phase: str, work: Awaitable[object]) -> None:
        """Run ``work`` with a progress line beneath it."""
        task = asyncio.ensure_future(work)
        if not self.console.is_terminal:  # a log: a line every few seconds
            while not task.done():
                await asyncio.wait([task], timeout=PROGRESS_SECONDS)
                line = _load_report.progress_line(self.sim, rate, phase)
                self.console.print(line, markup=False)
            task.result()
            return
        with self.console.status("") as status:
            while not task.done():
                status.update(_load_report.progress_line(self.sim, rate, phase))
                await asyncio.wait([task], timeout=1.0)
        task.result()

    async def idle(self) -> Usage:
        """What the setup uses with every feed open and no tickets coming in."""
        await self.show(0, "settling", asyncio.sleep(self.args.settle))
        before = await self.sample()
        await self.show(0, "idle", asyncio.sleep(self.args.idle))
        return usage(before, await self.sample())

    async def search(self) -> list[Step]:
        args = self.args
        rates = [float(r) for r in args.rates.split(",")] if args.rates else []
        steps: list[Step] = []
        best, worst = 0.0, float("inf")
        rate = rates[0] if rates else args.start_rate
        for number in range(len(rates) or args.max_steps):
            result = await self.step(rate)
            steps.append(result)
            verdict = "passed" if result.passed() else "missed"
            self.console.print(_load_report.step_line(result, verdict), markup=False)
            if rates:
                rate = rates[min(number + 1, len(rates) - 1)]
                continue
            if result.passed():
                best = max(best, rate)
            else:
                worst = min(worst, rate)
            if worst == float("inf"):
                rate = rate * 2
            elif worst / max(best, 1e-9) <= 1 + args.precision:
                break
            else:
                rate = (best + worst) / 2 if best else worst / 2
        return steps


async def run(
    world: World, site: Cluster, engine: Engine, args: argparse.Namespace
) -> tuple[Usage | None, list[Step]]:
    address = httpx.URL(site.base_url)
    sim = Simulation(
        world, address.host, address.port or 80, pace=Pace(), rng=random.Random(args.seed)
    )
    bench = Bench(sim, engine, site, args)
    try:
        began = time.monotonic()
        with bench.console.status("") as status:
            await sim.connect_feeds(
                args.feed_batch,
                lambda n: status.update(f"offer feeds open: {n} of {len(world.experts)}"),
            )
        took = time.monotonic() - began
        line = f"{len(sim.connected)} expert feeds open ({args.feed_batch} at a time, {took:.1f} s)"
        bench.console.print(line, markup=False)
        idle = await bench.idle() if args.idle else None
        return idle, await bench.search()
    finally:
        await sim.stop()


def connection_headroom(engine: Engine, args: argparse.Namespace) -> str | None:
    """A warning when the processes may open more connections than PostgreSQL has left."""
    with engine.connect() as connection:
        limit = int(connection.execute(text("SHOW max_connections")).scalar_one())
        used = int(connection.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one())
    wanted = (args.processes + args.runners) * 2 * args.pool_size
    if wanted <= limit - used:
        return None
    return (
        f"note: the processes may open {wanted} connections and PostgreSQL has "
        f"{limit - used} of {limit} left: past that, requests fail ('too many clients')"
    )


def raise_open_files_limit() -> None:
    """Every feed is a socket here and in a server process (they inherit the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The whole ticket loop under load on PostgreSQL.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--database-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--bench-database", default="gigcx_load_bench")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--experts", type=int, default=1000, help="experts with a feed open")
    parser.add_argument("--processes", type=int, default=2, help="API processes")
    parser.add_argument("--runners", type=int, default=2, help="job runners")
    parser.add_argument("--pool-size", type=int, default=20, help="GIGCX_POOL_SIZE per process")
    parser.add_argument("--rates", default="", help="fixed tickets/s, comma-separated (no search)")
    parser.add_argument("--start-rate", type=float, default=1.0, help="first rate of the search")
    parser.add_argument("--max-steps", type=int, default=5, help="steps of the search at most")
    parser.add_argument("--precision", type=float, default=0.25, help="stop when fail/pass <= 1+p")
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds per step")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before each window")
    parser.add_argument("--drain", type=float, default=20.0, help="most seconds to drain")
    parser.add_argument(
        "--settle", type=float, default=11.0, help="seconds for PostgreSQL's counters to settle"
    )
    parser.add_argument(
        "--idle", type=float, default=10.0, help="seconds measured idle first (0: none)"
    )
    parser.add_argument("--feed-batch", type=int, default=50, help="feeds opened at a time")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(width=160) if not sys.stdout.isatty() else Console()
    problem = postgres_reachable(args.database_url)
    if problem is not None:
        print(f"skipped: PostgreSQL at {safe_url(args.database_url)} unreachable: {problem}")
        return 0
    # A SIGTERM unwinds like Ctrl-C: every process is stopped and the database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Set explicitly: a shell starts background commands with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    raise_open_files_limit()
    load_before = os.getloadavg()
    with (
        scratch_postgres_database(
            args.database_url, args.bench_database, keep=args.keep_database
        ) as url,
        tempfile.TemporaryDirectory(prefix="gigcx-load-") as directory,
    ):
        console.print(f"seeding {args.experts} experts on {args.bench_database} ...")
        world = seed(url, experts=args.experts, rng=random.Random(args.seed))
        engine = make_engine(url, pool_size=2)
        try:
            warning = connection_headroom(engine, args)
            if warning:
                console.print(warning, markup=False)
            with cluster(url, args, Path(directory)) as site:
                console.print(f"{args.processes} API processes and {args.runners} job runners up")
                idle, steps = asyncio.run(run(world, site, engine, args))
                notable = _load_report.notable_log_lines(site.logs)
        finally:
            engine.dispose()
    _load_report.print_tables(console, steps, args, load_before, os.getloadavg())
    if idle is not None:
        console.print(_load_report.idle_line(idle, args.experts), markup=False)
    if notable:
        console.print("notable lines in the server and runner logs (last 20):", markup=False)
        console.print("\n".join(notable[-20:]), markup=False)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: every process it started is stopped, the database dropped")
        sys.exit(130)
