"""Several OS processes race to accept offers, resolve tickets and run jobs on PostgreSQL.

Every worker process builds its own engine on a database made for this test (real commits, no
rolled-back transaction), then, until no work is left: accepts pending offers as their experts,
replies to and resolves the tickets it won, resolves tickets other processes won (so two
processes resolve one ticket at once), runs due jobs and enqueues duplicate payment jobs.
Afterwards SQL proves that no ticket was assigned twice, no expert was ever over capacity and
every resolution was paid exactly once.

Nothing here depends on how fast the machine is: the workers stop when no work is left (a
bound on iterations, not on seconds, catches a livelock), and the parent waits for their
reports however long they take, failing at once if a worker process dies.
"""

import multiprocessing
import queue
import random
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import TypeVar

import pytest
from sqlalchemy import and_, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gigcx import tasks
from gigcx.audit.models import AuditEvent
from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.db.session import make_engine, unit_of_work
from gigcx.errors import DomainError
from gigcx.experts.models import ExpertCapacity
from gigcx.jobs import runner
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import (
    EXPERT_WORKING_STATUSES,
    AssignmentEnd,
    OfferStatus,
    TicketStatus,
)
from gigcx.tickets.models import Assignment, Offer, Ticket
from tests.factories.brands import COMPLEXITIES, make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket

assert tasks  # registers job handlers, in the worker processes too

WORKERS = 8
TICKETS = 300
EXPERTS = 20
# Far above what a run needs (each iteration accepts up to three offers): only a livelock
# reaches it.
MAX_ITERATIONS = 2_000
POLL_SECONDS = 0.5
DUPLICATE_PAY_JOBS_PER_WORKER = 6
# The factory's rate card (tests/factories/brands.py), restated so the ledger is checked
# against numbers the payment code did not compute.
RATES = {"low": Decimal("2.00"), "medium": Decimal("3.50"), "high": Decimal("6.00")}
DEADLOCK = "40P01"

T = TypeVar("T")


@dataclass
class WorkerReport:
    worker: int
    accepts_won: int = 0
    accepts_lost: int = 0
    resolves_won: int = 0
    resolves_lost: int = 0
    conflicts: Counter[str] = field(default_factory=Counter)
    database_errors: Counter[str] = field(default_factory=Counter)
    jobs_done: int = 0
    jobs_failed: int = 0
    duplicate_pay_jobs: int = 0
    capacity_samples: int = 0
    most_experts_full: int = 0
    over_capacity: list[str] = field(default_factory=list)
    iterations: int = 0
    stopped: str = ""
    error: str | None = None


@dataclass(frozen=True)
class Seeded:
    complexities: dict[uuid.UUID, str]
    capacities: dict[uuid.UUID, int]
    offered_at_seed: int


# --- the worker process ---------------------------------------------------------------------


def as_expert(expert_id: uuid.UUID) -> Principal:
    return Principal(role=Role.EXPERT, expert_id=expert_id)


def attempt(
    factory: sessionmaker[Session],
    report: WorkerReport,
    kind: str,
    operation: Callable[[Session], T],
) -> tuple[T | None, str | None]:
    """Run one use case in its own unit of work; count an expected conflict or a database error."""
    try:
        with unit_of_work(factory) as session:
            return operation(session), None
    except DomainError as error:
        report.conflicts[f"{kind}: {type(error).__name__}"] += 1
        return None, "conflict"
    except DBAPIError as error:
        code = getattr(error.orig, "sqlstate", None) or type(error.orig).__name__
        report.database_errors[f"{kind}: {code}"] += 1
        return None, "database"


def is_idle(factory: sessionmaker[Session]) -> bool:
    """No pending offer, no ticket being worked, no due job: in one snapshot, so nothing is left."""
    pending = (
        select(func.count())
        .select_from(Offer)
        .where(Offer.status == OfferStatus.PENDING)
        .scalar_subquery()
    )
    working = (
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.status.in_(list(EXPERT_WORKING_STATUSES)))
        .scalar_subquery()
    )
    due = (
        select(func.count())
        .select_from(Job)
        .where(Job.status == JobStatus.QUEUED, Job.run_at <= clock.now())
        .scalar_subquery()
    )
    with factory() as session:
        return tuple(session.execute(select(pending, working, due)).one()) == (0, 0, 0)


