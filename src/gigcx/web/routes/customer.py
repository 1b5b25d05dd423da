"""Customers: a contact page per program, a private link to the conversation, a rating page."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.assist import service as assist_service
from gigcx.assist.enums import BotAttemptStatus
from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.errors import DomainError, NotFound
from gigcx.quality import service as quality_service
from gigcx.quality.enums import RatingReason
from gigcx.quality.models import Rating
from gigcx.quality.schemas import RatingCreate
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.errors import CategoryMissing
from gigcx.tickets.models import Message, Ticket
from gigcx.tickets.schemas import TicketCreate
from gigcx.web.deps import CsrfChecked, redirect, render
from gigcx.web.forms import field_errors

router = APIRouter(include_in_schema=False)

RATEABLE = {TicketStatus.RESOLVED, TicketStatus.CLOSED}
REASON_LABELS = {
    RatingReason.HELPFUL: "The answer helped",
    RatingReason.FAST: "It was fast",
    RatingReason.FRIENDLY: "Friendly",
    RatingReason.SLOW: "Too slow",
    RatingReason.UNHELPFUL: "It did not help",
    RatingReason.RUDE: "Unfriendly",
    RatingReason.WRONG_ANSWER: "The answer was wrong",
    RatingReason.POLICY: "I dislike the company's policy",
    RatingReason.PRODUCT: "A problem with the product",
    RatingReason.SHIPPING: "Delivery or shipping",
    RatingReason.OTHER: "Something else",
}


# What a customer reads instead of the validator's wording.
PLAIN_ERRORS = {
    "category": "Choose the topic closest to your question.",
    "body": "Write your message: what happened, and what you would like us to do.",
}


def _program(session: Session, brand_slug: str, program_slug: str) -> tuple[Brand, Program]:
    row = session.execute(
        select(Brand, Program)
        .join(Program, Program.brand_id == Brand.id)
        .where(Brand.slug == brand_slug, Program.slug == program_slug, Program.is_open.is_(True))
    ).first()
    if row is None:
        raise NotFound("there is no open support program at this address")
    return row[0], row[1]


def _contact_context(
    brand: Brand, program: Program, *, topic_optional: bool, **extra: Any
) -> dict[str, Any]:
    topics = [(c.key, c.name) for c in program.categories]
    languages = [(code, code.upper()) for code in program.languages]
    values = {"name": "", "email": "", "language": program.languages[0], "category": ""}
    return {
        "brand": brand,
        "program": program,
        "topics": topics,
        # With an intent model the program finds the topic itself; the customer may leave it out.
        "topic_optional": topic_optional,
        "languages": languages,
        "values": values,
        "errors": {},
        "user": None,
        **extra,
    }


def _contact_again(
    request: Request,
    brand: Brand,
    program: Program,
    topic_optional: bool,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int,
) -> Response:
    """The contact page once more, with what the customer wrote and what to fix."""
    context = _contact_context(
        brand, program, topic_optional=topic_optional, values=values, errors=errors
    )
    return render(request, "customer/contact.html", context, status_code=status_code)


@router.get("/support/{brand_slug}/{program_slug}", response_class=HTMLResponse)
def contact_page(
    request: Request, session: SessionDep, brand_slug: str, program_slug: str
) -> Response:
    brand, program = _program(session, brand_slug, program_slug)
    optional = assist_service.routes_after_triage(session, program.id)
    context = _contact_context(brand, program, topic_optional=optional)
    return render(request, "customer/contact.html", context)


@router.post("/support/{brand_slug}/{program_slug}", dependencies=[CsrfChecked])
def write_in(
    request: Request,
    session: SessionDep,
    brand_slug: str,
    program_slug: str,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    """Take in a customer's message and send them to their private conversation page."""
    brand, program = _program(session, brand_slug, program_slug)
    values = {
        "name": name,
        "email": email,
        "language": language,
        "category": category,
        "body": body,
    }
    customer = Principal(role=Role.CUSTOMER, brand_id=brand.id)
    route_after_triage = assist_service.routes_after_triage(session, program.id)
    try:
        data = TicketCreate.model_validate(
            {
                "program_id": program.id,
                "customer": {"email": email, "name": name},
                "language": language,
                # Left out, the program's intent model picks it; without one, say so at once.
                "category": category or (None if route_after_triage else ""),
                "body": body,
                "channel": "chat",
            }
        )
        ticket, _ = tickets_service.create_ticket(
            session,
            customer,
            data,
            idempotency_key=None,
            route_after_triage=route_after_triage,
            guess_category=partial(assist_service.guess_category, session, program.id),
        )
    except ValidationError as error:
        errors = field_errors(error, aliases={"customer.email": "email", "customer.name": "name"})
        errors.update({k: m for k, m in PLAIN_ERRORS.items() if k in errors})
        return _contact_again(request, brand, program, route_after_triage, values, errors, 400)
    except CategoryMissing:
        errors = {"category": PLAIN_ERRORS["category"]}
        return _contact_again(request, brand, program, route_after_triage, values, errors, 400)
    except DomainError as error:
        errors = {"form": error.detail}
        return _contact_again(
            request, brand, program, route_after_triage, values, errors, error.status_code
        )
    if not route_after_triage:
        routing_service.route_locked(session, ticket)
    return redirect(f"/c/{tickets_service.customer_link_token(ticket)}")


