"""Pay for work other than resolutions: onboarding, reviews, legitimate escalations, royalties."""

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.errors import PermissionDenied
from gigcx.jobs import service as jobs_service
from gigcx.kit.money import quantize
from gigcx.payments.enums import EarningKind, FeeKind
from gigcx.payments.errors import EscalationNotPayable
from gigcx.payments.models import Earning
from gigcx.payments.service._ledger import append
from gigcx.payments.service._quotes import price_task
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AssignmentEnd
from gigcx.tickets.models import Assignment, Ticket

LEGITIMATE = "ticket.escalation_legitimate"
FEE_KINDS = {
    FeeKind.ONBOARDING: EarningKind.ONBOARDING,
    FeeKind.REVIEW: EarningKind.REVIEW,
    FeeKind.ESCALATION: EarningKind.ESCALATION,
    FeeKind.ROYALTY: EarningKind.ROYALTY,
}


def earn_fee(
    session: Session,
    *,
    kind: FeeKind,
    expert_id: uuid.UUID,
    program_id: uuid.UUID,
    source_key: str,
    reference: str,
) -> Earning | None:
    """Pay a program's fee for onboarding, a review or an escalation, once per source key.

    Onboarding and reviews pay the program's fixed fee; an escalation pays the program's
    escalation share of what the task would have paid as the expert's offer quoted it
    (``reference`` is then the ticket id, and the entry is keyed by ticket and expert, so it is
    paid once whoever marks it). A royalty pays the program's royalty amount to the author of the
    approved answer (``reference``) with which the bot resolved a ticket. A fee of zero adds no
    entry.
    """
    if kind == FeeKind.ESCALATION:
        # One escalation share per ticket and expert, whoever (brand or QA) judged it.
        source_key = escalation_source_key(uuid.UUID(reference), expert_id)
    key = f"{kind}:{source_key}"
    existing = session.scalar(select(Earning).where(Earning.source_key == key))
    if existing is not None:
        return existing
    program = session.get_one(Program, program_id)
    ticket_id: uuid.UUID | None = None
    terms: dict[str, object] = {"fee": str(kind), "reference": reference}
    if kind == FeeKind.ESCALATION:
        ticket = session.get_one(Ticket, uuid.UUID(reference))
        price = price_task(session, ticket, expert_id)
        if price is None:
            return None
        ticket_id = ticket.id
        amount = quantize(price.amount * program.escalation_share)
        terms |= price.terms | {"share": str(program.escalation_share)}
        description = f"Legitimate escalation ({program.escalation_share:.0%} of {price.amount})"
    elif kind == FeeKind.ROYALTY:
        amount = assist_service.settings_for(session, program.id).royalty_amount or Decimal(0)
        description = f"Royalty: your approved answer resolved a ticket in {program.name}"
    elif kind == FeeKind.ONBOARDING:
        amount = program.onboarding_fee
        description = f"Onboarding for {program.name}"
    else:
        amount = program.review_fee
        description = f"Quality review in {program.name}"
    if amount <= 0:
        return None
    earning, _ = append(
        session,
        Earning(
            expert_id=expert_id,
            brand_id=program.brand_id,
            program_id=program.id,
            ticket_id=ticket_id,
            kind=FEE_KINDS[kind],
            amount=quantize(amount),
            currency=program.currency,
            description=description,
            source_key=key,
            terms=terms,
        ),
    )
    return earning


def escalating_expert(session: Session, ticket: Ticket) -> uuid.UUID | None:
    """The expert whose assignment ended in an escalation, latest first."""
    return session.scalar(
        select(Assignment.expert_id)
        .where(
            Assignment.ticket_id == ticket.id,
            Assignment.end_reason == AssignmentEnd.ESCALATED,
        )
        .order_by(Assignment.ended_at.desc())
        .limit(1)
    )


def escalation_source_key(ticket_id: uuid.UUID, expert_id: uuid.UUID) -> str:
    return f"{ticket_id}:{expert_id}"


def is_escalation_marked(session: Session, ticket_id: uuid.UUID) -> bool:
    """Whether staff already marked this ticket's escalation legitimate (paid or about to be)."""
    marked = select(AuditEvent.id).where(
        AuditEvent.subject_type == "ticket",
        AuditEvent.subject_id == ticket_id,
        AuditEvent.action == LEGITIMATE,
    )
    return session.scalar(marked.limit(1)) is not None


def mark_escalation_legitimate(
    session: Session, principal: Principal, ticket_id: uuid.UUID
) -> uuid.UUID:
    """Mark an expert's escalation legitimate: the expert gets the escalation share, once."""
    if not (principal.is_brand_staff or principal.is_platform_admin):
        raise PermissionDenied("only the brand's staff can judge an escalation")
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    expert_id = escalating_expert(session, ticket)
    if expert_id is None:
        raise EscalationNotPayable(
            "no expert escalated this ticket; only an expert's escalation can be paid"
        )
    if is_escalation_marked(session, ticket.id):
        raise EscalationNotPayable("this escalation is already marked legitimate and paid")
    jobs_service.enqueue(
        session,
        "payments.earn_fee",
        {
            "kind": FeeKind.ESCALATION.value,
            "expert_id": str(expert_id),
            "program_id": str(ticket.program_id),
            "source_key": escalation_source_key(ticket.id, expert_id),
            "reference": str(ticket.id),
        },
    )
    audit_service.record(
        session,
        actor=principal,
        action=LEGITIMATE,
        subject_type="ticket",
        subject_id=ticket.id,
        brand_id=ticket.brand_id,
        data={"expert_id": str(expert_id)},
    )
    return expert_id
