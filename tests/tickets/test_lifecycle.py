from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Brand
from gigcx.errors import PermissionDenied
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import ALLOWED_TRANSITIONS, AuthorKind, TicketStatus
from gigcx.tickets.errors import (
    NotTheAssignee,
    TicketClosed,
    TicketNotFound,
    TransitionNotAllowed,
)
from gigcx.tickets.models import Assignment, Offer, Ticket
from tests.factories.brands import brand_admin, brand_api, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs


def assigned_ticket(session: Session, **program_rules: Any) -> tuple[Ticket, Expert]:
    brand = make_brand(session)
    program = make_program(session, brand, **program_rules)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(session, program)
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    routing_service.accept_offer(session, as_expert(expert), offer.id)
    return ticket, expert


def current_status(session: Session, ticket: Ticket) -> TicketStatus:
    session.refresh(ticket)
    return TicketStatus(ticket.status)


def statuses_in_audit(session: Session, ticket: Ticket) -> list[str]:
    events = audit_service.list_events(session, subject_type="ticket", subject_id=ticket.id)
    return [e.data["to"] for e in events if e.action == "ticket.status_changed"]


def test_every_status_has_a_row_in_the_transition_table() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(TicketStatus)
    assert ALLOWED_TRANSITIONS[TicketStatus.CLOSED] == frozenset()
    assert ALLOWED_TRANSITIONS[TicketStatus.CANCELED] == frozenset()


def test_intake_sets_sla_due_times_from_the_program(session: Session) -> None:
    program = make_program(
        session, make_brand(session), first_response_seconds=600, resolution_seconds=7200
    )

    ticket = make_ticket(session, program, route=False)

    assert ticket.status == TicketStatus.NEW
    assert ticket.first_response_due_at - ticket.created_at == timedelta(seconds=600)
    assert ticket.resolution_due_at - ticket.created_at == timedelta(seconds=7200)
    assert [m.author_kind for m in ticket.messages] == [AuthorKind.CUSTOMER]


def test_a_transition_outside_the_table_is_refused_and_not_audited(session: Session) -> None:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(session, program, route=False)

    with pytest.raises(TransitionNotAllowed) as error:
        tickets_service.transition(session, ticket, TicketStatus.CLOSED, actor=SYSTEM)

    assert "cannot become closed" in error.value.detail
    assert ticket.status == TicketStatus.NEW
    assert statuses_in_audit(session, ticket) == []


def test_the_whole_life_of_a_ticket_is_audited(session: Session) -> None:
    ticket, expert = assigned_ticket(session)
    me = as_expert(expert)

    tickets_service.reply(session, me, ticket.id, "Here is your refund.", is_internal=False)
    tickets_service.mark_waiting(session, me, ticket.id)
    tickets_service.add_customer_message(
        session, brand_api_of(session, ticket), ticket.id, "Thanks, one more thing"
    )
    tickets_service.resolve(session, me, ticket.id)

    assert statuses_in_audit(session, ticket) == [
        "queued",
        "offered",
        "assigned",
        "waiting_on_customer",
        "assigned",
        "resolved",
    ]
    assert ticket.first_response_at is not None
    assert ticket.assignee_id is None
    assignment = session.scalars(select(Assignment).where(Assignment.ticket_id == ticket.id)).one()
    assert assignment.end_reason == "resolved"


def brand_api_of(session: Session, ticket: Ticket) -> Principal:
    return brand_api(session.get_one(Brand, ticket.brand_id))


def test_waiting_on_the_customer_pauses_the_resolution_clock(session: Session) -> None:
    ticket, expert = assigned_ticket(session)
    due_before = ticket.resolution_due_at
    started = clock.now()
    tickets_service.mark_waiting(session, as_expert(expert), ticket.id)

    with clock.shifted(timedelta(hours=2)):
        tickets_service.add_customer_message(
            session, brand_api_of(session, ticket), ticket.id, "Back again"
        )
    took = clock.now() - started  # however slow the machine, the pause is two hours and this

    paused_for = ticket.resolution_due_at - due_before
    assert timedelta(hours=2) <= paused_for <= timedelta(hours=2) + took


