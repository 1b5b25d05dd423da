import uuid
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from gigcx.api.deps import (
    INTAKE_SCOPE,
    BrandStaff,
    CurrentPrincipal,
    Page,
    PageDep,
    SessionDep,
    paginate,
)
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.assist import service as assist_service
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Channel
from gigcx.channels import intake
from gigcx.config import get_settings
from gigcx.errors import PermissionDenied
from gigcx.kit.schemas import LANGUAGE_PATTERN, SLUG_PATTERN, Instant
from gigcx.quality import service as quality_service
from gigcx.quality.schemas import RatingCreate, RatingRead
from gigcx.routing import service as routing_service
from gigcx.routing.schemas import WaitingRead
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import InquiryStatus, Priority, TicketStatus
from gigcx.tickets.errors import InquiryRejected, TicketNotFound
from gigcx.tickets.models import Ticket
from gigcx.tickets.queries import matching_text, readable_tickets
from gigcx.tickets.schemas import (
    AuditEventRead,
    CustomerMessageCreate,
    EscalationCreate,
    MessageCreate,
    MessageRead,
    OfferRead,
    TicketCreate,
    TicketDetail,
    TicketRead,
)
from gigcx.views import audit as audit_views
from gigcx.views import customer as customer_views
from gigcx.views import reads
from gigcx.views.schemas import CustomerTicketRead, InquiryRead, TicketIntakeRead

router = APIRouter(prefix="/tickets", tags=["tickets"], responses=ERROR_RESPONSES)

LanguageFilter = Annotated[str | None, Query(pattern=LANGUAGE_PATTERN, examples=["en"])]
CategoryFilter = Annotated[str | None, Query(max_length=64, pattern=SLUG_PATTERN)]
SearchText = Annotated[
    str | None,
    Query(max_length=200, description="text to find (brand staff)", examples=["carla@"]),
]


def to_read(session: SessionDep, ticket: Ticket, principal: Principal) -> TicketRead:
    return reads.ticket_read(session, principal, ticket)


def to_detail(session: SessionDep, ticket: Ticket, principal: Principal) -> TicketDetail:
    return reads.ticket_detail(session, principal, ticket)


def base_url(request: Request) -> str:
    """Where customers reach this server: the configured address, else the request's."""
    return get_settings().base_url or str(request.base_url)


RESPOND_ASYNC = "respond-async"


