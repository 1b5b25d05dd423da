"""Erase a customer of a brand: anonymise them and wipe what their tickets said."""

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gigcx.channels.email.models import InboundEmail
from gigcx.privacy import orm
from gigcx.rights.enums import ErasureCause, RequestStatus
from gigcx.rights.models import LegalHold, PrivacyRequest
from gigcx.rights.service._subjects import ERASED, erased_email
from gigcx.rights.service._wipe import (
    WIPED_INBOUND,
    Counts,
    mails_to,
    needles_for,
    redact,
    set_each,
    wipe_tickets,
    wipe_webhook_payloads,
)
from gigcx.tickets.models import Customer, Ticket


def erase_customer(session: Session, customer: Customer) -> dict[str, int]:
    """Anonymise the customer and wipe their tickets' content; numbers, pay and audit stay."""
    needles = needles_for(customer.email, customer.name)
    ticket_ids = list(session.scalars(select(Ticket.id).where(Ticket.customer_id == customer.id)))
    counts = wipe_tickets(session, ticket_ids, cause=ErasureCause.REQUEST, needles=needles)
    anonymise_customer(session, customer, counts=counts, needles=needles)
    return counts.values


def anonymise_customer(
    session: Session, customer: Customer, *, counts: Counts, needles: list[str] | None = None
) -> None:
    """Replace the customer's identity and wipe the mail, payloads and archives that name them."""
    email = customer.email.strip().lower()
    needles = needles if needles is not None else needles_for(customer.email, customer.name)
    counts.add(
        "inbound_mails",
        set_each(
            session,
            InboundEmail,
            InboundEmail.brand_id == customer.brand_id,
            InboundEmail.sender_index == orm.email_index(session, customer.brand_id, email),
            **WIPED_INBOUND,
        ),
    )
    for mail in mails_to(session, [email], brand_id=customer.brand_id):
        mail.to_address = erased_email(customer.id)
        mail.subject = ERASED
        mail.text_body = ERASED
        mail.headers = {}
        mail.last_error = None
        counts.add("outbound_mails", 1)
    wipe_webhook_payloads(
        session, [str(customer.id), email], counts=counts, brand_ids=[customer.brand_id]
    )
    for hold in session.scalars(select(LegalHold).where(LegalHold.customer_id == customer.id)):
        hold.reason = redact(hold.reason, needles)
        hold.release_reason = redact(hold.release_reason, needles)
    counts.add("exports", expire_archives(session, customer.id))
    customer.email = erased_email(customer.id)
    customer.name = ""
    customer.email_undeliverable_reason = None
    counts.add("customers", 1)
    session.flush()


def expire_archives(session: Session, subject_id: uuid.UUID) -> int:
    """Delete the export archives made of a person (after an erasure they must go too)."""
    result = session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.subject_id == subject_id, PrivacyRequest.archive.is_not(None))
        .values(archive=None, status=RequestStatus.EXPIRED)
    )
    return _rowcount(result)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
