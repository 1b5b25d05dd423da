"""The demo's simulated experts and customers keep a seeded demo moving, and nothing else."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from gigcx import server
from gigcx.assist import service as assist_service
from gigcx.assist.schemas import AssistSettingsUpdate
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Brand, Program, Rate
from gigcx.cli.main import app
from gigcx.config import get_settings
from gigcx.db import migrate
from gigcx.db.session import get_engine, get_sessionmaker, make_engine
from gigcx.demo import content, simulation
from gigcx.demo import tasks as demo_tasks
from gigcx.demo.seed import seed_demo
from gigcx.experts.enums import Presence
from gigcx.experts.models import Expert
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.payments.models import Earning
from gigcx.privacy import scrub
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, OfferStatus, TicketStatus
from gigcx.tickets.models import Message, Offer, Ticket
from gigcx.tickets.schemas import TicketCreate
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs

SEEDED_AT = datetime(2026, 11, 18, 15, 45, tzinfo=UTC)  # a Wednesday afternoon
SEED = 1
ANSWER_SEED = 2  # a run in which neither of the test's two customers is escalated
# The test's steps are not a divisor of the programs' offer deadlines (120, 150, 180 s) or of
# the simulation's waits, so no step falls on a deadline.
STEP = timedelta(seconds=27)
STEPS = 50  # 22.5 minutes


@pytest.fixture(scope="module")
def seeded_connection(engine: Engine) -> Iterator[Connection]:
    """The demo, seeded once for the module, in a transaction rolled back after it."""
    with engine.connect() as connection:
        transaction = connection.begin()
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        with clock.travel_to(SEEDED_AT), factory() as session:
            seed_demo(session, experts=10, tickets=0, seed=11)
            session.commit()
        yield connection
        transaction.rollback()


@pytest.fixture
def connection(seeded_connection: Connection) -> Iterator[Connection]:
    """Each test starts from the seeded demo and leaves it as it found it."""
    savepoint = seeded_connection.begin_nested()
    yield seeded_connection
    savepoint.rollback()


def simulate_for(factory: sessionmaker[Session], steps: int, *, first: int = 1) -> None:
    """Let the job runner run what is due at each step (the simulation every 20 s among it)."""
    for step in range(first, first + steps):
        with clock.travel_to(SEEDED_AT + step * STEP):
            run_jobs(factory)


def demo_tickets(session: Session) -> list[Ticket]:
    demo = select(Brand.id).where(Brand.is_demo.is_(True))
    statement = select(Ticket).where(Ticket.brand_id.in_(demo)).order_by(Ticket.created_at)
    return list(session.scalars(statement))


def statuses(tickets: list[Ticket]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ticket in tickets:
        counts[str(ticket.status)] = counts.get(str(ticket.status), 0) + 1
    return dict(sorted(counts.items()))


def demo_program(session: Session, slug: str) -> Program:
    return session.scalars(select(Program).where(Program.slug == slug)).one()


def write_in(session: Session, program: Program, category: str, body: str, name: str) -> Ticket:
    """A customer writes in on the program's contact page (routing waits for triage)."""
    customer = Principal(role=Role.CUSTOMER, brand_id=program.brand_id)
    data = TicketCreate.model_validate(
        {
            "program_id": program.id,
            "customer": {"email": f"{name.lower()}@example.org", "name": f"{name} Example"},
            "language": "en",
            "category": category,
            "body": body,
            "channel": "chat",
        }
    )
    ticket, _ = tickets_service.create_ticket(
        session, customer, data, idempotency_key=None, route_after_triage=True
    )
    return ticket


def conversation(session: Session, ticket: Ticket) -> list[tuple[str, str]]:
    messages = session.scalars(
        select(Message).where(Message.ticket_id == ticket.id).order_by(Message.created_at)
    )
    return [(str(m.author_kind), m.body) for m in messages]


def snapshot(session: Session) -> dict[str, object]:
    """Everything the simulation can change, counted."""

    def grouped(column: Any) -> list[tuple[Any, ...]]:
        rows = session.execute(select(column, func.count()).group_by(column).order_by(column))
        return [tuple(row) for row in rows]

    return {
        "tickets": grouped(Ticket.status),
        "offers": grouped(Offer.status),
        "messages": grouped(Message.author_kind),
        "presence": grouped(Expert.presence),
        "earnings": session.scalar(select(func.count()).select_from(Earning)),
    }


