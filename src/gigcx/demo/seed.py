"""Seed a demo marketplace: brands, programs, staff, experts, and two weeks of real tickets."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Brand, Program
from gigcx.brands.schemas import BrandCreate
from gigcx.demo import agreements as demo_agreements
from gigcx.demo import ai as demo_ai
from gigcx.demo import ai_content
from gigcx.demo import experts as demo_experts
from gigcx.demo import planning as demo_planning
from gigcx.demo import presence as demo_presence
from gigcx.demo import quality as demo_quality
from gigcx.demo.catalog import BRANDS, BrandSpec
from gigcx.demo.history import History
from gigcx.demo.world import BrandRef, ProgramRef, Progress, World, no_progress
from gigcx.errors import Conflict
from gigcx.experts.enums import Presence
from gigcx.experts.models import Enrollment, Expert
from gigcx.kit import clock
from gigcx.kit.money import Money, quantize
from gigcx.payments import service as payments_service
from gigcx.payments.models import Earning
from gigcx.payments.schemas import BonusRuleCreate
from gigcx.planning import service as planning_service
from gigcx.quality.models import Rating
from gigcx.tickets.models import Message, Offer, Ticket

PLATFORM_ADMIN_EMAIL = "admin@gigcx.example"
# Every demo account signs in with this password, so `gigcx serve` can show them on every start.
# The demo is for trying GigCX out; a real installation starts with `gigcx serve --no-demo`.
DEMO_PASSWORD = "gigcx-demo"  # noqa: S105 - a published demo password, by design
HISTORY_DAYS = 14


class DemoDataExists(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "this database already has brands, so the demo was not seeded; "
            "point GIGCX_DATABASE_URL at an empty database to seed a fresh demo"
        )


@dataclass(frozen=True)
class Credential:
    role: str
    name: str
    email: str
    password: str
    brand: str = ""


@dataclass(frozen=True)
class BrandKey:
    brand: str
    key: str


@dataclass
class DemoSummary:
    """What was seeded and how to sign in; passwords and keys are shown only here."""

    credentials: list[Credential] = field(default_factory=list)
    api_keys: list[BrandKey] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    ticket_statuses: dict[str, int] = field(default_factory=dict)
    earnings: list[Money] = field(default_factory=list)
    jobs_done: int = 0
    jobs_failed: int = 0


ROLE_NAMES = {Role.BRAND_ADMIN: "brand admin", Role.INHOUSE_AGENT: "in-house agent"}


def demo_sign_ins(session: Session, *, experts: int = 4) -> list[Credential]:
    """The demo's accounts (platform admin, brand staff, a few online experts), if it was seeded."""
    admin = session.scalar(select(User).where(User.email == PLATFORM_ADMIN_EMAIL))
    if admin is None:
        return []
    found = [Credential("platform admin", admin.display_name, admin.email, DEMO_PASSWORD)]
    for spec in BRANDS:
        staff = session.scalars(
            select(User)
            .where(User.email.in_([f"admin@{spec.email_domain}", f"support@{spec.email_domain}"]))
            .order_by(User.role)
        )
        found += [
            Credential(
                ROLE_NAMES[user.role], user.display_name, user.email, DEMO_PASSWORD, spec.name
            )
            for user in staff
        ]
    online = session.scalars(
        select(User)
        .join(Expert, Expert.id == User.expert_id)
        .where(Expert.presence == Presence.AVAILABLE)
        .order_by(Expert.display_name)
        .limit(experts)
    )
    found += [Credential("expert", u.display_name, u.email, DEMO_PASSWORD) for u in online]
    return found


def has_brands(session: Session) -> bool:
    """Return whether any brand exists (then the database is not empty)."""
    return session.scalar(select(Brand.id).limit(1)) is not None


@dataclass
class Essentials:
    """What stage one of the demo committed, and what the rest of the demo continues from."""

    summary: DemoSummary
    world: World
    rng: random.Random


# Called between steps of the replayed history; returns whether it committed (stage two).
Checkpoint = Callable[[], bool]


def seed_demo(
    session: Session,
    *,
    experts: int = 60,
    tickets: int = 300,
    seed: int = 7,
    progress: Progress = no_progress,
) -> DemoSummary:
    """Build the demo marketplace and replay two weeks of tickets through the services."""
    essentials = seed_essentials(session, seed=seed)
    return seed_history(session, essentials, experts=experts, tickets=tickets, progress=progress)


def seed_essentials(session: Session, *, seed: int = 7) -> Essentials:
    """Stage one: the platform admin, the brands with their staff and API keys, the programs.

    Enough to show the public pages and sign in to the brand console; ``seed_history`` builds
    the rest from what this returns.
    """
    if has_brands(session):
        raise DemoDataExists()
    rng = random.Random(seed)
    horizon = clock.now()
    start = horizon - timedelta(days=HISTORY_DAYS)
    summary = DemoSummary()
    admin = _platform_admin(session, summary, at=start - timedelta(days=140))
    brands = [
        _brand(session, summary, admin, spec, at=start - timedelta(days=130 - 5 * n))
        for n, spec in enumerate(BRANDS)
    ]
    programs = _programs(session, brands)
    world = World(brands=brands, programs=programs, experts={}, start=start, horizon=horizon)
    return Essentials(summary=summary, world=world, rng=rng)


