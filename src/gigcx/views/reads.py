"""The API's reads, each built by the view of the principal's kind.

Experts get ``views.expert``; the brand's people ``views.staff``; a customer (through a private
link) ``views.customer``.
"""

from sqlalchemy.orm import Session

from gigcx.assist.models import Triage
from gigcx.assist.schemas import TriageRead
from gigcx.auth.principal import Principal
from gigcx.quality.models import Dispute, Review
from gigcx.quality.schemas import DisputeRead, ReviewRead
from gigcx.tickets.enums import InquiryStatus
from gigcx.tickets.models import Inquiry, Message, Ticket
from gigcx.tickets.schemas import MessageRead, TicketDetail, TicketRead
from gigcx.views import customer, expert, staff
from gigcx.views.schemas import InquiryRead


def ticket_read(session: Session, principal: Principal, ticket: Ticket) -> TicketRead:
    if principal.is_expert:
        return expert.ticket_read(session, principal, ticket)
    if principal.is_customer:
        return customer.ticket_read(session, principal, ticket)
    return staff.ticket_read(session, principal, ticket)


def ticket_detail(session: Session, principal: Principal, ticket: Ticket) -> TicketDetail:
    if principal.is_expert:
        return expert.ticket_detail(session, principal, ticket)
    if principal.is_customer:
        return customer.ticket_detail(session, principal, ticket)
    return staff.ticket_detail(session, principal, ticket)


def message_read(session: Session, principal: Principal, message: Message) -> MessageRead:
    if principal.is_expert:
        return expert.message_read(session, principal, message)
    if principal.is_customer:
        return customer.message_read(session, principal, message)
    return staff.message_read(session, principal, message)


def triage_read(
    session: Session, principal: Principal, triage: Triage, ticket: Ticket
) -> TriageRead:
    if principal.is_expert:
        return expert.triage_read(session, principal, triage, ticket)
    return staff.triage_read(session, principal, triage, ticket)


def review_read(session: Session, principal: Principal, review: Review) -> ReviewRead:
    if principal.is_expert:
        return expert.review_read(session, principal, review)
    return ReviewRead.model_validate(review)


def dispute_read(session: Session, principal: Principal, dispute: Dispute) -> DisputeRead:
    if principal.is_expert:
        return expert.dispute_read(session, principal, dispute)
    return DisputeRead.model_validate(dispute)


_INQUIRY_TEXT = {
    InquiryStatus.RECEIVED: "received: a job runner makes the ticket and offers it to an expert "
    "within seconds; GET the ticket (Location) to follow it",
    InquiryStatus.TAKEN_IN: "taken in: the ticket is made (ticket_id)",
    InquiryStatus.REJECTED: "rejected: the program no longer takes it (problem says why)",
}


def inquiry_read(inquiry: Inquiry, base_url: str) -> InquiryRead:
    """What brand staff and API keys see of an inquiry: its state, never what it holds."""
    return InquiryRead(
        id=inquiry.id,
        program_id=inquiry.program_id,
        status=inquiry.status,
        status_text=_INQUIRY_TEXT[InquiryStatus(inquiry.status)],
        ticket_id=inquiry.ticket_id,
        problem=inquiry.problem,
        created_at=inquiry.created_at,
        customer_link=customer.private_link(inquiry, base_url),
    )