def sample_capacity(factory: sessionmaker[Session], report: WorkerReport) -> None:
    """Read every expert's open assignments against their capacity, in one statement."""
    open_counts = (
        select(Assignment.expert_id, Assignment.channel, func.count().label("working"))
        .where(Assignment.ended_at.is_(None))
        .group_by(Assignment.expert_id, Assignment.channel)
        .subquery()
    )
    statement = select(
        open_counts.c.expert_id, open_counts.c.working, ExpertCapacity.max_concurrent
    ).join(
        ExpertCapacity,
        and_(
            ExpertCapacity.expert_id == open_counts.c.expert_id,
            ExpertCapacity.channel == open_counts.c.channel,
        ),
    )
    with factory() as session:
        rows = session.execute(statement).all()
    report.capacity_samples += 1
    full = sum(1 for _, working, capacity in rows if working == capacity)
    report.most_experts_full = max(report.most_experts_full, full)
    report.over_capacity += [
        f"expert {expert_id}: {working} open > capacity {capacity}"
        for expert_id, working, capacity in rows
        if working > capacity
    ]


def accept_some(
    factory: sessionmaker[Session], report: WorkerReport, owned: dict[uuid.UUID, uuid.UUID]
) -> None:
    """Try to accept a few random pending offers, each as its (distinct) expert."""
    statement = (
        select(Offer.id, Offer.expert_id)
        .where(Offer.status == OfferStatus.PENDING)
        .order_by(func.random())
        .limit(8)
    )
    with factory() as session:
        rows = session.execute(statement).all()
    experts: set[uuid.UUID] = set()
    for offer_id, expert_id in rows:
        if expert_id in experts or len(experts) == 3:
            continue
        experts.add(expert_id)
        ticket_id, _ = attempt(factory, report, "accept", accept_as(as_expert(expert_id), offer_id))
        if ticket_id is None:
            report.accepts_lost += 1
        else:
            report.accepts_won += 1
            owned[ticket_id] = expert_id


def accept_as(principal: Principal, offer_id: uuid.UUID) -> Callable[[Session], uuid.UUID]:
    def accept(session: Session) -> uuid.UUID:
        return routing_service.accept_offer(session, principal, offer_id).ticket_id

    return accept


def reply_as(principal: Principal, ticket_id: uuid.UUID) -> Callable[[Session], uuid.UUID]:
    def reply(session: Session) -> uuid.UUID:
        body = "I have refunded the second charge; it shows within five days."
        return tickets_service.reply(session, principal, ticket_id, body, is_internal=False).id

    return reply


def resolve_as(principal: Principal, ticket_id: uuid.UUID) -> Callable[[Session], str]:
    def resolve_ticket(session: Session) -> str:
        return tickets_service.resolve(session, principal, ticket_id).status

    return resolve_ticket


def resolve(
    factory: sessionmaker[Session], report: WorkerReport, ticket_id: uuid.UUID, expert_id: uuid.UUID
) -> bool:
    """Reply and resolve as the expert; return False only if a database error asks for a retry."""
    principal = as_expert(expert_id)
    attempt(factory, report, "reply", reply_as(principal, ticket_id))
    status, failure = attempt(factory, report, "resolve", resolve_as(principal, ticket_id))
    if status is None:
        report.resolves_lost += 1
    else:
        report.resolves_won += 1
    return failure != "database"


def work_owned(
    factory: sessionmaker[Session],
    report: WorkerReport,
    rng: random.Random,
    owned: dict[uuid.UUID, uuid.UUID],
) -> None:
    """Resolve about half of the tickets this process won; the rest keep the experts busy."""
    for ticket_id, expert_id in list(owned.items()):
        if rng.random() < 0.5 and resolve(factory, report, ticket_id, expert_id):
            del owned[ticket_id]


def resolve_someone_elses(factory: sessionmaker[Session], report: WorkerReport) -> None:
    """Resolve a random assigned ticket as its assignee, racing the process that won it."""
    statement = (
        select(Ticket.id, Ticket.assignee_id)
        .where(Ticket.status == TicketStatus.ASSIGNED)
        .order_by(func.random())
        .limit(1)
    )
    with factory() as session:
        row = session.execute(statement).first()
    if row is not None and row.assignee_id is not None:
        resolve(factory, report, row.id, row.assignee_id)