def _visible_messages(ticket: Ticket) -> list[Message]:
    return [m for m in ticket.messages if not m.is_internal]


def _conversation_page(
    request: Request,
    session: Session,
    token: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ticket = tickets_service.ticket_for_link(session, token)
    brand = session.get_one(Brand, ticket.brand_id)
    rating = session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))
    attempt = assist_service.bot_attempt_of(session, ticket.id)
    context = {
        "bot_pending": attempt is not None and attempt.status == BotAttemptStatus.PENDING,
        "ticket": ticket,
        "brand": brand,
        "token": token,
        "messages": _visible_messages(ticket),
        "can_reply": ticket.status not in {TicketStatus.CLOSED, TicketStatus.CANCELED},
        "can_rate": ticket.status in RATEABLE and rating is None,
        "rating": rating,
        "reasons": list(REASON_LABELS.items()),
        "errors": errors or {},
        "user": None,
    }
    return render(request, "customer/conversation.html", context, status_code=status_code)


@router.get("/c/{token}", response_class=HTMLResponse)
def conversation(request: Request, session: SessionDep, token: str) -> Response:
    """The customer's private page: the conversation, a reply box and, once resolved, a rating."""
    return _conversation_page(request, session, token)


@router.post("/c/{token}/reply", dependencies=[CsrfChecked])
def reply(
    request: Request, session: SessionDep, token: str, body: Annotated[str, Form()] = ""
) -> Response:
    ticket = tickets_service.ticket_for_link(session, token)
    if not body.strip():
        errors = {"body": "Write your message first."}
        return _conversation_page(request, session, token, errors=errors, status_code=400)
    tickets_service.add_customer_message(
        session, tickets_service.customer_of(ticket), ticket.id, body.strip()[:20_000]
    )
    return redirect(f"/c/{token}#latest")


@router.post("/c/{token}/bot-answer", dependencies=[CsrfChecked])
def bot_answer(session: SessionDep, token: str, helped: Annotated[str, Form()] = "") -> Response:
    """The customer's word on the bot's answer: it solved it, or an expert should take over."""
    ticket = tickets_service.ticket_for_link(session, token)
    customer = tickets_service.customer_of(ticket)
    if helped == "yes":
        assist_service.confirm_bot_answer(session, customer, ticket.id)
        return redirect(f"/c/{token}?confirmed=1")
    assist_service.reject_bot_answer(session, customer, ticket.id)
    return redirect(f"/c/{token}#latest")


@router.post("/c/{token}/rating", dependencies=[CsrfChecked])
def rate(
    request: Request,
    session: SessionDep,
    token: str,
    score: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    ticket = tickets_service.ticket_for_link(session, token)
    try:
        data = RatingCreate.model_validate({"score": score, "reason": reason, "comment": comment})
    except ValidationError as error:
        return _conversation_page(
            request, session, token, errors=field_errors(error), status_code=400
        )
    quality_service.rate_ticket(session, tickets_service.customer_of(ticket), ticket.id, data)
    return redirect(f"/c/{token}?rated=1")