def seed_history(
    session: Session,
    essentials: Essentials,
    *,
    experts: int = 60,
    tickets: int = 300,
    progress: Progress = no_progress,
    checkpoint: Checkpoint | None = None,
) -> DemoSummary:
    """Stage two: AI content, experts, two weeks of replayed tickets, quality and forecasts.

    ``checkpoint`` is called between the replay's steps (``gigcx.demo.staged`` commits there).
    """
    summary, world, rng = essentials.summary, essentials.world, essentials.rng
    for program in session.scalars(
        select(Program).where(Program.slug == ai_content.PROGRAM_SLUG)
    ).all():
        demo_ai.seed_ai(session, program, before_fit=checkpoint)
    if checkpoint is not None:
        checkpoint()
    demo_quality.seed_scorecards(session, world)
    expert_password = DEMO_PASSWORD
    demo_experts.create_experts(
        session, world, rng, count=experts, password=expert_password, progress=progress
    )
    live = min(tickets, min(8, max(2, tickets // 40)))
    history = History(session, world, rng, progress, checkpoint=checkpoint)
    history.play(tickets - live, total=tickets)
    demo_presence.seed_presence_history(session, world)
    demo_presence.seed_stated_hours(session, world)
    history.commit_if_due()
    # Now, in real time: the job runner catches up and a few experts per program are online.
    demo_experts.settle_presence(session, world)
    summary.credentials.extend(
        Credential("expert", e.display_name, e.email, expert_password)
        for e in demo_experts.showcase(session, world, 4)
    )
    history.run_jobs()
    history.commit_if_due()
    demo_quality.seed_training(session, world)
    demo_quality.seed_reviews(session, world)
    demo_planning.seed_cost_baselines(session, world)
    history.commit_if_due()
    for _ in range(live):
        draft = history.composer.draft(clock.now())
        history.write_in(draft, "quick")
    session.flush()
    # Forecasts from the replayed weeks, so the planning pages show one before the first night.
    planning_service.refresh_all(session)
    summary.jobs_done, summary.jobs_failed = history.jobs.done, history.jobs.failed
    _count(session, summary)
    return summary


def _platform_admin(session: Session, summary: DemoSummary, *, at: datetime) -> Principal:
    password = DEMO_PASSWORD
    with clock.travel_to(at):
        user = auth_service.create_user(
            session,
            email=PLATFORM_ADMIN_EMAIL,
            password=password,
            role=Role.PLATFORM_ADMIN,
            display_name="Platform admin",
        )
    summary.credentials.append(Credential("platform admin", "Platform admin", user.email, password))
    return auth_service.principal_for_user(user)


def _brand(
    session: Session, summary: DemoSummary, admin: Principal, spec: BrandSpec, *, at: datetime
) -> BrandRef:
    admin_email = f"admin@{spec.email_domain}"
    admin_password = agent_password = DEMO_PASSWORD
    with clock.travel_to(at):
        brand = brands_service.create_brand(
            session,
            admin,
            BrandCreate(
                name=spec.name,
                slug=spec.slug,
                currency=spec.currency,
                admin_email=admin_email,
                admin_password=admin_password,
            ),
        )
        # Marked, so the demo's simulated people keep it alive (gigcx.demo.simulation).
        brand.is_demo = True
        brand_admin = session.scalars(select(User).where(User.email == admin_email)).one()
        agent = auth_service.create_user(
            session,
            email=f"support@{spec.email_domain}",
            password=agent_password,
            role=Role.INHOUSE_AGENT,
            display_name=spec.agent_name,
            brand_id=brand.id,
        )
        plain_key, key = auth_service.create_api_key(
            session, brand_id=brand.id, name="Demo helpdesk connector"
        )
    demo_agreements.publish_brand_agreement(
        session, auth_service.principal_for_user(brand_admin), brand.id, spec.name, at=at
    )
    summary.credentials += [
        Credential("brand admin", brand_admin.display_name, admin_email, admin_password, spec.name),
        Credential("in-house agent", spec.agent_name, agent.email, agent_password, spec.name),
    ]
    summary.api_keys.append(BrandKey(spec.name, plain_key))
    return BrandRef(
        spec=spec,
        id=brand.id,
        admin=auth_service.principal_for_user(brand_admin),
        intake=Principal(role=Role.API_KEY, brand_id=brand.id, api_key_id=key.id),
        agent=auth_service.principal_for_user(agent),
        agent_first_name=spec.agent_name.split(" ")[0],
    )


GREAT_WEEK = BonusRuleCreate(
    name="Great week", min_tasks=10, min_csat=Decimal("4.5"), amount=Decimal("15.00")
)


def _programs(session: Session, brands: list[BrandRef]) -> list[ProgramRef]:
    programs: list[ProgramRef] = []
    for brand in brands:
        created = session.scalar(select(Brand.created_at).where(Brand.id == brand.id))
        assert created is not None
        for n, spec in enumerate(brand.spec.programs):
            with clock.travel_to(created + timedelta(days=3 + 9 * n)):
                program = brands_service.create_program(
                    session, brand.admin, spec.create(), brand_id=brand.id
                )
                payments_service.create_bonus_rule(session, brand.admin, program.id, GREAT_WEEK)
            programs.append(ProgramRef(spec=spec, brand=brand, id=program.id))
    return programs


def _count(session: Session, summary: DemoSummary) -> None:
    def count(model: type[object]) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    summary.counts = {
        "brands": count(Brand),
        "programs": count(Program),
        "experts": count(Expert),
        "enrollments": count(Enrollment),
        "tickets": count(Ticket),
        "messages": count(Message),
        "offers": count(Offer),
        "ratings": count(Rating),
        "earnings": count(Earning),
    }
    statuses = session.execute(
        select(Ticket.status, func.count()).group_by(Ticket.status).order_by(Ticket.status)
    ).all()
    summary.ticket_statuses = {str(status): number for status, number in statuses}
    totals = session.execute(
        select(Earning.currency, func.sum(Earning.amount))
        .group_by(Earning.currency)
        .order_by(Earning.currency)
    ).all()
    summary.earnings = [Money(quantize(Decimal(total or 0)), cur) for cur, total in totals]