def run_jobs(factory: sessionmaker[Session], report: WorkerReport, *, at_most: int) -> None:
    for _ in range(at_most):
        try:
            outcome = runner.run_next(factory)
        except DBAPIError as error:
            code = getattr(error.orig, "sqlstate", None) or type(error.orig).__name__
            report.database_errors[f"job runner: {code}"] += 1
            continue
        if outcome is None:
            return
        if outcome:
            report.jobs_done += 1
        else:
            report.jobs_failed += 1


def enqueue_duplicate_pay(
    factory: sessionmaker[Session], report: WorkerReport, duplicated: set[uuid.UUID]
) -> None:
    """Enqueue a second payments.pay_resolution for a resolved ticket: it must pay nothing."""
    statement = (
        select(Assignment.ticket_id, Assignment.expert_id)
        .where(Assignment.end_reason == AssignmentEnd.RESOLVED)
        .order_by(func.random())
        .limit(1)
    )
    with unit_of_work(factory) as session:
        row = session.execute(statement).first()
        if row is None or row.ticket_id in duplicated:
            return
        payload = {"ticket_id": str(row.ticket_id), "expert_id": str(row.expert_id)}
        jobs_service.enqueue(session, "payments.pay_resolution", payload)
    duplicated.add(row.ticket_id)
    report.duplicate_pay_jobs += 1


def race(factory: sessionmaker[Session], report: WorkerReport, rng: random.Random) -> None:
    owned: dict[uuid.UUID, uuid.UUID] = {}
    duplicated: set[uuid.UUID] = set()
    while True:
        if is_idle(factory):
            report.stopped = "no work left"
            return
        if report.iterations >= MAX_ITERATIONS:
            report.stopped = f"{MAX_ITERATIONS} iterations"
            return
        report.iterations += 1
        sample_capacity(factory, report)
        accept_some(factory, report, owned)
        work_owned(factory, report, rng, owned)
        if rng.random() < 0.3:
            resolve_someone_elses(factory, report)
        run_jobs(factory, report, at_most=3)
        if rng.random() < 0.15 and report.duplicate_pay_jobs < DUPLICATE_PAY_JOBS_PER_WORKER:
            enqueue_duplicate_pay(factory, report, duplicated)


def race_worker(url: str, worker: int, barrier: Barrier, reports: "Queue[WorkerReport]") -> None:
    """The body of one OS process: its own engine, then the race, then its report."""
    report = WorkerReport(worker)
    engine = make_engine(url, pool_size=2)
    try:
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        barrier.wait()  # the parent breaks it if a worker dies before getting here
        race(factory, report, random.Random(worker))
    except BaseException:
        report.error = traceback.format_exc()
    finally:
        engine.dispose()
        reports.put(report)


# --- the test -------------------------------------------------------------------------------


def seed(factory: sessionmaker[Session]) -> Seeded:
    """One brand, one program offering each ticket to three experts, 300 routed tickets."""
    with unit_of_work(factory) as session:
        program = make_program(
            session,
            make_brand(session),
            offers_at_once=3,
            max_offers=50,
            offer_ttl_seconds=3600,
            max_wait_seconds=24 * 3600,
            first_response_seconds=24 * 3600,
        )
        experts = [
            make_expert(session, programs=[program], capacity={"chat": 2 + n % 2})
            for n in range(EXPERTS)
        ]
        tickets = [
            make_ticket(session, program, complexity=COMPLEXITIES[n % len(COMPLEXITIES)])
            for n in range(TICKETS)
        ]
        return Seeded(
            complexities={t.id: t.complexity for t in tickets},
            capacities={e.id: 2 + n % 2 for n, e in enumerate(experts)},
            offered_at_seed=sum(1 for t in tickets if t.status == TicketStatus.OFFERED),
        )


def run_workers(url: str) -> list[WorkerReport]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    reports: Queue[WorkerReport] = context.Queue()
    processes = [
        context.Process(target=race_worker, args=(url, worker, barrier, reports))
        for worker in range(WORKERS)
    ]
    for process in processes:
        process.start()
    try:
        collected = collect_reports(processes, reports, barrier)
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
    assert [p.exitcode for p in processes] == [0] * WORKERS
    return sorted(collected, key=lambda r: r.worker)