def asks_async(prefer: str | None) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for ``respond-async``."""
    tokens = (
        part.split(";", 1)[0].split("=", 1)[0].strip().lower() for part in (prefer or "").split(",")
    )
    return RESPOND_ASYNC in tokens


@router.post(
    "",
    status_code=201,
    responses={
        200: {"description": "Replayed: same key and body"},
        202: {
            "model": InquiryRead,
            "description": "Received; a job runner makes the ticket and routes it next. Follow "
            "the Location header, or the customer's page, for the offer.",
        },
    },
    openapi_extra=INTAKE_SCOPE,
    response_model=TicketIntakeRead,
)
def create_ticket(
    request: Request,
    session: SessionDep,
    principal: BrandStaff,
    body: TicketCreate,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=200, pattern=r"^[!-~]+$", description="visible ASCII, e.g. a UUID"),
    ] = None,
    prefer: Annotated[
        str | None,
        Header(max_length=200, description="respond-async: let a job runner route the ticket"),
    ] = None,
) -> TicketIntakeRead | Response:
    """Take in a customer's inquiry and offer it to the best eligible expert.

    The answer carries ``customer_link``, the customer's private page: hand it to the customer
    to follow the conversation live, reply and rate (``GIGCX_BASE_URL`` sets its address).

    Routing happens in the request by default: 201, and ``status`` says where the ticket is
    (offered, queued for an expert, or escalated). With ``Prefer: respond-async`` (or the server
    set to ``GIGCX_INTAKE_ROUTING=runner``) the request only stores the inquiry, checked against
    the program, and a job runner makes the ticket and routes it right after: 202 with the
    inquiry (``status`` received), ``Location`` names the ticket to follow (202 until it is
    made, then the ticket) and ``Preference-Applied`` says so.

    Triage runs right after in the job runner. When the program has an intent model, routing
    waits for it: the bot may answer first, and the ticket stays new until then (201).

    Leave ``category`` out and a program with an intent model picks it from the body.

    Send an Idempotency-Key header to retry safely: the same key and body return the same ticket
    (200); the same key with another body is refused (409).
    """
    is_async = asks_async(prefer)
    if is_async or get_settings().intake_routing == "runner":
        return _take_in_later(request, session, principal, body, idempotency_key, is_async=is_async)
    ticket, is_new = intake.take_in(session, principal, body, idempotency_key=idempotency_key)
    if not is_new:
        response.status_code = 200  # a replay of the same key and body
    return _intake_answer(request, session, principal, ticket)


def _intake_answer(
    request: Request, session: SessionDep, principal: Principal, ticket: Ticket
) -> TicketIntakeRead:
    detail = to_detail(session, ticket, principal)
    link = customer_views.private_link(ticket, base_url(request))
    return TicketIntakeRead(**detail.model_dump(), customer_link=link)


def _take_in_later(
    request: Request,
    session: SessionDep,
    principal: Principal,
    body: TicketCreate,
    idempotency_key: str | None,
    *,
    is_async: bool,
) -> Response:
    inquiry, is_new = tickets_service.receive_inquiry(
        session,
        principal,
        body,
        idempotency_key=idempotency_key,
        can_pick_category=partial(assist_service.routes_after_triage, session, body.program_id),
    )
    if inquiry.ticket_id is not None:  # a replay of one taken in: the ticket as it is now
        ticket = tickets_service.get_ticket(session, principal, inquiry.ticket_id)
        answer = _intake_answer(request, session, principal, ticket)
        return JSONResponse(answer.model_dump(mode="json"), status_code=200)
    headers = {}
    if inquiry.status == InquiryStatus.RECEIVED:
        # The ticket under the collection this request posted to: /api/v1/tickets/{id}.
        headers["Location"] = f"{request.url.path.rstrip('/')}/{inquiry.id}"
    if is_async and is_new:
        headers["Preference-Applied"] = RESPOND_ASYNC
    status = 202 if inquiry.status == InquiryStatus.RECEIVED else 200
    content = reads.inquiry_read(inquiry, base_url(request)).model_dump(mode="json")
    return JSONResponse(content, status_code=status, headers=headers)


@router.get("")
def list_tickets(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    status: TicketStatus | None = None,
    program_id: uuid.UUID | None = None,
    language: LanguageFilter = None,
    category: CategoryFilter = None,
    channel: Channel | None = None,
    priority: Priority | None = None,
    assignee_id: uuid.UUID | None = None,
    created_after: Instant | None = None,
    created_before: Instant | None = None,
    q: SearchText = None,
) -> Page[TicketRead]:
    """Tickets you may see, newest first, with filters.

    ``q`` (brand staff) finds a customer's exact email, a ticket's full id or its 8-character
    short id, or text (ignoring case) in the subject, the conversation or the customer's email
    or name among the newest 2,000 tickets (those texts are encrypted at rest).
    """
    statement = readable_tickets(principal)
    if q is not None and q.strip():
        if not (principal.is_brand_staff or principal.is_platform_admin):
            raise PermissionDenied("q is for brand staff; filter your tickets by status instead")
        statement = statement.where(matching_text(session, principal, q.strip()))
    filters = {
        Ticket.status: status,
        Ticket.program_id: program_id,
        Ticket.language: language.lower().replace("_", "-") if language else None,
        Ticket.category: category,
        Ticket.channel: channel,
        Ticket.priority: priority,
        Ticket.assignee_id: assignee_id,
    }
    for column, value in filters.items():
        if value is not None:
            statement = statement.where(column == value)
    if created_after is not None:
        statement = statement.where(Ticket.created_at >= created_after)
    if created_before is not None:
        statement = statement.where(Ticket.created_at < created_before)
    statement = statement.order_by(Ticket.created_at.desc(), Ticket.id)
    return paginate(session, statement, page, lambda ticket: to_read(session, ticket, principal))


@router.get(
    "/{ticket_id}",
    responses={202: {"model": InquiryRead, "description": "Received, not made yet: ask again"}},
    response_model=TicketDetail,
)
def get_ticket(
    request: Request, session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID
) -> TicketDetail | Response:
    """The ticket; 202 with its inquiry while a job runner has yet to make it."""
    try:
        ticket = tickets_service.get_ticket(session, principal, ticket_id)
    except TicketNotFound:
        inquiry = tickets_service.get_inquiry(session, principal, ticket_id)
        if inquiry.status == InquiryStatus.REJECTED:
            raise InquiryRejected(inquiry.problem or "") from None
        if inquiry.ticket_id is None:
            content = reads.inquiry_read(inquiry, base_url(request)).model_dump(mode="json")
            return JSONResponse(content, status_code=202, headers={"Retry-After": "1"})
        ticket = tickets_service.get_ticket(session, principal, inquiry.ticket_id)
    return to_detail(session, ticket, principal)


@router.post("/{ticket_id}/messages", status_code=201)
def reply(
    session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID, body: MessageCreate
) -> MessageRead:
    """Reply to the customer, or add an internal note, as the assignee or in-house staff.

    Pre-send checks run first (see POST /tickets/{id}/reply-checks); the program decides which
    of them block a reply (409).
    """
    message, _ = assist_service.send_reply(
        session, principal, ticket_id, body.body, is_internal=body.is_internal
    )
    return reads.message_read(session, principal, message)


@router.post("/{ticket_id}/customer-messages", status_code=201, openapi_extra=INTAKE_SCOPE)
def customer_message(
    session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID, body: CustomerMessageCreate
) -> MessageRead:
    """Add the customer's follow-up (sent with the brand's API key)."""
    message = tickets_service.add_customer_message(session, principal, ticket_id, body.body)
    return reads.message_read(session, principal, message)


@router.post("/{ticket_id}/wait")
def mark_waiting(
    session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID
) -> TicketRead:
    """Wait for the customer; the resolution clock pauses."""
    return to_read(session, tickets_service.mark_waiting(session, principal, ticket_id), principal)


@router.post("/{ticket_id}/resolve")
def resolve(session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID) -> TicketRead:
    """Resolve the ticket; its expert is paid from the rate card."""
    return to_read(session, tickets_service.resolve(session, principal, ticket_id), principal)


@router.post("/{ticket_id}/escalate")
def escalate(
    session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID, body: EscalationCreate
) -> TicketRead:
    """Hand the ticket to the program's in-house team, with a reason."""
    ticket = tickets_service.escalate(session, principal, ticket_id, reason=body.reason)
    return to_read(session, ticket, principal)


