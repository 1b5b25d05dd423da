"""The gigcx command line against its own temporary SQLite databases."""

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, inspect, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import ApiKey, User
from gigcx.brands.models import Brand, Program, ProgramCategory, Rate
from gigcx.cli.main import app
from gigcx.config import get_settings
from gigcx.db.session import get_engine, get_sessionmaker, make_engine
from gigcx.experts.models import Expert
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.models import Earning, Payout, PayoutLine, PayoutMethod
from gigcx.routing.scoring import TERMS
from gigcx.tickets.models import Offer, Ticket
from tests.factories.payments import add_payout_method

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def _clear_caches() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    for cached in (get_sessionmaker, get_engine, get_settings):
        cached.cache_clear()


@contextmanager
def database(path: Path) -> Iterator[Engine]:
    """Point the settings at a SQLite file for the block; yield an engine to check it with."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIGCX_DATABASE_URL", f"sqlite:///{path}")
        _clear_caches()
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield engine
        finally:
            engine.dispose()
            _clear_caches()


def invoke(*args: str, prompt: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=prompt, env=WIDE)


def count(engine: Engine, model: type[object], *where: object) -> int:
    with engine.connect() as connection:
        statement = select(func.count()).select_from(model)
        for clause in where:
            statement = statement.where(clause)  # type: ignore[arg-type]
        return connection.scalar(statement) or 0


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """One small demo, seeded once through the CLI, shared by the read-only tests."""
    path = tmp_path_factory.mktemp("cli") / "seeded.db"
    with database(path):
        result = invoke("demo", "seed", "--experts", "12", "--tickets", "20", "--seed", "7")
    return path, result


@pytest.fixture
def seeded_db(seeded: tuple[Path, Result]) -> Iterator[Engine]:
    with database(seeded[0]) as engine:
        yield engine


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Engine]:
    with database(tmp_path / "empty.db") as engine:
        yield engine


@pytest.fixture
def migrated_db(empty_db: Engine) -> Engine:
    assert invoke("db", "upgrade").exit_code == 0
    return empty_db


def test_db_upgrade_creates_the_schema(empty_db: Engine) -> None:
    result = invoke("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert "is up to date" in result.output
    assert inspect(empty_db).has_table("tickets")
    assert inspect(empty_db).has_table("alembic_version")


def test_commands_ask_for_the_schema_first(empty_db: Engine) -> None:
    result = invoke("jobs", "run", "--once")

    assert result.exit_code == 1
    assert "gigcx db upgrade" in result.output
    assert not inspect(empty_db).has_table("jobs")


def test_demo_seed_builds_the_marketplace(seeded: tuple[Path, Result], seeded_db: Engine) -> None:
    _, result = seeded

    assert result.exit_code == 0, result.output
    assert count(seeded_db, Brand) == 2
    assert count(seeded_db, Program) == 3
    assert count(seeded_db, Expert) == 12
    assert count(seeded_db, Ticket) == 20
    assert count(seeded_db, ApiKey) == 2
    assert count(seeded_db, User, User.role == Role.PLATFORM_ADMIN) == 1
    assert count(seeded_db, User, User.role == Role.BRAND_ADMIN) == 2
    assert count(seeded_db, User, User.role == Role.INHOUSE_AGENT) == 2
    assert count(seeded_db, User, User.role == Role.EXPERT) == 12
    in_house = ProgramCategory.is_gig_eligible.is_(False)
    gig_categories = count(seeded_db, ProgramCategory) - count(seeded_db, ProgramCategory, in_house)
    assert count(seeded_db, ProgramCategory, in_house) == 4
    assert count(seeded_db, Rate) == 3 * gig_categories
    assert "admin@gigcx.example" in result.output
    assert re.search(r"API key for Alpenglow Outfitters \(shown once\): gcx_\S{40,}", result.output)
    assert re.search(r"API key for Lumen Money \(shown once\): gcx_\S{40,}", result.output)


def test_demo_seed_tickets_lie_in_the_past_two_weeks(seeded_db: Engine) -> None:
    with seeded_db.connect() as connection:
        created = connection.scalars(select(Ticket.created_at)).all()

    ages = [clock.now() - at for at in created]
    assert all(timedelta(0) < age < timedelta(days=14) for age in ages)
    assert len([age for age in ages if age > timedelta(days=1)]) >= 10


def test_demo_seed_refuses_a_second_time(seeded_db: Engine) -> None:
    result = invoke("demo", "seed", "--experts", "3", "--tickets", "2")

    assert result.exit_code == 1
    assert "already has brands" in result.output
    assert count(seeded_db, Brand) == 2
    assert count(seeded_db, Expert) == 12
    assert count(seeded_db, Ticket) == 20


def test_jobs_run_once_runs_due_jobs_until_idle(seeded_db: Engine) -> None:
    result = invoke("jobs", "run", "--once")

    assert result.exit_code == 0, result.output
    assert re.search(r"ran \d+ job\(s\): \d+ done, 0 failed", result.output)
    due = (Job.status == JobStatus.QUEUED, Job.run_at <= clock.now())
    assert count(seeded_db, Job, *due) == 0


def test_users_create_admin_with_password(migrated_db: Engine) -> None:
    result = invoke(
        "users", "create-admin", "--email", "Ops@Example.com", "--password", "s3cret-pw"
    )

    assert result.exit_code == 0, result.output
    assert "created platform admin ops@example.com" in result.output
    with get_sessionmaker()() as session:
        user = auth_service.authenticate_password(
            session, email="ops@example.com", password="s3cret-pw"
        )
        assert user.role == Role.PLATFORM_ADMIN


def test_users_create_admin_prompts_for_a_hidden_password(migrated_db: Engine) -> None:
    result = invoke("users", "create-admin", "--email", "ops@example.com", prompt="pw-123456\n" * 2)

    assert result.exit_code == 0, result.output
    assert "pw-123456" not in result.output
    assert count(migrated_db, User, User.email == "ops@example.com") == 1


def test_users_create_admin_refuses_a_short_password(migrated_db: Engine) -> None:
    result = invoke("users", "create-admin", "--email", "ops@example.com", "--password", "short")

    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert count(migrated_db, User) == 0


def test_users_create_admin_refuses_a_taken_email(migrated_db: Engine) -> None:
    invoke("users", "create-admin", "--email", "ops@example.com", "--password", "first-pw-1")

    result = invoke("users", "create-admin", "--email", "ops@example.com", "--password", "other-pw")

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert count(migrated_db, User) == 1


def test_tickets_explain_prints_every_offer_term_by_term(seeded_db: Engine) -> None:
    with seeded_db.connect() as connection:
        ticket_id, expert_name, offers = connection.execute(
            select(Offer.ticket_id, Expert.display_name, Ticket.offer_count)
            .join(Expert, Expert.id == Offer.expert_id)
            .join(Ticket, Ticket.id == Offer.ticket_id)
            .order_by(Ticket.offer_count.desc(), Offer.created_at)
            .limit(1)
        ).one()

    result = invoke("tickets", "explain", str(uuid.UUID(str(ticket_id))))

    assert result.exit_code == 0, result.output
    assert expert_name in result.output
    assert "contribution" in result.output
    for term in TERMS:
        assert len(re.findall(rf"│ {term} ", result.output)) == offers


def test_tickets_explain_shows_the_escalation_reason(seeded_db: Engine) -> None:
    with Session(seeded_db) as session:
        ticket = session.scalars(
            select(Ticket).where(Ticket.escalation_reason.is_not(None)).limit(1)
        ).one()
        ticket_id, status, reason = ticket.id, ticket.status, ticket.escalation_reason

    result = invoke("tickets", "explain", str(uuid.UUID(str(ticket_id))))

    assert result.exit_code == 0, result.output
    assert f"status {status} " in result.output
    assert f"escalation reason: {reason}" in result.output


def test_tickets_explain_an_unknown_ticket(seeded_db: Engine) -> None:
    result = invoke("tickets", "explain", str(uuid.uuid4()))

    assert result.exit_code == 1
    assert "ticket not found" in result.output


def test_quality_tiers_runs_the_weekly_review_once_per_week(empty_db: Engine) -> None:
    assert invoke("db", "upgrade").exit_code == 0

    first = invoke("quality", "tiers", "--week", "2026-11-30")
    second = invoke("quality", "tiers", "--week", "2026-12-02", "--schedule")
    bad = invoke("quality", "tiers", "--week", "next week")
    criteria = invoke("quality", "criteria")
    warned = invoke("training", "warn-expiring")

    assert first.exit_code == 0, first.output
    assert "2026-11-30" in second.output
    assert "next at 2026-12-07T00:00:00+00:00" in second.output
    assert "evaluated" in second.output
    assert bad.exit_code == 2
    assert "quality score of at least 85" in criteria.output
    assert warned.exit_code == 0, warned.output
    assert "warned 0 expert certification(s)" in warned.output


@pytest.fixture
def seeded_copy(seeded: tuple[Path, Result], tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the seeded demo, for commands that write."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{seeded[0]}{suffix}")
        if source.exists():
            shutil.copy(source, tmp_path / f"copy.db{suffix}")
    with database(tmp_path / "copy.db") as engine:
        yield engine


def test_payouts_run_holds_experts_without_a_method_then_settles_the_week_once(
    seeded_copy: Engine,
) -> None:
    week = payments_service.last_finished_week().label
    in_week = Earning.created_at < payments_service.parse_week(week).end
    unsettled = count(seeded_copy, Earning, in_week)
    with Session(seeded_copy) as session:
        with_method = set(session.scalars(select(PayoutMethod.expert_id)))
        seeded_without = [e for e in session.scalars(select(Expert)) if e.id not in with_method]
        # Whatever week it is, one expert with pay in it has no method either.
        earner = session.scalar(select(Earning.expert_id).where(in_week).limit(1))
        session.execute(delete(PayoutMethod).where(PayoutMethod.expert_id == earner))
        session.commit()
        held_ids = {e.id for e in seeded_without} | {earner}
    held_lines = count(seeded_copy, Earning, in_week, Earning.expert_id.in_(held_ids))

    held = invoke("payouts", "run", "--week", week)
    settled_while_held = count(seeded_copy, PayoutLine)
    with Session(seeded_copy) as session:
        for expert_id in held_ids:
            add_payout_method(session, session.get_one(Expert, expert_id))
        session.commit()
    first = invoke("payouts", "run", "--week", week)
    settled = count(seeded_copy, PayoutLine)
    second = invoke("payouts", "run")

    assert len(seeded_without) == 2  # experts 0 and 7 of 12: every 7th has none
    assert held.exit_code == 0, held.output
    assert held_lines > 0, "the held expert has pay in the week"
    assert settled_while_held == unsettled - held_lines
    assert re.search(r"held without a payout method: [1-9][0-9]*", held.output)
    assert first.exit_code == 0, first.output
    assert f"Payouts for {week}" in first.output
    assert "held without a payout method: 0" in first.output
    assert settled == unsettled
    assert second.exit_code == 0, second.output
    assert "nothing left to settle for this week" in second.output
    assert count(seeded_copy, PayoutLine) == settled


def test_payouts_run_refuses_a_week_that_is_not_over(migrated_db: Engine) -> None:
    week = payments_service.week_of(clock.now()).label

    result = invoke("payouts", "run", "--week", week)

    assert result.exit_code == 1
    assert f"week {week} has not ended yet" in result.output
    assert count(migrated_db, Payout) == 0