def collect_reports(
    processes: Sequence[BaseProcess], reports: "Queue[WorkerReport]", barrier: Barrier
) -> list[WorkerReport]:
    """Every worker's report, however long the race takes; fail as soon as a worker dies."""
    collected: list[WorkerReport] = []
    while len(collected) < len(processes):
        try:
            collected.append(reports.get(timeout=POLL_SECONDS))
            continue
        except queue.Empty:
            pass
        died = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
        if died:
            barrier.abort()
            pytest.fail(f"a worker process died (exit codes {died}) before reporting")
    return collected


def peak_overlaps(session: Session) -> dict[uuid.UUID, int]:
    """The most assignments each expert held at any one instant, from started_at and ended_at."""
    rows = session.execute(
        select(Assignment.expert_id, Assignment.started_at, Assignment.ended_at)
    ).all()
    events: dict[uuid.UUID, list[tuple[datetime, int]]] = {}
    for expert_id, started_at, ended_at in rows:
        events.setdefault(expert_id, []).append((started_at, 1))
        if ended_at is not None:
            events[expert_id].append((ended_at, -1))
    peaks: dict[uuid.UUID, int] = {}
    for expert_id, changes in events.items():
        # At the same instant an end counts before a start: a freed slot may be taken at once.
        held = peak = 0
        for _, change in sorted(changes):
            held += change
            peak = max(peak, held)
        peaks[expert_id] = peak
    return peaks


def jobs_done_by_name(session: Session) -> dict[str, int]:
    statement = (
        select(Job.name, func.count())
        .where(Job.status == JobStatus.DONE)
        .group_by(Job.name)
        .order_by(Job.name)
    )
    return {name: n for name, n in session.execute(statement).all()}


def summary(
    reports: list[WorkerReport], seeded: Seeded, seconds: float, jobs_done: dict[str, int]
) -> str:
    conflicts: Counter[str] = Counter()
    database_errors: Counter[str] = Counter()
    for report in reports:
        conflicts.update(report.conflicts)
        database_errors.update(report.database_errors)
    lines = [
        f"race: {WORKERS} processes, {TICKETS} tickets, {EXPERTS} experts, "
        f"{seeded.offered_at_seed} tickets offered at seed, {seconds:.1f} s",
        "worker  iterations  accepts won/lost  resolves won/lost  jobs done/failed  "
        "dup pay jobs  capacity samples  most experts full  stopped",
    ]
    lines += [
        f"{r.worker:>6}  {r.iterations:>10}  {r.accepts_won:>9}/{r.accepts_lost:<6}  "
        f"{r.resolves_won:>10}/{r.resolves_lost:<6}  {r.jobs_done:>9}/{r.jobs_failed:<6}  "
        f"{r.duplicate_pay_jobs:>12}  {r.capacity_samples:>16}  {r.most_experts_full:>17}  "
        f"{r.stopped}"
        for r in reports
    ]
    lines.append("conflicts: " + ", ".join(f"{k} {v}" for k, v in sorted(conflicts.items())))
    lines.append(f"database errors (deadlocks are {DEADLOCK}): {dict(database_errors) or 'none'}")
    lines.append("jobs done: " + ", ".join(f"{k} {v}" for k, v in jobs_done.items()))
    return "\n".join(lines)


@pytest.mark.postgres
def test_racing_processes_assign_once_stay_within_capacity_and_pay_once(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url, pool_size=2)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        # Given 300 routed tickets, each offered to three experts as capacity allows
        seeded = seed(factory)
        # Triage runs once, before the race: the race is about routing and pay
        runner.run_until_idle(factory)

        # When eight processes accept, resolve and run jobs until no work is left
        started = time.monotonic()
        reports = run_workers(committing_database_url)
        seconds = time.monotonic() - started
        with factory() as session:
            print("\n" + summary(reports, seeded, seconds, jobs_done_by_name(session)))

        # Then nothing crashed, every worker ran out of work, and no transaction deadlocked or
        # failed in the database
        assert [r.error for r in reports] == [None] * WORKERS
        assert [r.stopped for r in reports] == ["no work left"] * WORKERS
        database_errors: Counter[str] = Counter()
        for report in reports:
            database_errors.update(report.database_errors)
        assert database_errors == Counter()
        duplicates = sum(r.duplicate_pay_jobs for r in reports)
        with factory() as session:
            assert_assigned_once(session)
            assert_within_capacity(session, reports, seeded)
            assert_resolved_and_paid_once(session, seeded)
            assert_jobs_ran_once_each(session, duplicates, seeded)
    finally:
        engine.dispose()


