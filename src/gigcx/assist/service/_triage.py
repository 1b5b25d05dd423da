"""Triage stored on tickets: run by the job runner right after intake."""

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.ai import triage as ai_triage
from gigcx.assist.enums import IntentSource
from gigcx.assist.models import Triage
from gigcx.assist.service._models import has_model, model_for
from gigcx.assist.service._settings import settings_for
from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.enums import Complexity
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OPEN_STATUSES, AuthorKind, TicketStatus
from gigcx.tickets.models import Customer, Ticket

HISTORY_DAYS = 30


def routes_after_triage(session: Session, program_id: uuid.UUID) -> bool:
    """Whether routing waits for triage: when the program has an intent model to read tickets."""
    return has_model(session, program_id)


def first_customer_text(ticket: Ticket) -> str:
    for message in ticket.messages:
        if message.author_kind == AuthorKind.CUSTOMER:
            return message.body
    return ""


def _history(session: Session, ticket: Ticket) -> ai_triage.CustomerHistory:
    since = clock.now() - timedelta(days=HISTORY_DAYS)
    others = (
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.customer_id == ticket.customer_id, Ticket.id != ticket.id)
    )
    recent = session.scalar(others.where(Ticket.created_at >= since)) or 0
    still_open = session.scalar(others.where(Ticket.status.in_(OPEN_STATUSES))) or 0
    return ai_triage.CustomerHistory(recent_tickets=recent, open_tickets=still_open)


# Before any offer: what triage sets here changes no pay anyone was shown.
UNPRICED_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.QUEUED})


def _settle_topic(
    session: Session,
    ticket: Ticket,
    stored: Triage,
    result: ai_triage.TriageResult,
    *,
    is_unpriced: bool,
    changes: dict[str, str],
) -> None:
    """Keep the customer's topic unless the model is sure enough of another; flag doubts."""
    intent, confidence = result.intent, result.intent_confidence or 0.0
    if intent is None or intent == ticket.category or ticket.program.category(intent) is None:
        return
    chosen = stored.chosen_category
    override_at = settings_for(session, ticket.program_id).topic_override_confidence
    if (
        is_unpriced
        and ticket.status == TicketStatus.NEW
        and (chosen is None or confidence >= override_at)
    ):
        changes["category"] = f"{ticket.category} -> {intent}"
        if chosen is not None:
            stored.notes = [
                *stored.notes,
                f"the customer chose {chosen}; the model reads {intent} ({confidence:.2f}, "
                f"at least {override_at:.2f}): topic changed",
            ]
        ticket.category = intent
        return
    stored.is_topic_disputed = True
    changes["topic_disputed"] = f"{ticket.category} vs {intent} ({confidence:.2f})"
    who = "the customer chose" if chosen is not None else "the ticket's topic is"
    stored.notes = [
        *stored.notes,
        f"{who} {ticket.category}; the model reads {intent} ({confidence:.2f}): topic kept, "
        "for the expert to judge",
    ]


def triage_of(session: Session, ticket_id: uuid.UUID) -> Triage | None:
    return session.scalar(select(Triage).where(Triage.ticket_id == ticket_id))


def readable_triage(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Triage | None:
    """The triage of a ticket the principal may read."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    return triage_of(session, ticket.id)


def triage_ticket(
    session: Session,
    ticket_id: uuid.UUID,
    *,
    set_priority: bool = True,
    set_complexity: bool = True,
    is_category_chosen: bool = True,
) -> Triage:
    """Triage a ticket once and store the result; running it again returns the stored triage.

    A topic the customer chose stays unless the model reads another with at least the
    program's ``topic_override_confidence``; a weaker disagreement is stored on the triage for
    the expert to see. Complexity and category never change once the ticket was offered: the
    pay an offer shows is the pay earned."""
    ticket = tickets_service.lock_ticket(session, SYSTEM, ticket_id)
    existing = triage_of(session, ticket.id)
    if existing is not None:
        return existing
    program = ticket.program
    customer = session.get_one(Customer, ticket.customer_id)
    model = model_for(session, program.id)
    result = ai_triage.triage(
        first_customer_text(ticket),
        languages=list(program.languages),
        intent_model=model,
        history=_history(session, ticket),
        known_names=[customer.name] if customer.name else [],
    )
    stored = Triage(
        ticket_id=ticket.id,
        language=result.language,
        sentiment_score=result.sentiment.score,
        sentiment_label=result.sentiment.label,
        intent=result.intent,
        intent_confidence=result.intent_confidence,
        is_intent_recognised=result.is_intent_recognised,
        intent_source=IntentSource.MODEL if model is not None else IntentSource.RULES,
        priority=result.priority,
        complexity=Complexity(result.complexity),
        pii=[span.as_dict() for span in result.pii],
        model_version=result.model_version,
        notes=list(result.notes),
        chosen_category=ticket.category if is_category_chosen else None,
    )
    session.add(stored)
    changes: dict[str, str] = {}
    if set_priority and ticket.priority != result.priority:
        changes["priority"] = f"{ticket.priority} -> {result.priority}"
        ticket.priority = result.priority
    is_unpriced = ticket.status in UNPRICED_STATUSES
    if set_complexity and ticket.complexity != result.complexity:
        if is_unpriced:
            changes["complexity"] = f"{ticket.complexity} -> {result.complexity}"
            ticket.complexity = Complexity(result.complexity)
        elif ticket.status in OPEN_STATUSES:
            stored.notes = [
                *stored.notes,
                f"complexity kept at {ticket.complexity}: the ticket was already offered "
                f"(triage reads {result.complexity})",
            ]
    _settle_topic(session, ticket, stored, result, is_unpriced=is_unpriced, changes=changes)
    audit_service.record(
        session,
        actor=SYSTEM,
        action="ticket.triaged",
        subject_type="ticket",
        subject_id=ticket.id,
        brand_id=ticket.brand_id,
        data={
            "language": result.language,
            "intent": result.intent,
            "confidence": result.intent_confidence,
            "model_version": result.model_version,
            **changes,
        },
    )
    session.flush()
    return stored