def test_only_the_assignee_can_resolve(session: Session) -> None:
    program = make_program(session, make_brand(session), offers_at_once=2)
    winner, loser = (
        make_expert(session, programs=[program]),
        make_expert(session, programs=[program]),
    )
    ticket = make_ticket(session, program)
    offer = session.scalars(
        select(Offer).where(Offer.ticket_id == ticket.id, Offer.expert_id == winner.id)
    ).one()
    stranger = make_expert(session)

    with pytest.raises(NotTheAssignee):  # offered, not yet anyone's
        tickets_service.resolve(session, as_expert(loser), ticket.id)
    routing_service.accept_offer(session, as_expert(winner), offer.id)
    with pytest.raises(TicketNotFound):  # the rescinded offer no longer lets them read it
        tickets_service.resolve(session, as_expert(loser), ticket.id)
    with pytest.raises(TicketNotFound):
        tickets_service.resolve(session, as_expert(stranger), ticket.id)

    assert ticket.status == TicketStatus.ASSIGNED


def test_experts_cannot_cancel(session: Session) -> None:
    ticket, expert = assigned_ticket(session)

    with pytest.raises(PermissionDenied):
        tickets_service.cancel(session, as_expert(expert), ticket.id)

    assert ticket.status == TicketStatus.ASSIGNED


def test_escalation_by_the_expert_frees_them_and_keeps_the_reason(session: Session) -> None:
    ticket, expert = assigned_ticket(session)

    tickets_service.escalate(
        session, as_expert(expert), ticket.id, reason="needs a refund over my limit"
    )

    assert ticket.status == TicketStatus.ESCALATED
    assert ticket.escalation_reason == "needs a refund over my limit"
    assert ticket.assignee_id is None


def test_in_house_staff_resolve_escalated_tickets(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    ticket = make_ticket(session, program, category="legal")

    tickets_service.reply(
        session, brand_admin(brand), ticket.id, "We will call you.", is_internal=False
    )
    tickets_service.resolve(session, brand_admin(brand), ticket.id)

    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.messages[-1].author_kind == AuthorKind.AGENT


def test_silence_resolves_then_closes_and_pays_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, expert = assigned_ticket(
        session, auto_resolve_after_seconds=3600, auto_close_after_seconds=7200
    )
    tickets_service.mark_waiting(session, as_expert(expert), ticket.id)
    session.commit()

    with clock.shifted(timedelta(seconds=3601)):
        run_jobs(factory)
    assert current_status(session, ticket) == TicketStatus.RESOLVED
    with clock.shifted(timedelta(seconds=3601 + 7201)):
        run_jobs(factory)

    assert current_status(session, ticket) == TicketStatus.CLOSED
    with pytest.raises(TicketClosed):
        tickets_service.add_customer_message(
            session, brand_api_of(session, ticket), ticket.id, "hello?"
        )


def test_first_response_breach_is_recorded_once(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, _ = assigned_ticket(session, first_response_seconds=600)
    session.commit()

    with clock.shifted(timedelta(seconds=601)):
        run_jobs(factory)
        run_jobs(factory)
    session.expire_all()

    events = audit_service.list_events(session, subject_type="ticket", subject_id=ticket.id)
    sla_actions = [e.action for e in events if e.action.startswith("sla.")]
    assert sla_actions == ["sla.first_response.at_risk", "sla.first_response.breached"]
    assert ticket.first_response_breached is True
    assert ticket.resolution_breached is False


def test_an_answered_ticket_does_not_breach_first_response(
    session: Session, factory: sessionmaker[Session]
) -> None:
    ticket, expert = assigned_ticket(session, first_response_seconds=600)
    tickets_service.reply(session, as_expert(expert), ticket.id, "On it!", is_internal=False)
    session.commit()

    with clock.shifted(timedelta(seconds=601)):
        run_jobs(factory)
    session.expire_all()

    assert ticket.first_response_breached is False
