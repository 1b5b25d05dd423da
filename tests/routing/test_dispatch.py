"""Work never waits while someone is free: every way capacity frees up dispatches the queue."""

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit.models import AuditEvent
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.experts.models import Expert
from gigcx.experts.schemas import ExpertProfile
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.routing.enums import WaitReason
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, Priority, TicketStatus
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import brand_api, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs


def offers_of(session: Session, ticket: Ticket) -> list[tuple[uuid.UUID, str]]:
    statement = (
        select(Offer.expert_id, Offer.status)
        .where(Offer.ticket_id == ticket.id)
        .order_by(Offer.created_at, Offer.rank)
    )
    return [(expert_id, status) for expert_id, status in session.execute(statement)]


def pending_offer(session: Session, ticket: Ticket) -> Offer:
    return session.scalars(
        select(Offer).where(Offer.ticket_id == ticket.id, Offer.status == OfferStatus.PENDING)
    ).one()


def test_a_decline_frees_the_expert_for_the_next_queued_ticket(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given two experts with room for one chat each, both holding an offer, and a third ticket
    program = make_program(session, make_brand(session), max_offers=10)
    anna = make_expert(session, programs=[program], skills={"billing": 5}, capacity={"chat": 1})
    ben = make_expert(session, programs=[program], skills={"billing": 3}, capacity={"chat": 1})
    first = make_ticket(session, program)
    second = make_ticket(session, program)
    third = make_ticket(session, program)
    assert [first.status, second.status, third.status] == [
        TicketStatus.OFFERED,
        TicketStatus.OFFERED,
        TicketStatus.QUEUED,
    ]
    assert offers_of(session, first) == [(anna.id, OfferStatus.PENDING)]

    # When Anna declines the first ticket (Ben is full, so it queues) and the runner runs
    routing_service.decline_offer(session, as_expert(anna), pending_offer(session, first).id)
    session.commit()
    run_jobs(factory)

    # Then Anna, free again, is offered the waiting third ticket
    session.expire_all()
    assert first.status == TicketStatus.QUEUED
    assert offers_of(session, third) == [(anna.id, OfferStatus.PENDING)]
    assert [o for o in offers_of(session, first) if o[0] == ben.id] == []


def test_an_offer_that_lapses_frees_the_expert_for_other_queued_work(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given Anna (one chat) holding an offer, Ben busy, and a second ticket queued
    program = make_program(session, make_brand(session), offer_ttl_seconds=60, max_offers=10)
    anna = make_expert(session, programs=[program], skills={"billing": 5}, capacity={"chat": 1})
    ben = make_expert(session, programs=[program], skills={"billing": 3}, capacity={"chat": 1})
    busy = make_ticket(session, program)
    routing_service.decline_offer(session, as_expert(anna), pending_offer(session, busy).id)
    routing_service.accept_offer(session, as_expert(ben), pending_offer(session, busy).id)
    lapsing = make_ticket(session, program)
    waiting = make_ticket(session, program)
    assert offers_of(session, lapsing) == [(anna.id, OfferStatus.PENDING)]
    assert waiting.status == TicketStatus.QUEUED
    session.commit()

    # When Anna lets her offer lapse
    with clock.shifted(timedelta(seconds=61)):
        run_jobs(factory)

    # Then the lapsed ticket waits for Ben, and Anna is offered the other one
    session.expire_all()
    assert offers_of(session, lapsing) == [(anna.id, OfferStatus.EXPIRED)]
    assert lapsing.status == TicketStatus.QUEUED
    assert offers_of(session, waiting) == [(anna.id, OfferStatus.PENDING)]


def test_pending_offers_count_against_their_own_channel_only(session: Session) -> None:
    # Given an expert with one chat seat and one email seat, holding a chat offer
    program = make_program(session, make_brand(session))
    anna = make_expert(session, programs=[program], capacity={"chat": 1, "email": 1})
    chat = make_ticket(session, program, channel="chat")
    assert offers_of(session, chat) == [(anna.id, OfferStatus.PENDING)]

    # When an email ticket comes in
    email = make_ticket(session, program, channel="email")

    # Then it is offered to her too: the chat offer holds a chat seat, not an email one
    assert offers_of(session, email) == [(anna.id, OfferStatus.PENDING)]
    breakdown = session.scalars(select(Offer.breakdown).where(Offer.ticket_id == email.id)).one()
    assert (breakdown["inputs"]["pending_offers"], breakdown["terms"]["load"]["value"]) == (0, 1.0)


def test_more_capacity_in_the_profile_pulls_queued_work(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given Anna working her only chat seat and a ticket waiting
    program = make_program(session, make_brand(session))
    anna = make_expert(session, programs=[program], capacity={"chat": 1})
    busy = make_ticket(session, program)
    routing_service.accept_offer(session, as_expert(anna), pending_offer(session, busy).id)
    waiting = make_ticket(session, program)
    assert waiting.status == TicketStatus.QUEUED
    session.commit()

    # When she raises her chat capacity to two
    experts_service.update_profile(session, as_expert(anna), ExpertProfile(capacity={"chat": 2}))
    session.commit()
    run_jobs(factory)

    # Then the waiting ticket is offered to her
    session.expire_all()
    assert offers_of(session, waiting) == [(anna.id, OfferStatus.PENDING)]


def test_resolving_in_one_program_pulls_work_from_the_experts_other_program(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given Anna in two programs with one chat seat, working a ticket of the first
    brand = make_brand(session)
    first_program = make_program(session, brand)
    second_program = make_program(session, brand)
    anna = make_expert(session, programs=[first_program, second_program], capacity={"chat": 1})
    busy = make_ticket(session, first_program)
    routing_service.accept_offer(session, as_expert(anna), pending_offer(session, busy).id)
    waiting = make_ticket(session, second_program)
    assert waiting.status == TicketStatus.QUEUED
    session.commit()

    # When she resolves it
    tickets_service.resolve(session, as_expert(anna), busy.id)
    session.commit()
    run_jobs(factory)

    # Then the second program's waiting ticket is offered to her
    session.expire_all()
    assert offers_of(session, waiting) == [(anna.id, OfferStatus.PENDING)]


def test_going_available_and_escalating_both_dispatch(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given Anna away and Ben working his only seat, with a ticket waiting for one of them
    program = make_program(session, make_brand(session))
    anna = make_expert(session, programs=[program], capacity={"chat": 1})
    ben = make_expert(session, programs=[program], capacity={"chat": 1})
    busy = make_ticket(session, program)
    holder = anna if pending_offer(session, busy).expert_id == anna.id else ben
    routing_service.accept_offer(session, as_expert(holder), pending_offer(session, busy).id)
    other = ben if holder is anna else anna
    experts_service.set_presence(session, as_expert(other), Presence.AWAY)
    waiting = make_ticket(session, program)
    later = make_ticket(session, program)
    assert (waiting.status, later.status) == (TicketStatus.QUEUED, TicketStatus.QUEUED)
    session.commit()

    # When the holder escalates, and the other comes back
    tickets_service.escalate(session, as_expert(holder), busy.id, reason="needs a refund")
    experts_service.set_presence(session, as_expert(other), Presence.AVAILABLE)
    session.commit()
    run_jobs(factory)

    # Then both waiting tickets are offered, one to each
    session.expire_all()
    assert sorted([offers_of(session, waiting)[0][0], offers_of(session, later)[0][0]]) == sorted(
        [anna.id, ben.id]
    )


def test_queued_work_ages_one_priority_step_per_interval(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given a program where queued work gains a priority step every 10 minutes, and a busy expert
    program = make_program(
        session, make_brand(session), aging_seconds=600, max_wait_seconds=24 * 3600
    )
    anna = make_expert(session, programs=[program], capacity={"chat": 1})
    busy = make_ticket(session, program)
    routing_service.accept_offer(session, as_expert(anna), pending_offer(session, busy).id)
    start = clock.now()
    with clock.travel_to(start - timedelta(minutes=25)):
        low = make_ticket(session, program, priority=Priority.LOW)
    with clock.travel_to(start - timedelta(minutes=5)):
        urgent = make_ticket(session, program, priority=Priority.URGENT)
    normal = make_ticket(session, program, priority=Priority.NORMAL)
    assert {t.status for t in (low, urgent, normal)} == {TicketStatus.QUEUED}
    # low: 4 - 25/10 = 1.5; urgent: 1 - 5/10 = 0.5; normal: 3 - 0 = 3
    assert [
        round(routing_service.effective_priority(t, program, start), 2)
        for t in (low, urgent, normal)
    ] == [1.5, 0.5, 3.0]
    session.commit()

    # When Anna's seat frees up three times
    served = []
    for _ in range(3):
        ticket = session.scalars(select(Ticket).where(Ticket.assignee_id == anna.id)).one()
        tickets_service.resolve(session, as_expert(anna), ticket.id)
        session.commit()
        run_jobs(factory)
        session.expire_all()
        offer = session.scalars(
            select(Offer).where(Offer.expert_id == anna.id, Offer.status == OfferStatus.PENDING)
        ).one()
        served.append(offer.ticket_id)
        routing_service.accept_offer(session, as_expert(anna), offer.id)
        session.commit()

    # Then the long-waiting low ticket went before the fresh normal one, after the urgent one
    assert served == [urgent.id, low.id, normal.id]


def test_a_reopened_ticket_gets_its_max_wait_and_resolution_clocks_again(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given a ticket resolved in its first 5 minutes, and its expert then busy elsewhere
    brand = make_brand(session)
    program = make_program(
        session, brand, max_wait_seconds=30 * 60, resolution_seconds=3600, offers_at_once=1
    )
    anna = make_expert(session, programs=[program], capacity={"chat": 1})
    start = clock.now()
    ticket = make_ticket(session, program)
    routing_service.accept_offer(session, as_expert(anna), pending_offer(session, ticket).id)
    with clock.travel_to(start + timedelta(minutes=5)):
        tickets_service.resolve(session, as_expert(anna), ticket.id)
        other = make_ticket(session, program)
        routing_service.accept_offer(session, as_expert(anna), pending_offer(session, other).id)
    session.commit()
    run_jobs(factory)

    # When the customer follows up ten minutes in (Anna has no room, so it waits)
    reopened_at = start + timedelta(minutes=10)
    with clock.travel_to(reopened_at):
        tickets_service.add_customer_message(session, brand_api(brand), ticket.id, "Again!")
        session.commit()
        run_jobs(factory)
    session.expire_all()
    assert ticket.status == TicketStatus.QUEUED
    assert ticket.resolution_due_at - reopened_at < timedelta(hours=1, seconds=1)
    assert ticket.resolution_due_at - reopened_at >= timedelta(hours=1)

    # Then the first round's max-wait check (30 minutes after intake) leaves it waiting
    with clock.travel_to(start + timedelta(minutes=31)):
        run_jobs(factory)
    session.expire_all()
    assert ticket.status == TicketStatus.QUEUED
    # and this round's check, 30 minutes after the follow-up, sends it in house
    with clock.travel_to(reopened_at + timedelta(minutes=30, seconds=1)):
        run_jobs(factory)
    session.expire_all()
    assert (ticket.status, ticket.escalation_reason) == (
        TicketStatus.ESCALATED,
        "max wait exceeded",
    )
    # and the resolution clock of the new round was watched too
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_id == ticket.id, AuditEvent.action.like("sla.resolution%"))
        .order_by(AuditEvent.created_at)
    ).all()
    assert actions == []  # escalated before the new round was at risk
    with clock.travel_to(reopened_at + timedelta(minutes=61)):
        run_jobs(factory)
    session.expire_all()
    breaches = session.scalars(
        select(AuditEvent.data).where(
            AuditEvent.subject_id == ticket.id, AuditEvent.action == "sla.resolution.breached"
        )
    ).all()
    assert [b["due_at"] for b in breaches] == [ticket.resolution_due_at.isoformat()]


def test_letting_offers_lapse_in_a_row_sets_the_expert_away_with_a_notice(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given Anna, who answers nothing, and a colleague who takes what she lets lapse
    program = make_program(session, make_brand(session), offer_ttl_seconds=60, max_offers=10)
    anna = make_expert(session, programs=[program], skills={"billing": 5}, capacity={"chat": 1})
    make_expert(session, programs=[program], skills={"billing": 1}, capacity={"chat": 5})
    session.commit()

    # When she lets two offers lapse, declines one, then lets three more lapse
    def lapse_one() -> None:
        ticket = make_ticket(session, program)
        assert offers_of(session, ticket)[0] == (anna.id, OfferStatus.PENDING)
        session.commit()
        with clock.shifted(timedelta(seconds=61)):
            run_jobs(factory)
        session.expire_all()

    lapse_one()
    lapse_one()
    declined = make_ticket(session, program)
    routing_service.decline_offer(session, as_expert(anna), pending_offer(session, declined).id)
    session.commit()
    lapse_one()
    lapse_one()
    assert session.get_one(Expert, anna.id).presence == Presence.AVAILABLE
    lapse_one()

    # Then the third lapse in a row sets her away, audited, with a notice saying why
    expert = session.get_one(Expert, anna.id)
    assert (expert.presence, expert.offers_lapsed_in_a_row) == (Presence.AWAY, 3)
    events = session.scalars(
        select(AuditEvent.data).where(
            AuditEvent.subject_id == anna.id, AuditEvent.action == "expert.set_away"
        )
    ).all()
    assert events == [{"reason": "offers lapsed", "offers_lapsed_in_a_row": 3}]
    notice = experts_service.away_notice(expert, limit=3)
    assert notice is not None and "3 offers in a row lapse" in notice
    # and coming back clears the streak and the notice
    experts_service.set_presence(session, as_expert(anna), Presence.AVAILABLE)
    assert experts_service.away_notice(expert, limit=3) is None
    assert expert.offers_lapsed_in_a_row == 0


def test_why_a_ticket_waits(session: Session, factory: sessionmaker[Session]) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    staff = brand_api(brand)
    anna = make_expert(session, programs=[program], capacity={"chat": 1})
    busy = make_ticket(session, program)
    offered = routing_service.why_waiting(session, staff, busy.id)
    assert offered is not None and offered.reason == WaitReason.OFFERED
    assert offered.details[0].startswith("Offered to 1 expert; the first answer is due by ")

    # All at capacity
    routing_service.accept_offer(session, as_expert(anna), pending_offer(session, busy).id)
    waiting = make_ticket(session, program)
    explained = routing_service.why_waiting(session, staff, waiting.id)
    assert explained is not None
    assert explained.sentence == "Every eligible expert online is at capacity."
    assert explained.details == [
        "1 expert online could take it; they hold 1 of their 1 chat seats "
        "(tickets and pending offers)."
    ]
    assert routing_service.why_waiting(session, staff, busy.id) is None

    # Nobody eligible online
    experts_service.set_presence(session, as_expert(anna), Presence.OFFLINE)
    explained = routing_service.why_waiting(session, staff, waiting.id)
    assert explained is not None
    assert explained.reason == WaitReason.NO_EXPERT_ONLINE
    assert explained.details == [
        "1 expert in the program could take it; none is available right now."
    ]
    assert explained.escalates_at == waiting.created_at + timedelta(
        seconds=program.max_wait_seconds
    )


def test_only_a_ticket_left_queued_asks_for_another_look(session: Session) -> None:
    # Given an expert with room: a new ticket is offered and needs no further dispatch
    program = make_program(session, make_brand(session))
    make_expert(session, programs=[program], capacity={"chat": 1})
    make_ticket(session, program)
    dispatches = select(Job.payload).where(
        Job.name == "routing.dispatch", Job.status == JobStatus.QUEUED
    )
    assert session.scalars(dispatches).all() == []

    # When the next one finds everyone at capacity
    make_ticket(session, program)

    # Then a dispatch of the program looks again after the commit
    assert session.scalars(dispatches).all() == [{"program_id": str(program.id)}]
