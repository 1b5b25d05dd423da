from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit.models import AuditEvent
from gigcx.brands.models import Program
from gigcx.experts.models import Expert
from gigcx.jobs import service as jobs_service
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning
from gigcx.payments.schemas import BonusRuleCreate
from gigcx.quality.enums import RatingReason
from gigcx.quality.models import Rating
from gigcx.tickets.enums import AssignmentEnd
from gigcx.tickets.models import Assignment
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.payments import make_earning
from tests.factories.tickets import make_ticket, run_jobs

IN_W40 = datetime(2026, 9, 30, 12, tzinfo=UTC)
AFTER_W40 = datetime(2026, 10, 6, 9, tzinfo=UTC)


def rate(session: Session, program: Program, expert: Expert, score: int, reason: str) -> None:
    ticket = make_ticket(session, program, route=False)
    session.add(
        Rating(
            ticket_id=ticket.id,
            brand_id=program.brand_id,
            program_id=program.id,
            expert_id=expert.id,
            score=score,
            reason=RatingReason(reason),
            created_at=IN_W40,
        )
    )
    session.flush()


def bonuses(session: Session) -> list[tuple[object, Decimal]]:
    rows = session.execute(
        select(Earning.expert_id, Earning.amount).where(Earning.kind == EarningKind.BONUS)
    ).all()
    return [(expert_id, amount) for expert_id, amount in rows]


def test_a_published_bonus_rule_pays_experts_who_meet_it_once_per_week(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    with clock.travel_to(IN_W40 - timedelta(days=1)):
        payments_service.create_bonus_rule(
            session,
            brand_admin(brand),
            program.id,
            BonusRuleCreate(name="Great week", min_tasks=2, min_csat=Decimal("4.5"), amount=20),
        )
    star, unrated, busy = (make_expert(session, programs=[program]) for _ in range(3))
    for expert in (star, unrated):
        make_earning(session, expert, program, "3.50", at=IN_W40)
        make_earning(session, expert, program, "3.50", at=IN_W40)
    make_earning(session, busy, program, "3.50", at=IN_W40)
    rate(session, program, star, 5, "helpful")
    rate(session, program, star, 4, "fast")
    rate(session, program, star, 1, "policy")  # beyond the expert's control: not counted
    rate(session, program, busy, 5, "helpful")

    first = payments_service.evaluate_bonuses(session, week="2026-W40")
    second = payments_service.evaluate_bonuses(session, week="2026-W40")

    assert [(e.expert_id, e.amount) for e in first] == [(star.id, Decimal("20.00"))]
    assert [e.id for e in second] == [first[0].id]
    assert bonuses(session) == [(star.id, Decimal("20.00"))]
    assert first[0].terms["csat"] == "4.50"
    assert first[0].terms["tasks"] == 2


def test_a_qa_condition_is_not_met_until_qa_reviews_exist(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    with clock.travel_to(IN_W40 - timedelta(days=1)):
        payments_service.create_bonus_rule(
            session,
            brand_admin(brand),
            program.id,
            BonusRuleCreate(name="QA star", min_tasks=1, min_qa=Decimal("80"), amount=10),
        )
    expert = make_expert(session, programs=[program])
    make_earning(session, expert, program, "3.50", at=IN_W40)

    paid = payments_service.evaluate_bonuses(session, week="2026-W40")

    assert paid == []
    assert bonuses(session) == []


def hold(session: Session, program: Program, expert: Expert, start: datetime, minutes: int) -> None:
    ticket = make_ticket(session, program, route=False)
    session.add(
        Assignment(
            ticket_id=ticket.id,
            expert_id=expert.id,
            channel="chat",
            started_at=start,
            ended_at=start + timedelta(minutes=minutes),
            end_reason=AssignmentEnd.RESOLVED,
        )
    )
    session.flush()


def test_effective_hourly_median_below_the_floor_alerts_the_brand_once_a_day(
    session: Session,
) -> None:
    program = make_program(session, make_brand(session), hourly_floor=Decimal("20.00"))
    ada, bo, cy = (make_expert(session, programs=[program]) for _ in range(3))
    ten = AFTER_W40 - timedelta(days=1)
    hold(session, program, ada, ten, 60)
    make_earning(session, ada, program, "15.00", at=ten + timedelta(hours=1))
    hold(session, program, bo, ten, 30)
    make_earning(session, bo, program, "12.50", at=ten + timedelta(hours=1))
    hold(session, program, cy, ten, 60)
    hold(session, program, cy, ten + timedelta(minutes=30), 60)  # overlaps: 1.5 h in all
    make_earning(session, cy, program, "24.00", at=ten + timedelta(hours=2))
    make_earning(session, cy, program, "10.00", at=ten, kind=EarningKind.ONBOARDING)

    rows = payments_service.program_hourly(
        session, program.id, since=AFTER_W40 - timedelta(days=7), until=AFTER_W40
    )
    with clock.travel_to(AFTER_W40):
        check = payments_service.check_floor(session, program)
        alerts = payments_service.alert_hourly_floors(session)
        again = payments_service.alert_hourly_floors(session)

    by_expert = {r.expert_id: (r.hours_worked, r.per_hour) for r in rows}
    assert by_expert == {
        ada.id: (Decimal("1.00"), Decimal("15.00")),
        bo.id: (Decimal("0.50"), Decimal("25.00")),
        cy.id: (Decimal("1.50"), Decimal("16.00")),
    }
    assert (check.median, check.floor, check.is_below) == (
        Decimal("16.00"),
        Decimal("20.00"),
        True,
    )
    assert [a.program_id for a in alerts] == [program.id]
    assert again == []
    events = select(func.count()).where(AuditEvent.action == "program.hourly_below_floor")
    assert session.scalar(events) == 1


def test_the_floor_check_job_runs_daily(session: Session, factory: sessionmaker[Session]) -> None:
    make_program(session, make_brand(session), hourly_floor=Decimal("20.00"))
    jobs_service.enqueue(session, "payments.alert_hourly_floors", {})
    session.commit()

    before = clock.now()
    stats = run_jobs(factory)
    after = clock.now()

    queued = session.scalars(
        select(Job).where(Job.name == "payments.alert_hourly_floors", Job.status == "queued")
    ).all()
    assert (stats.done, len(queued)) == (1, 1)
    assert before + timedelta(days=1) <= queued[0].run_at <= after + timedelta(days=1)
