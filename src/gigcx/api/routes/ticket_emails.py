import uuid

from fastapi import APIRouter

from gigcx.api.deps import BrandStaff, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.channels.email import history
from gigcx.channels.email.schemas import TicketEmailRead
from gigcx.tickets import service as tickets_service

router = APIRouter(prefix="/tickets", tags=["tickets"], responses=ERROR_RESPONSES)


@router.get("/{ticket_id}/emails")
def ticket_emails(
    session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID
) -> list[TicketEmailRead]:
    """The mail sent to the ticket's customer (acknowledgement, answers, rating request),
    oldest first, each with its status: queued, sent, failed (with the mail server's answer)
    or not_configured (no SMTP server is set up)."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    return history.email_reads(session, principal, ticket)
