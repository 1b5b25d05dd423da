"""Downloads of a ticket's files, one route per kind of viewer, each through the view policy."""

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from gigcx.api.deps import SessionDep
from gigcx.tickets import service as tickets_service
from gigcx.views import files as file_views
from gigcx.web.deps import WebExpert, WebStaff
from gigcx.web.uploads import download

router = APIRouter(include_in_schema=False)


@router.get("/c/{token}/files/{attachment_id}")
def customer_file(session: SessionDep, token: str, attachment_id: uuid.UUID) -> Response:
    """A file of the customer's conversation, through their private link."""
    ticket = tickets_service.ticket_for_link(session, token)
    customer = tickets_service.customer_of(ticket)
    return download(file_views.readable_attachment(session, customer, ticket.id, attachment_id))


@router.get("/expert/tickets/{ticket_id}/files/{attachment_id}")
def expert_file(
    session: SessionDep, user: WebExpert, ticket_id: uuid.UUID, attachment_id: uuid.UUID
) -> Response:
    return download(file_views.readable_attachment(session, user, ticket_id, attachment_id))


@router.get("/brand/tickets/{ticket_id}/files/{attachment_id}")
def staff_file(
    session: SessionDep, user: WebStaff, ticket_id: uuid.UUID, attachment_id: uuid.UUID
) -> Response:
    return download(file_views.readable_attachment(session, user, ticket_id, attachment_id))
