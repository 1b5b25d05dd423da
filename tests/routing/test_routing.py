from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.routing.errors import OfferExpired, OfferNotPending
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, Priority, TicketStatus
from gigcx.tickets.errors import ExpertAtCapacity, OfferNotFound
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import brand_api, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs


def offers_of(session: Session, ticket: Ticket) -> list[Offer]:
    statement = (
        select(Offer).where(Offer.ticket_id == ticket.id).order_by(Offer.created_at, Offer.rank)
    )
    return list(session.scalars(statement))


def owner(offer: Offer) -> Principal:
    return Principal(role=Role.EXPERT, expert_id=offer.expert_id)


def test_ticket_is_offered_to_the_best_eligible_expert(session: Session) -> None:
    program = make_program(session, make_brand(session), languages=("en", "de"), required_level=3)
    make_expert(session, programs=[program], skills={"billing": 3})
    best = make_expert(session, programs=[program], skills={"billing": 5})
    make_expert(session, programs=[program], skills={"billing": 2})  # below the required level
    make_expert(session, programs=[program], languages={"de": 5}, skills={"billing": 5})
    make_expert(session, programs=[program], skills={"billing": 5}, presence=Presence.AWAY)
    make_expert(
        session,
        programs=[program],
        skills={"billing": 5},
        enrollment_status=EnrollmentStatus.PAUSED,
    )
    make_expert(session, programs=[program], skills={"billing": 5}, capacity={"email": 3})
    make_expert(session, programs=[], skills={"billing": 5})  # not enrolled

    ticket = make_ticket(session, program)

    offers = offers_of(session, ticket)
    assert ticket.status == TicketStatus.OFFERED
    assert [(o.expert_id, o.rank, o.status) for o in offers] == [(best.id, 1, OfferStatus.PENDING)]
    assert offers[0].breakdown["terms"]["skill"]["value"] == 1.0
    offered_for = offers[0].expires_at - offers[0].created_at
    assert round(offered_for.total_seconds()) == program.offer_ttl_seconds


def test_in_house_only_category_is_escalated_without_an_offer(session: Session) -> None:
    program = make_program(session, make_brand(session))
    make_expert(session, programs=[program], skills={"billing": 5, "legal": 5})

    ticket = make_ticket(session, program, category="legal")

    assert ticket.status == TicketStatus.ESCALATED
    assert ticket.escalation_reason == "in-house-only category"
    assert offers_of(session, ticket) == []


def test_no_eligible_expert_online_escalates(session: Session) -> None:
    program = make_program(session, make_brand(session))
    make_expert(session, programs=[program], presence=Presence.OFFLINE)

    ticket = make_ticket(session, program)

    assert ticket.status == TicketStatus.ESCALATED
    assert ticket.escalation_reason == "no eligible expert online"


def test_accepting_assigns_and_rescinds_the_other_offers(session: Session) -> None:
    program = make_program(session, make_brand(session), offers_at_once=3)
    for _ in range(3):
        make_expert(session, programs=[program])
    ticket = make_ticket(session, program)
    offers = offers_of(session, ticket)
    assert len(offers) == 3

    routing_service.accept_offer(session, owner(offers[1]), offers[1].id)

    session.refresh(ticket)
    assert ticket.status == TicketStatus.ASSIGNED
    assert ticket.assignee_id == offers[1].expert_id
    assert [o.status for o in offers_of(session, ticket)] == [
        OfferStatus.RESCINDED,
        OfferStatus.ACCEPTED,
        OfferStatus.RESCINDED,
    ]
    with pytest.raises(OfferNotPending):
        routing_service.accept_offer(session, owner(offers[0]), offers[0].id)


def test_an_expert_cannot_answer_someone_elses_offer(session: Session) -> None:
    program = make_program(session, make_brand(session))
    make_expert(session, programs=[program])
    other = make_expert(session, programs=[program], presence=Presence.OFFLINE)
    ticket = make_ticket(session, program)
    offer = offers_of(session, ticket)[0]

    with pytest.raises(OfferNotFound):
        routing_service.accept_offer(session, as_expert(other), offer.id)

    session.refresh(offer)
    assert offer.status == OfferStatus.PENDING


def test_decline_offers_the_ticket_to_the_next_best(session: Session) -> None:
    program = make_program(session, make_brand(session))
    first = make_expert(session, programs=[program], skills={"billing": 5})
    second = make_expert(session, programs=[program], skills={"billing": 3})
    ticket = make_ticket(session, program)

    routing_service.decline_offer(session, as_expert(first), offers_of(session, ticket)[0].id)

    offers = offers_of(session, ticket)
    assert [(o.expert_id, o.status) for o in offers] == [
        (first.id, OfferStatus.DECLINED),
        (second.id, OfferStatus.PENDING),
    ]
    assert ticket.status == TicketStatus.OFFERED
    assert ticket.offer_count == 2


def test_when_everyone_declines_the_ticket_is_escalated(session: Session) -> None:
    program = make_program(session, make_brand(session))
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program)

    routing_service.decline_offer(session, as_expert(expert), offers_of(session, ticket)[0].id)

    assert ticket.status == TicketStatus.ESCALATED
    assert ticket.escalation_reason == "no eligible expert online"


