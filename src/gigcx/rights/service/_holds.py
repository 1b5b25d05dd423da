"""Legal holds: keep a ticket, or everything of a customer, from erasure and retention."""

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.errors import InvalidInput, PermissionDenied
from gigcx.kit import clock
from gigcx.rights.errors import HoldNotFound, UnderLegalHold
from gigcx.rights.models import LegalHold
from gigcx.rights.service._subjects import email_hash, find_customer
from gigcx.tickets.errors import TicketNotFound
from gigcx.tickets.models import Customer, Ticket

REASON_LIMIT = 2000


def managed_brand(principal: Principal) -> uuid.UUID:
    """The brand whose privacy matters this principal handles: its admins and admin keys."""
    if not principal.can_manage_brand or principal.brand_id is None:
        raise PermissionDenied(
            "privacy requests, holds and retention are for the brand's admins or its API key"
        )
    return principal.brand_id


def _reason(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("give a reason for the hold, such as the case or claim it is kept for")
    if len(text) > REASON_LIMIT:
        raise InvalidInput(f"the reason is {len(text)} characters; keep it to {REASON_LIMIT}")
    return text


def set_hold(
    session: Session,
    principal: Principal,
    *,
    reason: str,
    ticket_id: uuid.UUID | None = None,
    customer_email: str | None = None,
) -> LegalHold:
    """Put a ticket or a customer (all their tickets) on legal hold, with the reason; audited."""
    brand_id = managed_brand(principal)
    reason = _reason(reason)
    if (ticket_id is None) == (not customer_email):
        raise InvalidInput("hold either one ticket (ticket_id) or one customer (customer_email)")
    hold = LegalHold(
        brand_id=brand_id, reason=reason, set_by_role=principal.role, set_by_id=principal.actor_id
    )
    if ticket_id is not None:
        ticket = session.scalar(
            select(Ticket).where(Ticket.id == ticket_id, Ticket.brand_id == brand_id)
        )
        if ticket is None:
            raise TicketNotFound()
        hold.ticket_id = ticket.id
        subject_type, subject_id, data = "ticket", ticket.id, {}
    else:
        customer = find_customer(session, brand_id=brand_id, email=customer_email or "")
        hold.customer_id = customer.id
        subject_type, subject_id = "customer", customer.id
        data = {"email_hash": email_hash(customer.email)}
    session.add(hold)
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="privacy.hold_set",
        subject_type=subject_type,
        subject_id=subject_id,
        brand_id=brand_id,
        data={"hold_id": str(hold.id), **data},
    )
    return hold


def release_hold(
    session: Session, principal: Principal, hold_id: uuid.UUID, *, reason: str
) -> LegalHold:
    """End a hold, with the reason; audited. Releasing a released hold changes nothing."""
    brand_id = managed_brand(principal)
    hold = session.scalar(
        select(LegalHold).where(LegalHold.id == hold_id, LegalHold.brand_id == brand_id)
    )
    if hold is None:
        raise HoldNotFound()
    if hold.released_at is not None:
        return hold
    hold.release_reason = _reason(reason)
    hold.released_at = clock.now()
    hold.released_by_id = principal.actor_id
    audit_service.record(
        session,
        actor=principal,
        action="privacy.hold_released",
        subject_type="ticket" if hold.ticket_id else "customer",
        subject_id=hold.ticket_id or hold.customer_id or hold.id,
        brand_id=brand_id,
        data={"hold_id": str(hold.id)},
    )
    session.flush()
    return hold


def list_holds(
    session: Session, principal: Principal, *, active_only: bool = False
) -> Sequence[LegalHold]:
    """The brand's holds, active first, newest first."""
    brand_id = managed_brand(principal)
    statement = select(LegalHold).where(LegalHold.brand_id == brand_id)
    if active_only:
        statement = statement.where(LegalHold.released_at.is_(None))
    return session.scalars(
        statement.order_by(
            LegalHold.released_at.is_not(None), LegalHold.created_at.desc(), LegalHold.id
        )
    ).all()


def holds_on_customer(session: Session, customer: Customer) -> Sequence[LegalHold]:
    """Active holds on the customer or on any of their tickets."""
    tickets = select(Ticket.id).where(Ticket.customer_id == customer.id)
    return session.scalars(
        select(LegalHold)
        .where(
            LegalHold.released_at.is_(None),
            or_(LegalHold.customer_id == customer.id, LegalHold.ticket_id.in_(tickets)),
        )
        .order_by(LegalHold.created_at, LegalHold.id)
    ).all()


def refuse_if_held(session: Session, customer: Customer) -> None:
    """Raise 409, naming the hold, when a legal hold keeps the customer's data."""
    holds = holds_on_customer(session, customer)
    if not holds:
        return
    hold = holds[0]
    what = f"ticket {hold.ticket_id}" if hold.ticket_id else "the customer"
    reason = hold.reason if len(hold.reason) <= 200 else hold.reason[:199] + "…"
    raise UnderLegalHold(
        f"legal hold {hold.id} on {what} (set {hold.created_at:%Y-%m-%d}: {reason!r}) keeps "
        f"this customer's data{' and ' + str(len(holds) - 1) + ' more' if len(holds) > 1 else ''}"
        "; nothing was erased. A brand admin must release the hold first."
    )


def held_ticket_filter(
    brand_id: uuid.UUID,
) -> tuple[Select[uuid.UUID | None], Select[uuid.UUID | None]]:
    """Selects of held ticket ids and held customer ids of a brand (active holds)."""
    active = (LegalHold.brand_id == brand_id, LegalHold.released_at.is_(None))
    held_tickets = select(LegalHold.ticket_id).where(*active, LegalHold.ticket_id.is_not(None))
    held_customers = select(LegalHold.customer_id).where(
        *active, LegalHold.customer_id.is_not(None)
    )
    return held_tickets, held_customers