def test_the_seed_marks_its_brands_as_demo_brands(session: Session) -> None:
    brands = session.execute(select(Brand.slug, Brand.is_demo).order_by(Brand.slug)).all()

    assert [tuple(row) for row in brands] == [("alpenglow", True), ("lumen", True)]


def test_demo_experts_accept_decline_answer_and_resolve_and_are_paid_per_the_rate_card(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # given the seeded demo with no tickets yet, and the simulation queued
    with clock.travel_to(SEEDED_AT):
        demo_tasks.schedule_simulation(session, seed=SEED)
        session.commit()

    # when the job runner runs for 22 minutes
    simulate_for(factory, STEPS)

    # then customers wrote in; experts accepted, declined or let offers lapse, answered and
    # resolved; the bot answered some; the in-house team got the rest
    tickets = demo_tickets(session)
    offers = session.execute(
        select(Offer.status, func.count()).group_by(Offer.status).order_by(Offer.status)
    ).all()
    replies = session.scalar(
        select(func.count()).select_from(Message).where(Message.author_kind == AuthorKind.EXPERT)
    )
    bot_answers = session.scalar(
        select(func.count()).select_from(Message).where(Message.author_kind == AuthorKind.BOT)
    )
    assert statuses(tickets) == {"assigned": 1, "escalated": 8, "resolved": 10}
    assert [tuple(row) for row in offers] == [("accepted", 6), ("declined", 1), ("expired", 1)]
    assert (replies, bot_answers) == (10, 5)
    # and each resolution by an expert is paid once, at the rate card's line
    resolved = [t for t in tickets if t.status == TicketStatus.RESOLVED and t.last_expert_id]
    earnings = session.execute(select(Earning.ticket_id, Earning.expert_id, Earning.amount)).all()
    assert len(resolved) == 5
    assert sorted((row[0], row[1], row[2]) for row in earnings) == sorted(
        (t.id, t.last_expert_id, rate_for(session, t)) for t in resolved
    )
    # and the simulation keeps its schedule: one next run, 20 s after the last
    queued = session.scalars(
        select(Job).where(Job.name == demo_tasks.SIMULATE_JOB, Job.status == JobStatus.QUEUED)
    ).all()
    assert [job.payload for job in queued] == [{"seed": SEED, "run": STEPS + 1}]


def test_experts_answer_with_the_approved_answer_else_hold_then_solve(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # given the demo with the bot off, and two customers who write in: one about returns (an
    # approved answer exists in English), one asking for advice (none does)
    program = demo_program(session, "gear-help")
    assist_service.update_settings(
        session, SYSTEM, program.id, AssistSettingsUpdate(is_bot_enabled=False)
    )
    with clock.travel_to(SEEDED_AT):
        returns = write_in(
            session,
            program,
            "returns-exchanges",
            "The jacket is too small, how do I send it back for a refund?",
            "Dana",
        )
        advice = write_in(
            session,
            program,
            "product-advice",
            "Which tent would you pick for two people on a windy coast in spring?",
            "Ezra",
        )
        demo_tasks.schedule_simulation(session, seed=ANSWER_SEED)
        session.commit()

    # when the job runner runs for 13 minutes
    simulate_for(factory, 30)

    # then both were resolved by the expert who held them, in the words the program approved
    session.refresh(returns)
    session.refresh(advice)
    approved = assist_service.bot_answer_for(session, program.id, "returns-exchanges", "en")
    assert approved is not None
    assert (returns.status, advice.status) == (TicketStatus.RESOLVED, TicketStatus.RESOLVED)
    assert conversation(session, returns) == [
        ("customer", "The jacket is too small, how do I send it back for a refund?"),
        ("expert", scrub.fill_customer_name(approved.body, "Dana")),
    ]
    expert = session.get_one(Expert, advice.last_expert_id)
    holding = {
        text.format(name="Ezra", expert=expert.display_name.split(" ")[0])
        for text in content.FIRST_REPLIES["en"]
    }
    solutions = {
        text.format(fix=fix)
        for text in content.SOLUTIONS["en"]
        for fix in content.FIXES["product-advice"]
    }
    said = conversation(session, advice)
    assert [author for author, _ in said] == ["customer", "expert", "expert"]
    assert (said[1][1] in holding, said[2][1] in solutions) == (True, True)


def test_the_simulation_never_touches_a_brand_that_is_not_a_demo(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # given a real brand next to the demo: an available expert with a pending offer, another
    # holding a ticket, a third away
    brand = make_brand(session)
    program = make_program(session, brand, offer_ttl_seconds=3600, max_wait_seconds=3600)
    with clock.travel_to(SEEDED_AT):
        holder = make_expert(session, programs=[program])
        held = make_ticket(session, program)
        held_offer = session.scalars(select(Offer).where(Offer.ticket_id == held.id)).one()
        routing_service.accept_offer(session, as_expert(holder), held_offer.id)
        offered_to = make_expert(session, programs=[program])
        offered = make_ticket(session, program)
        away = make_expert(session, programs=[program], presence=Presence.AWAY)
        demo_tasks.schedule_simulation(session, seed=SEED)
        session.commit()
    offer = session.scalars(select(Offer).where(Offer.ticket_id == offered.id)).one()
    before = conversation(session, held), conversation(session, offered)

    # when the simulation runs for 13 minutes
    simulate_for(factory, 30)

    # then the demo moved, and nothing of the other brand did
    session.refresh(offer)
    session.refresh(held)
    session.refresh(away)
    assert len(demo_tickets(session)) == 11
    assert (offer.status, offer.expert_id) == (OfferStatus.PENDING, offered_to.id)
    assert (held.status, held.assignee_id) == (TicketStatus.ASSIGNED, holder.id)
    assert (conversation(session, held), conversation(session, offered)) == before
    assert away.presence == Presence.AWAY
    assert session.scalar(select(func.count()).where(Ticket.brand_id == brand.id)) == 2


def test_an_expert_someone_is_signed_in_as_is_left_to_them(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # given a demo ticket offered to an expert a person has signed in as
    program = demo_program(session, "app-support")
    with clock.travel_to(SEEDED_AT):
        ticket, _ = tickets_service.create_ticket(
            session,
            Principal(role=Role.CUSTOMER, brand_id=program.brand_id),
            TicketCreate.model_validate(
                {
                    "program_id": program.id,
                    "customer": {"email": "flo@example.org", "name": "Flo Example"},
                    "language": "en",
                    "category": "card-payments",
                    "body": "My card was declined at the bakery this morning.",
                    "channel": "chat",
                }
            ),
            idempotency_key=None,
        )
        routing_service.route_locked(session, ticket)
        offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
        user = session.scalars(select(User).where(User.expert_id == offer.expert_id)).one()
        auth_service.issue_token(session, user=user, ttl=timedelta(hours=8))
        demo_tasks.schedule_simulation(session, seed=SEED)
        session.commit()

    # when the simulation runs until just before the offer's deadline
    deadline = offer.expires_at
    steps = int((deadline - SEEDED_AT) / STEP)
    simulate_for(factory, steps)

    # then the offer still waits for that person
    session.refresh(offer)
    assert SEEDED_AT + steps * STEP < deadline
    assert offer.status == OfferStatus.PENDING


def test_running_a_step_again_at_the_same_moment_changes_nothing(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # given the demo after 17 runs of the simulation (in the 17th a customer wrote in and an
    # expert replied)
    with clock.travel_to(SEEDED_AT):
        demo_tasks.schedule_simulation(session, seed=SEED)
        session.commit()
    simulate_for(factory, 17)
    moment = SEEDED_AT + 17 * STEP
    before = snapshot(session)

    # when a second runner runs the same step again (a duplicate schedule, a retry)
    with clock.travel_to(moment):
        jobs_service.enqueue(session, demo_tasks.SIMULATE_JOB, {"seed": SEED, "run": 17})
        session.commit()
        stats = run_jobs(factory)

    # then it ran and did nothing more (nor queued anything)
    assert (stats.done, stats.failed) == (1, 0)
    assert snapshot(session) == before


def test_a_failed_run_still_queues_the_next(
    session: Session, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a run of the simulation that breaks for good
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the run broke")

    monkeypatch.setattr(simulation, "simulate", broken)
    with clock.travel_to(SEEDED_AT):
        job = demo_tasks.schedule_simulation(session, seed=SEED, run=7)
        assert job is not None
        job.max_attempts = 1
        session.commit()

    # when the job runner runs it
    with clock.travel_to(SEEDED_AT + STEP):
        stats = run_jobs(factory)

    # then it is dead-lettered and the next run is queued, 20 s on at the earliest
    session.refresh(job)
    queued = session.scalars(
        select(Job).where(Job.name == demo_tasks.SIMULATE_JOB, Job.status == JobStatus.QUEUED)
    ).all()
    assert (stats.failed, job.status) == (1, JobStatus.DEAD)
    assert [q.payload for q in queued] == [{"seed": SEED, "run": 8}]
    assert queued[0].run_at >= SEEDED_AT + STEP + demo_tasks.SIMULATE_EVERY


def test_serve_schedules_the_simulation_once_and_only_for_a_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a database with a demo brand, and one without, and a server that is not started
    # (uvicorn's process is the boundary: the test checks what start-up queued before it)
    served: list[str] = []
    monkeypatch.setattr(server, "serve", lambda *_a, **_k: served.append("served"))
    demo_url, real_url = f"sqlite:///{tmp_path / 'demo.db'}", f"sqlite:///{tmp_path / 'real.db'}"
    for url, is_demo in ((demo_url, True), (real_url, False)):
        migrate.upgrade(url)
        engine = make_engine(url)
        with sessionmaker(bind=engine)() as session:
            session.add(Brand(name="Brand", slug="brand", currency="EUR", is_demo=is_demo))
            session.commit()
        engine.dispose()

    # when `gigcx serve` starts twice on each
    results = [serve(url) for url in (demo_url, demo_url, real_url, real_url)]

    # then the demo's database has one simulation queued, the other none
    assert [r.exit_code for r in results] == [0, 0, 0, 0]
    assert served == ["served"] * 4
    assert queued_simulations(demo_url) == 1
    assert queued_simulations(real_url) == 0


def serve(url: str) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIGCX_DATABASE_URL", url)
        clear_caches()
        try:
            return CliRunner().invoke(app, ["serve", "--no-jobs"])
        finally:
            clear_caches()


def clear_caches() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    for cached in (get_sessionmaker, get_engine, get_settings):
        cached.cache_clear()


def queued_simulations(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return (
                connection.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.name == demo_tasks.SIMULATE_JOB, Job.status == JobStatus.QUEUED)
                )
                or 0
            )
    finally:
        engine.dispose()


def rate_for(session: Session, ticket: Ticket) -> Decimal:
    """The demo's rate cards have one line per category and complexity, and nothing surges."""
    return session.scalars(
        select(Rate.amount).where(
            Rate.program_id == ticket.program_id,
            Rate.category_key == ticket.category,
            Rate.complexity == ticket.complexity,
        )
    ).one()


def test_the_migration_marks_brands_the_demo_seeded_earlier(tmp_path: Path) -> None:
    # given a database at the revision before demo brands, with the demo's Alpenglow and a
    # brand of someone's own that happens to be called "lumen"
    url = f"sqlite:///{tmp_path / 'earlier.db'}"
    config = migrate.alembic_config(url)
    command.upgrade(config, "0011")
    engine = make_engine(url)
    brands = [
        ("alpenglow", "admin@alpenglow.example"),
        ("lumen", "admin@lumen-coffee.example.com"),
    ]
    with engine.begin() as connection:
        for slug, admin_email in brands:
            brand_id = uuid.uuid4().hex
            connection.execute(
                text(
                    "INSERT INTO brands (id, name, slug, currency, created_at) "
                    "VALUES (:id, :slug, :slug, 'EUR', '2026-11-18 15:45:00.000000')"
                ),
                {"id": brand_id, "slug": slug},
            )
            connection.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, role, brand_id, display_name, "
                    "is_active, created_at) VALUES (:id, :email, 'x', 'brand_admin', :brand_id, "
                    "'Admin', 1, '2026-11-18 15:45:00.000000')"
                ),
                {"id": uuid.uuid4().hex, "email": admin_email, "brand_id": brand_id},
            )

    # when the database is brought up to date
    migrate.upgrade(url)

    # then the demo's brand is a demo brand, the other is not
    with engine.connect() as connection:
        marked = connection.execute(text("SELECT slug, is_demo FROM brands ORDER BY slug")).all()
    engine.dispose()
    assert [(slug, bool(is_demo)) for slug, is_demo in marked] == [
        ("alpenglow", True),
        ("lumen", False),
    ]
