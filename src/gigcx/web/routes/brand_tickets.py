"""Tickets for brand staff: search, the ticket page with routing and audit, the in-house queue."""

import uuid
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.assist import service as assist_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.channels.email import history as mail_history
from gigcx.errors import InvalidInput
from gigcx.experts.models import Expert
from gigcx.payments import service as payments_service
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import ALLOWED_TRANSITIONS, TicketStatus
from gigcx.tickets.models import Customer, Offer, Ticket
from gigcx.tickets.queries import matching_text, readable_tickets
from gigcx.views import audit as audit_views
from gigcx.views import files as file_views
from gigcx.views import staff as staff_views
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.routes.brand_common import (
    PRIORITY_NAMES,
    optional_uuid,
    page_context,
    programs_of,
    whole_number,
)
from gigcx.web.uploads import checked_uploads, plain, store_uploads

router = APIRouter(include_in_schema=False)

PAGE_SIZES = (25, 50, 100)


@dataclass(frozen=True)
class TicketFilters:
    status: TicketStatus | None
    program_id: uuid.UUID | None
    language: str
    category: str
    text: str
    limit: int
    offset: int

    def query(self, **changes: Any) -> str:
        values: dict[str, Any] = {
            "status": self.status or "",
            "program_id": self.program_id or "",
            "language": self.language,
            "category": self.category,
            "q": self.text,
            "limit": self.limit,
            "offset": self.offset,
            **changes,
        }
        return urlencode({k: str(v) for k, v in values.items() if v not in ("", None)})


def _status(value: str) -> TicketStatus | None:
    if not value:
        return None
    if value not in set(TicketStatus):
        raise InvalidInput(f"status {value!r} is unknown; pick one from the list")
    return TicketStatus(value)


def search(session: Session, user: Principal, filters: TicketFilters) -> tuple[list[Any], int]:
    """The page of readable tickets that match, newest first, and how many match in all."""
    statement = readable_tickets(user)
    if filters.status is not None:
        statement = statement.where(Ticket.status == filters.status)
    if filters.program_id is not None:
        statement = statement.where(Ticket.program_id == filters.program_id)
    if filters.language:
        statement = statement.where(Ticket.language == filters.language)
    if filters.category:
        statement = statement.where(Ticket.category == filters.category)
    if filters.text:
        statement = statement.where(matching_text(session, user, filters.text))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.execute(
        statement.join(Program, Program.id == Ticket.program_id)
        .with_only_columns(Ticket, Program.name)
        .order_by(Ticket.created_at.desc(), Ticket.id)
        .limit(filters.limit)
        .offset(filters.offset)
    ).all()
    return list(rows), total


@router.get("/brand/tickets", response_class=HTMLResponse)
def ticket_list(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    status: str = "",
    program_id: str = "",
    language: str = "",
    category: str = "",
    q: str = "",
    limit: str = "",
    offset: str = "",
) -> Response:
    filters = TicketFilters(
        status=_status(status),
        program_id=optional_uuid(program_id, label="program"),
        language=language.strip().lower(),
        category=category.strip(),
        text=q.strip(),
        limit=whole_number(limit, default=PAGE_SIZES[0], low=1, high=200),
        offset=whole_number(offset, default=0, low=0, high=10**9),
    )
    rows, total = search(session, user, filters)
    programs = programs_of(session, user)
    previous = max(filters.offset - filters.limit, 0)
    context = page_context(
        user,
        rows=rows,
        total=total,
        filters=filters,
        statuses=list(TicketStatus),
        programs=programs,
        languages=sorted({code for p in programs for code in p.languages}),
        categories=sorted({(c.key, c.name or c.key) for p in programs for c in p.categories}),
        page_sizes=PAGE_SIZES,
        priorities=PRIORITY_NAMES,
        previous_query=filters.query(offset=previous) if filters.offset else None,
        next_query=(
            filters.query(offset=filters.offset + filters.limit)
            if filters.offset + filters.limit < total
            else None
        ),
    )
    return render(request, "brand/tickets.html", context)


@dataclass(frozen=True)
class OfferLine:
    offer: Offer
    expert_name: str
    terms: list[tuple[str, float, float, float]]  # name, value, weight, contribution

    @property
    def total_weight(self) -> float:
        return sum(weight for _, _, weight, _ in self.terms)


def offer_lines(session: Session, user: Principal, ticket_id: uuid.UUID) -> list[OfferLine]:
    """Each offer with its expert and every term of its score (value, weight, contribution)."""
    offers = routing_service.explain(session, user, ticket_id)
    names = dict(
        session.execute(
            select(Expert.id, Expert.display_name).where(
                Expert.id.in_({o.expert_id for o in offers})
            )
        ).all()
    )
    lines = []
    for offer in offers:
        terms = offer.breakdown.get("terms", {})
        lines.append(
            OfferLine(
                offer=offer,
                expert_name=names.get(offer.expert_id, "an expert"),
                terms=[
                    (
                        name,
                        float(term["value"]),
                        float(term["weight"]),
                        float(term["contribution"]),
                    )
                    for name, term in terms.items()
                ],
            )
        )
    return lines