@router.post("/{ticket_id}/cancel")
def cancel(session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID) -> TicketRead:
    return to_read(session, tickets_service.cancel(session, principal, ticket_id), principal)


@router.get("/{ticket_id}/offers")
def explain(
    session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID
) -> list[OfferRead]:
    """Why each expert was offered the ticket: score and breakdown of every offer."""
    return [
        OfferRead.model_validate(o) for o in routing_service.explain(session, principal, ticket_id)
    ]


@router.get("/{ticket_id}/waiting")
def waiting(session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID) -> WaitingRead:
    """Why the ticket waits for an expert (nobody eligible online, all at capacity, a rule)."""
    found = routing_service.why_waiting(session, principal, ticket_id)
    if found is None:
        return WaitingRead(is_waiting=False)
    return WaitingRead(
        is_waiting=True,
        reason=found.reason.name.lower(),
        sentence=found.sentence,
        details=found.details,
        queued_at=found.queued_at,
        effective_priority=found.effective_priority,
        escalates_at=found.escalates_at,
    )


@router.get("/{ticket_id}/customer-view")
def customer_view(
    request: Request, session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID
) -> CustomerTicketRead:
    """What the customer sees of the ticket on their private page, in the ticket's language:
    the status in their words, the conversation without internal notes, the rating state and
    the private link itself."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    return customer_views.customer_ticket_read(session, ticket, base_url=base_url(request))


@router.get("/{ticket_id}/audit")
def audit_trail(
    session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID
) -> list[AuditEventRead]:
    """The ticket's audit events, oldest first, each with a sentence that tells it."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    trail = audit_views.trail(session, principal, subject_type="ticket", subject_id=ticket.id)
    return [
        AuditEventRead.model_validate(line.event).model_copy(update={"sentence": line.sentence})
        for line in trail
    ]


@router.post("/{ticket_id}/rating", status_code=201)
def rate(
    session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID, body: RatingCreate
) -> RatingRead:
    """Record the customer's CSAT (1-5, with a reason code when they gave one) for a resolved
    ticket."""
    return RatingRead.model_validate(
        quality_service.rate_ticket(session, principal, ticket_id, body)
    )
