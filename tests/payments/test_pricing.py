"""Rate lines by language and time band, surges and fees, with exact numbers."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.errors import InvalidProgramRules
from gigcx.brands.models import Brand, Program
from gigcx.brands.schemas import ProgramUpdate, RateIn
from gigcx.experts.models import Expert
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.enums import EarningKind
from gigcx.payments.errors import EscalationNotPayable
from gigcx.payments.models import Earning, Surge
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import brand_admin, make_brand, make_program, rate_card
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs

# Wednesday 2026-09-30 and Saturday 2026-10-03 in Europe/Berlin (UTC+2 in summer time).
WEDNESDAY_NOON = datetime(2026, 9, 30, 10, tzinfo=UTC)  # 12:00 local: day
WEDNESDAY_EVENING = datetime(2026, 9, 30, 17, tzinfo=UTC)  # 19:00 local: evening
WEDNESDAY_NIGHT = datetime(2026, 9, 30, 21, tzinfo=UTC)  # 23:00 local: night
SATURDAY_NIGHT = datetime(2026, 10, 3, 21, tzinfo=UTC)  # 23:00 local: night and weekend


def banded_program(session: Session) -> Program:
    program = make_program(
        session,
        make_brand(session, currency="EUR"),
        languages=("en", "de"),
        timezone="Europe/Berlin",
    )
    extra = [
        RateIn(category_key="billing", complexity="medium", time_band="night", amount=Decimal("5")),
        RateIn(
            category_key="billing", complexity="medium", time_band="weekend", amount=Decimal("6")
        ),
        RateIn(category_key="billing", complexity="medium", language="de", amount=Decimal("4.25")),
        RateIn(
            category_key="billing",
            complexity="medium",
            language="de",
            time_band="night",
            amount=Decimal("7.10"),
        ),
    ]
    return brands_service.update_program(
        session,
        brand_admin_of(session, program.brand_id),
        program.id,
        ProgramUpdate(rates=[*rate_card(("billing",)), *extra]),
    )


def brand_admin_of(session: Session, brand_id: uuid.UUID) -> Principal:
    return brand_admin(session.get_one(Brand, brand_id))


def amount(program: Program, language: str, at: datetime) -> Decimal | None:
    rate = brands_service.resolve_rate(
        program, category_key="billing", complexity="medium", language=language, at=at
    )
    return None if rate is None else rate.amount


def test_the_most_specific_rate_line_wins(session: Session) -> None:
    program = banded_program(session)

    assert amount(program, "en", WEDNESDAY_NOON) == Decimal("3.50")
    assert amount(program, "en", WEDNESDAY_EVENING) == Decimal("3.50")
    assert amount(program, "en", WEDNESDAY_NIGHT) == Decimal("5.00")
    assert amount(program, "en", SATURDAY_NIGHT) == Decimal("6.00")
    assert amount(program, "de", WEDNESDAY_NOON) == Decimal("4.25")
    assert amount(program, "de", WEDNESDAY_NIGHT) == Decimal("7.10")
    assert amount(program, "de", SATURDAY_NIGHT) == Decimal("7.10")


def test_rate_lines_must_be_unique_and_for_served_languages(session: Session) -> None:
    program = make_program(session, make_brand(session))
    admin = brand_admin_of(session, program.brand_id)
    twice = RateIn(category_key="billing", complexity="low", time_band="night", amount=Decimal(1))

    with pytest.raises(InvalidProgramRules, match="two rates for billing / low / night"):
        brands_service.update_program(
            session,
            admin,
            program.id,
            ProgramUpdate(rates=[*rate_card(("billing",)), twice, twice]),
        )
    french = RateIn(category_key="billing", complexity="low", language="fr", amount=Decimal(1))
    with pytest.raises(InvalidProgramRules, match="language 'fr'"):
        brands_service.update_program(
            session, admin, program.id, ProgramUpdate(rates=[*rate_card(("billing",)), french])
        )


@pytest.mark.parametrize(
    ("waiting", "seats", "expected"),
    [
        (12, 4, Decimal("1.50")),  # pressure 3: 1 + 0.25 x 2
        (7, 4, Decimal("1.20")),  # pressure 1.75: 1.1875 rounded up to 1.20
        (6, 4, Decimal("1.15")),  # pressure 1.5: 1.125 rounded up to 1.15
        (5, 0, Decimal("2.00")),  # no free seat counts as one: pressure 5, 2.00
        (40, 2, Decimal("2.00")),  # capped at 2.00
        (5, 4, None),  # pressure 1.25: below the threshold
        (2, 0, None),  # fewer than 3 waiting
    ],
)
def test_surge_multiplier_formula(waiting: int, seats: int, expected: Decimal | None) -> None:
    assert payments_service.surge_multiplier(waiting, seats) == expected


def test_a_surge_is_announced_ahead_for_a_fixed_window_to_eligible_experts(
    session: Session,
) -> None:
    program = make_program(session, make_brand(session))
    expert = make_expert(session, programs=[program], capacity={"chat": 1})
    for _ in range(5):
        make_ticket(session, program, route=False)
    now = datetime(2026, 9, 30, 10, tzinfo=UTC)

    with clock.travel_to(now):
        surges = payments_service.evaluate_surges(session, program_id=program.id)
        again = payments_service.evaluate_surges(session, program_id=program.id)

    assert [(s.language, s.multiplier, s.waiting, s.capacity) for s in surges] == [
        ("en", Decimal("2.00"), 5, 1)
    ]
    surge = surges[0]
    assert surge.starts_at - surge.announced_at == timedelta(minutes=10)
    assert surge.ends_at - surge.starts_at == timedelta(minutes=60)
    assert again == []
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "surge.announced")).one()
    assert event.data["experts"] == [str(expert.id)]
    with clock.travel_to(now):
        notices = payments_service.surges_for_expert(session, as_expert(expert), expert.id)
    assert [n.surge.id for n in notices] == [surge.id]


def test_a_surge_counts_only_for_offers_accepted_inside_its_window(session: Session) -> None:
    program = make_program(session, make_brand(session, currency="EUR"))
    expert = make_expert(session, programs=[program], capacity={"chat": 3})
    start = datetime(2026, 9, 30, 10, tzinfo=UTC)
    session.add(
        Surge(
            brand_id=program.brand_id,
            program_id=program.id,
            language="en",
            multiplier=Decimal("1.50"),
            waiting=12,
            capacity=4,
            announced_at=start - timedelta(minutes=10),
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
    )
    session.flush()

    before = accept_and_resolve(session, program, expert, at=start - timedelta(minutes=1))
    inside = accept_and_resolve(session, program, expert, at=start + timedelta(minutes=5))

    assert (before.amount, before.surge_id, before.terms.get("surge")) == (
        Decimal("3.50"),
        None,
        None,
    )
    assert inside.amount == Decimal("5.25")  # 3.50 x 1.50
    assert inside.terms["surge"]["multiplier"] == "1.50"
    assert inside.terms["surge"]["announced_at"] == "2026-09-30T09:50:00+00:00"
    assert "surge" in inside.description


def accept_and_resolve(
    session: Session, program: Program, expert: Expert, *, at: datetime
) -> Earning:
    with clock.travel_to(at):
        ticket = make_ticket(session, program)
        offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
        routing_service.accept_offer(session, as_expert(expert), offer.id)
    # Resolved two hours later: the price is still the one at acceptance.
    with clock.travel_to(at + timedelta(hours=2)):
        tickets_service.resolve(session, as_expert(expert), ticket.id)
        earning = payments_service.pay_for_resolution(
            session, ticket_id=ticket.id, expert_id=expert.id
        )
    assert earning is not None
    return earning


def fee_payload(
    kind: str, expert: Expert, program: Program, key: str, reference: str
) -> dict[str, str]:
    return {
        "kind": kind,
        "expert_id": str(expert.id),
        "program_id": str(program.id),
        "source_key": key,
        "reference": reference,
    }


def test_the_earn_fee_job_pays_onboarding_and_reviews_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session), onboarding_fee=Decimal("12.00"))
    expert = make_expert(session, programs=[program])
    for _ in range(2):
        jobs_service.enqueue(
            session, "payments.earn_fee", fee_payload("onboarding", expert, program, "c1", "c1")
        )
    jobs_service.enqueue(
        session, "payments.earn_fee", fee_payload("review", expert, program, "r1", "r1")
    )
    session.commit()

    stats = run_jobs(factory)

    rows = session.execute(
        select(Earning.kind, Earning.amount, Earning.source_key)
        .where(Earning.expert_id == expert.id)
        .order_by(Earning.kind)
    ).all()
    assert stats.done == 3
    assert [tuple(r) for r in rows] == [
        (EarningKind.ONBOARDING, Decimal("12.00"), "onboarding:c1"),
        (EarningKind.REVIEW, Decimal("2.00"), "review:r1"),
    ]


def escalated_ticket(session: Session, program: Program, expert: Expert) -> Ticket:
    ticket = make_ticket(session, program, complexity="high")
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    routing_service.accept_offer(session, as_expert(expert), offer.id)
    tickets_service.escalate(session, as_expert(expert), ticket.id, reason="refund over my limit")
    return ticket


def test_a_legitimate_escalation_pays_the_share_of_the_task_rate_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    brand = make_brand(session, currency="EUR")
    program = make_program(session, brand, escalation_share=Decimal("0.4"))
    expert = make_expert(session, programs=[program])
    ticket = escalated_ticket(session, program, expert)

    paid_expert = payments_service.mark_escalation_legitimate(
        session, brand_admin(brand), ticket.id
    )
    with pytest.raises(EscalationNotPayable):
        payments_service.mark_escalation_legitimate(session, brand_admin(brand), ticket.id)
    session.commit()
    run_jobs(factory)

    earnings = session.scalars(select(Earning).where(Earning.expert_id == expert.id)).all()
    assert paid_expert == expert.id
    assert [(e.kind, e.amount) for e in earnings] == [(EarningKind.ESCALATION, Decimal("2.40"))]
    assert earnings[0].terms["share"] == "0.4000"


def test_a_ticket_no_expert_escalated_cannot_be_paid_as_an_escalation(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    ticket = make_ticket(session, program)  # nobody online: escalated by routing

    with pytest.raises(EscalationNotPayable):
        payments_service.mark_escalation_legitimate(session, brand_admin(brand), ticket.id)

    assert session.scalar(select(func.count()).select_from(Earning)) == 0
    assert payments_service.is_escalation_marked(session, ticket.id) is False


def test_the_demand_watch_announces_surges_and_looks_again_in_a_minute(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session))
    make_expert(session, programs=[program], capacity={"chat": 1})
    for _ in range(4):
        make_ticket(session, program, route=False)
    jobs_service.enqueue(session, "payments.watch_demand", {})
    session.commit()

    stats = run_jobs(factory)

    surges = session.scalars(select(Surge).where(Surge.program_id == program.id)).all()
    queued = session.scalars(
        select(Job).where(Job.name == "payments.watch_demand", Job.status == JobStatus.QUEUED)
    ).all()
    # The watch, each ticket's triage and each ticket.created event handed on.
    assert stats.done == 9
    assert [(s.multiplier, s.waiting, s.capacity) for s in surges] == [(Decimal("1.75"), 4, 1)]
    assert len(queued) == 1
    assert queued[0].run_at - surges[0].announced_at >= timedelta(seconds=59)


def test_an_escalation_is_paid_once_even_when_brand_and_qa_both_send_it(
    session: Session, factory: sessionmaker[Session]
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = escalated_ticket(session, program, expert)
    payments_service.mark_escalation_legitimate(session, brand_admin(brand), ticket.id)
    jobs_service.enqueue(
        session,
        "payments.earn_fee",
        fee_payload("escalation", expert, program, f"qa-review:{ticket.id}", str(ticket.id)),
    )
    session.commit()

    stats = run_jobs(factory)

    amounts = session.scalars(select(Earning.amount).where(Earning.expert_id == expert.id)).all()
    # Both fee jobs, the dispatch the escalation queued, the ticket's triage and its five
    # events handed on (created, offered, assigned, offer accepted, escalated).
    assert (stats.done, stats.failed) == (9, 0)
    assert amounts == [Decimal("3.00")]