def ticket_page(
    request: Request,
    session: Session,
    user: Principal,
    ticket_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ticket = tickets_service.get_ticket(session, user, ticket_id)
    program = session.get_one(Program, ticket.program_id)
    escalated_by = payments_service.escalating_expert(session, ticket)
    names = dict(
        session.execute(
            select(Expert.id, Expert.display_name).where(
                Expert.id.in_({ticket.assignee_id, ticket.last_expert_id, escalated_by} - {None})
            )
        ).all()
    )
    allowed = ALLOWED_TRANSITIONS[TicketStatus(ticket.status)]
    escalation_marked = payments_service.is_escalation_marked(session, ticket.id)
    messages = staff_views.conversation(session, user, ticket)
    context = page_context(
        user,
        ticket=ticket,
        program=program,
        customer=session.get_one(Customer, ticket.customer_id),
        messages=messages,
        undeliverable_notice=staff_views.undeliverable_notice(session, user, ticket),
        files=file_views.files_by_message(session, ticket, (m.id for m in messages)),
        mails=mail_history.mail_lines(session, user, ticket),
        assignee=names.get(ticket.assignee_id) if ticket.assignee_id else None,
        last_expert=names.get(ticket.last_expert_id) if ticket.last_expert_id else None,
        priority=PRIORITY_NAMES.get(ticket.priority, str(ticket.priority)),
        offers=offer_lines(session, user, ticket.id),
        waiting=routing_service.why_waiting(session, user, ticket.id),
        triage=assist_service.triage_of(session, ticket.id),
        bot_attempt=assist_service.bot_attempt_of(session, ticket.id),
        trail=audit_views.trail(session, user, subject_type="ticket", subject_id=ticket.id),
        can_reply=ticket.status not in {TicketStatus.CLOSED, TicketStatus.CANCELED},
        can_resolve=TicketStatus.RESOLVED in allowed,
        can_cancel=TicketStatus.CANCELED in allowed,
        can_escalate=TicketStatus.ESCALATED in allowed,
        escalated_by=escalated_by,
        expert_names=names,
        escalation_marked=escalation_marked,
        errors=errors or {},
        values=values or {},
    )
    return render(request, "brand/ticket.html", context, status_code=status_code)


@router.get("/brand/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_detail(
    request: Request, session: SessionDep, user: WebStaff, ticket_id: uuid.UUID
) -> Response:
    return ticket_page(request, session, user, ticket_id)


@router.post("/brand/tickets/{ticket_id}/reply", dependencies=[CsrfChecked])
def reply(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    ticket_id: uuid.UUID,
    body: Annotated[str, Form()] = "",
    is_internal: Annotated[bool, Form()] = False,
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """Answer the customer (files go along, and with the mail), or leave a note only the team
    sees."""
    if not body.strip():
        errors = {"body": "Write a message first."}
        return ticket_page(request, session, user, ticket_id, errors=errors, status_code=400)
    try:
        uploads = checked_uploads(files)
    except InvalidInput as error:
        return ticket_page(
            request,
            session,
            user,
            ticket_id,
            errors={"files": plain(error.detail)},
            values={"body": body},
            status_code=error.status_code,
        )
    message = tickets_service.reply(session, user, ticket_id, body.strip(), is_internal=is_internal)
    store_uploads(session, tickets_service.get_ticket(session, user, ticket_id), message, uploads)
    return redirect(f"/brand/tickets/{ticket_id}#latest")


@router.post("/brand/tickets/{ticket_id}/resolve", dependencies=[CsrfChecked])
def resolve(session: SessionDep, user: WebStaff, ticket_id: uuid.UUID) -> Response:
    tickets_service.resolve(session, user, ticket_id)
    return redirect(f"/brand/tickets/{ticket_id}")


@router.post("/brand/tickets/{ticket_id}/cancel", dependencies=[CsrfChecked])
def cancel(session: SessionDep, user: WebStaff, ticket_id: uuid.UUID) -> Response:
    tickets_service.cancel(session, user, ticket_id)
    return redirect(f"/brand/tickets/{ticket_id}")


@router.post("/brand/tickets/{ticket_id}/escalate", dependencies=[CsrfChecked])
def escalate(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    ticket_id: uuid.UUID,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Take the ticket in house, with the reason."""
    if len(reason.strip()) < 3:
        errors = {"reason": "Say in a few words why the in-house team takes over."}
        values = {"reason": reason}
        return ticket_page(
            request, session, user, ticket_id, errors=errors, values=values, status_code=400
        )
    tickets_service.escalate(session, user, ticket_id, reason=reason.strip())
    return redirect(f"/brand/tickets/{ticket_id}")


@router.get("/brand/inhouse", response_class=HTMLResponse)
def inhouse_queue(request: Request, session: SessionDep, user: WebStaff) -> Response:
    """Escalated tickets, the longest waiting first."""
    rows = session.execute(
        readable_tickets(user)
        .join(Program, Program.id == Ticket.program_id)
        .where(Ticket.status == TicketStatus.ESCALATED)
        .with_only_columns(Ticket, Program.name)
        .order_by(Ticket.status_changed_at, Ticket.id)
    ).all()
    context = page_context(user, rows=rows, priorities=PRIORITY_NAMES)
    return render(request, "brand/inhouse.html", context)