def test_max_offers_escalates(session: Session) -> None:
    program = make_program(session, make_brand(session), max_offers=2)
    experts = [make_expert(session, programs=[program]) for _ in range(3)]
    ticket = make_ticket(session, program)

    for _ in range(2):
        pending = [o for o in offers_of(session, ticket) if o.status == OfferStatus.PENDING]
        routing_service.decline_offer(session, owner(pending[0]), pending[0].id)

    assert ticket.status == TicketStatus.ESCALATED
    assert ticket.escalation_reason == "max offers reached"
    assert len(offers_of(session, ticket)) == 2
    assert len(experts) == 3


def test_an_expired_offer_cannot_be_accepted_and_the_runner_reoffers(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session), offer_ttl_seconds=60)
    first = make_expert(session, programs=[program], skills={"billing": 5})
    second = make_expert(session, programs=[program], skills={"billing": 2})
    ticket = make_ticket(session, program)
    offer = offers_of(session, ticket)[0]
    session.commit()

    with clock.shifted(timedelta(seconds=61)):
        with pytest.raises(OfferExpired):
            routing_service.accept_offer(session, as_expert(first), offer.id)
        session.rollback()
        run_jobs(factory)

    session.expire_all()
    assert [(o.expert_id, o.status) for o in offers_of(session, ticket)] == [
        (first.id, OfferStatus.EXPIRED),
        (second.id, OfferStatus.PENDING),
    ]


def test_an_expert_at_capacity_gets_no_offer_and_the_ticket_queues(session: Session) -> None:
    program = make_program(session, make_brand(session), offers_at_once=1)
    expert = make_expert(session, programs=[program], capacity={"chat": 1})
    first = make_ticket(session, program)
    routing_service.accept_offer(session, as_expert(expert), offers_of(session, first)[0].id)
    second = make_ticket(session, program)

    assert second.status == TicketStatus.QUEUED
    assert offers_of(session, second) == []


def test_accepting_beyond_capacity_is_refused(session: Session) -> None:
    program = make_program(session, make_brand(session), offers_at_once=1)
    expert = make_expert(session, programs=[program], capacity={"chat": 2})
    first = make_ticket(session, program)
    second = make_ticket(session, program)
    assert len(offers_of(session, second)) == 1
    expert.capacities[0].max_concurrent = 1
    session.flush()
    routing_service.accept_offer(session, as_expert(expert), offers_of(session, first)[0].id)

    with pytest.raises(ExpertAtCapacity):
        routing_service.accept_offer(session, as_expert(expert), offers_of(session, second)[0].id)


def test_queued_work_is_dispatched_by_priority_then_age(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session))
    expert = make_expert(session, programs=[program], capacity={"chat": 1})
    busy = make_ticket(session, program)
    routing_service.accept_offer(session, as_expert(expert), offers_of(session, busy)[0].id)
    older_normal = make_ticket(session, program)
    urgent = make_ticket(session, program, priority=Priority.URGENT)
    assert (older_normal.status, urgent.status) == (TicketStatus.QUEUED, TicketStatus.QUEUED)

    tickets_service.resolve(session, as_expert(expert), busy.id)
    session.commit()
    run_jobs(factory)

    session.expire_all()
    assert [o.expert_id for o in offers_of(session, urgent)] == [expert.id]
    assert offers_of(session, older_normal) == []


def test_a_follow_up_goes_back_to_the_expert_who_handled_it(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session))
    handler = make_expert(session, programs=[program], skills={"billing": 1})
    make_expert(session, programs=[program], skills={"billing": 5})
    ticket = make_ticket(session, program, route=False)
    ticket.last_expert_id = handler.id
    session.flush()

    outcome = routing_service.route_locked(session, ticket)

    assert [o.expert_id for o in outcome.offers] == [handler.id]
    assert outcome.offers[0].breakdown["previous_expert"] is True


def test_reopened_ticket_is_routed_by_the_runner(
    session: Session, factory: sessionmaker[Session]
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program)
    routing_service.accept_offer(session, as_expert(expert), offers_of(session, ticket)[0].id)
    tickets_service.resolve(session, as_expert(expert), ticket.id)

    tickets_service.add_customer_message(session, brand_api(brand), ticket.id, "Still broken!")
    session.commit()
    run_jobs(factory)

    session.expire_all()
    assert ticket.status == TicketStatus.OFFERED
    assert offers_of(session, ticket)[-1].expert_id == expert.id


def test_max_wait_escalates_a_ticket_nobody_took(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session), max_wait_seconds=600)
    expert = make_expert(session, programs=[program], capacity={"chat": 1})
    busy = make_ticket(session, program)
    routing_service.accept_offer(session, as_expert(expert), offers_of(session, busy)[0].id)
    waiting = make_ticket(session, program)
    session.commit()

    with clock.shifted(timedelta(seconds=601)):
        run_jobs(factory)

    session.expire_all()
    assert waiting.status == TicketStatus.ESCALATED
    assert waiting.escalation_reason == "max wait exceeded"
    assert busy.status == TicketStatus.ASSIGNED