def assert_assigned_once(session: Session) -> None:
    index = session.execute(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_assignments_open_ticket'")
    ).scalar_one()
    assert index.startswith("CREATE UNIQUE INDEX")
    assert index.endswith("WHERE (ended_at IS NULL)")
    per_ticket = select(Assignment.ticket_id, func.count()).group_by(Assignment.ticket_id)
    assert Counter(n for _, n in session.execute(per_ticket).all()) == Counter({1: TICKETS})
    accepted = select(Offer.ticket_id, func.count()).where(Offer.status == OfferStatus.ACCEPTED)
    accepted = accepted.group_by(Offer.ticket_id)
    assert Counter(n for _, n in session.execute(accepted).all()) == Counter({1: TICKETS})
    pending = select(func.count()).select_from(Offer).where(Offer.status == OfferStatus.PENDING)
    assert session.scalar(pending) == 0


def assert_within_capacity(session: Session, reports: list[WorkerReport], seeded: Seeded) -> None:
    assert [line for r in reports for line in r.over_capacity] == []
    open_now = select(func.count()).select_from(Assignment).where(Assignment.ended_at.is_(None))
    assert session.scalar(open_now) == 0
    peaks = peak_overlaps(session)
    over = {
        e: (peak, seeded.capacities[e]) for e, peak in peaks.items() if peak > seeded.capacities[e]
    }
    assert over == {}


def assert_resolved_and_paid_once(session: Session, seeded: Seeded) -> None:
    statuses = session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all()
    assert dict(statuses) == {TicketStatus.RESOLVED: TICKETS}
    resolved_events = session.scalars(
        select(AuditEvent.data).where(AuditEvent.action == "ticket.status_changed")
    ).all()
    assert sum(1 for data in resolved_events if data["to"] == TicketStatus.RESOLVED) == TICKETS
    resolvers = dict(
        session.execute(
            select(Assignment.ticket_id, Assignment.expert_id).where(
                Assignment.end_reason == AssignmentEnd.RESOLVED
            )
        ).all()
    )
    earnings = session.execute(
        select(Earning.ticket_id, Earning.expert_id, Earning.amount, Earning.kind)
    ).all()
    assert len(earnings) == TICKETS
    assert {kind for *_, kind in earnings} == {EarningKind.TASK}
    paid = {ticket_id: (expert_id, amount) for ticket_id, expert_id, amount, _ in earnings}
    expected = {
        ticket_id: (expert_id, RATES[seeded.complexities[ticket_id]])
        for ticket_id, expert_id in resolvers.items()
    }
    assert paid == expected
    total = sum((amount for _, _, amount, _ in earnings), Decimal(0))
    assert total == sum((RATES[c] for c in seeded.complexities.values()), Decimal(0))


def assert_jobs_ran_once_each(session: Session, duplicates: int, seeded: Seeded) -> None:
    by_status = select(Job.name, Job.status, func.count()).group_by(Job.name, Job.status)
    counts = {(name, status): n for name, status, n in session.execute(by_status).all()}
    assert [key for key in counts if key[1] == JobStatus.DEAD] == []
    errors = select(Job.name, Job.last_error).where(Job.last_error.is_not(None))
    assert session.execute(errors).all() == []
    assert counts[("payments.pay_resolution", JobStatus.DONE)] == TICKETS + duplicates
    # A dispatch after each resolution and for each expert whose offer was rescinded (their
    # seat freed), and one more look for each ticket that intake left queued.
    rescinded = select(func.count()).where(Offer.status == OfferStatus.RESCINDED)
    left_queued = TICKETS - seeded.offered_at_seed
    expected = TICKETS + (session.scalar(rescinded) or 0) + left_queued
    assert counts[("routing.dispatch", JobStatus.DONE)] == expected
    due_left = select(func.count()).select_from(Job)
    due_left = due_left.where(Job.status == JobStatus.QUEUED, Job.run_at <= clock.now())
    assert session.scalar(due_left) == 0
