"""Customers: a contact page per program, a private link to the conversation, a rating page.

Every customer page is worded in one language (``views.i18n``): the contact page in the one the
visitor asks for (``?lang=``, else their browser's) when the program serves it, the private page
in the ticket's. The private page follows the ticket live (``/c/{token}/stream``) and shows what
``views.customer`` gives, never a raw message.
"""

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from gigcx.api.deps import SessionDep
from gigcx.assist import service as assist_service
from gigcx.auth import limits
from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.config import get_settings
from gigcx.db import notify
from gigcx.errors import DomainError, NotFound
from gigcx.quality import service as quality_service
from gigcx.quality.schemas import RatingCreate
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.errors import CategoryMissing, TicketNotFound
from gigcx.tickets.schemas import TicketCreate
from gigcx.views import customer as customer_views
from gigcx.views import i18n
from gigcx.web import live
from gigcx.web.deps import (
    CsrfChecked,
    csrf_token,
    redirect,
    render,
    stream_session,
    templates,
)
from gigcx.web.forms import field_errors

router = APIRouter(include_in_schema=False)

# The contact form's fields and the message id of the plain sentence shown next to each.
CONTACT_ERRORS = {
    "name": "error.name",
    "email": "error.email",
    "language": "error.language",
    "category": "error.category",
    "body": "error.body",
}
RATING_ERRORS = {
    "score": "rate.score_missing",
    "reason": "rate.reason_unknown",
    "comment": "rate.comment_long",
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


def _contact_language(request: Request, program: Program) -> str:
    """Of the program's languages, the one the visitor asks for or their browser prefers."""
    return i18n.negotiate(
        list(program.languages),
        request.query_params.get("lang"),
        request.headers.get("accept-language"),
    )


def _contact_context(
    request: Request, brand: Brand, program: Program, *, topic_optional: bool, **extra: Any
) -> dict[str, Any]:
    chosen = _contact_language(request, program)
    language = i18n.page_language(chosen)
    topics = [(c.key, c.name) for c in program.categories]
    languages = [(code, i18n.language_name(code)) for code in program.languages]
    # The page in each other language the program serves and GigCX has words for.
    other_pages = [
        (code, i18n.language_name(code))
        for code in dict.fromkeys(i18n.page_language(c) for c in program.languages)
        if code != language and i18n.base_language(code) in i18n.MESSAGES
    ]
    values = {"name": "", "email": "", "language": chosen, "category": ""}
    return {
        "brand": brand,
        "program": program,
        "topics": topics,
        # With an intent model the program finds the topic itself; the customer may leave it out.
        "topic_optional": topic_optional,
        "languages": languages,
        "other_pages": other_pages,
        "values": values,
        "errors": {},
        "user": None,
        "page_language": language,
        "t": i18n.words(language),
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
        request, brand, program, topic_optional=topic_optional, values=values, errors=errors
    )
    return render(request, "customer/contact.html", context, status_code=status_code)


@router.get("/support/{brand_slug}/{program_slug}", response_class=HTMLResponse)
def contact_page(
    request: Request, session: SessionDep, brand_slug: str, program_slug: str
) -> Response:
    """The program's contact form, in the visitor's language when the program serves it."""
    brand, program = _program(session, brand_slug, program_slug)
    optional = assist_service.routes_after_triage(session, program.id)
    context = _contact_context(request, brand, program, topic_optional=optional)
    return render(request, "customer/contact.html", context)


def _plain_errors(
    errors: dict[str, str], message_ids: dict[str, str], language: str
) -> dict[str, str]:
    """Each field's error as the plain sentence of ``message_ids`` in ``language``."""
    t = i18n.words(language)
    return {
        field: t(message_ids[field]) if field in message_ids else message
        for field, message in errors.items()
    }


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
    page_language = i18n.page_language(_contact_language(request, program))
    customer = Principal(role=Role.CUSTOMER, brand_id=brand.id)
    route_after_triage = assist_service.routes_after_triage(session, program.id)
    try:
        address = request.client.host if request.client else "unknown"
        limits.limit(session, [(limits.CONTACT_ADDRESS, address)])
    except limits.TooManyAttempts as error:
        page = _contact_again(
            request, brand, program, route_after_triage, values, {"form": error.detail}, 429
        )
        page.headers.update(error.headers)
        return page
    in_runner = get_settings().intake_routing == "runner"
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
            route_in_runner=in_runner,
            guess_category=partial(assist_service.guess_category, session, program.id),
        )
    except ValidationError as error:
        errors = field_errors(error, aliases={"customer.email": "email", "customer.name": "name"})
        errors = _plain_errors(errors, CONTACT_ERRORS, page_language)
        return _contact_again(request, brand, program, route_after_triage, values, errors, 400)
    except CategoryMissing:
        errors = _plain_errors({"category": ""}, CONTACT_ERRORS, page_language)
        return _contact_again(request, brand, program, route_after_triage, values, errors, 400)
    except DomainError as error:
        errors = {"form": error.detail}
        return _contact_again(
            request, brand, program, route_after_triage, values, errors, error.status_code
        )
    if not (route_after_triage or in_runner):
        routing_service.route_locked(session, ticket)
    # The private page shows the ticket as it is (new until the runner routes it) and follows
    # it live.
    return redirect(f"/c/{tickets_service.customer_link_token(ticket)}")


def _live_html(view: customer_views.CustomerTicket, token: str, csrf: str) -> str:
    """The live part of the private page: status, conversation, the bot's question, rating."""
    return templates.get_template("customer/_live.html").render(_live_context(view, token, csrf))


def _live_context(
    view: customer_views.CustomerTicket,
    token: str,
    csrf: str,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "view": view,
        "token": token,
        "t": i18n.words(view.language),
        "reasons": customer_views.reason_choices(view.language),
        "errors": errors or {},
        "csrf_token": csrf,
    }


def _conversation_page(
    request: Request,
    session: Session,
    token: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ticket = tickets_service.ticket_for_link(session, token)
    view = customer_views.customer_ticket(session, ticket)
    csrf = csrf_token(request)
    context = {
        **_live_context(view, token, csrf, errors),
        # What the live region shows without this request's errors: the stream starts from it.
        "seen": live.digest(_live_html(view, token, csrf)),
        "page_language": view.language,
        "user": None,
    }
    return render(request, "customer/conversation.html", context, status_code=status_code)


@router.get("/c/{token}", response_class=HTMLResponse)
def conversation(request: Request, session: SessionDep, token: str) -> Response:
    """The customer's private page: the conversation, a reply box and, once resolved, a rating;
    while a job runner makes the ticket, a page saying the message arrived."""
    try:
        return _conversation_page(request, session, token)
    except TicketNotFound:
        inquiry = tickets_service.inquiry_for_link(session, token)
        if inquiry is None:
            raise
    view = customer_views.customer_inquiry(session, inquiry)
    context = {
        "view": view,
        "t": i18n.words(view.language),
        "page_language": view.language,
        "user": None,
    }
    return render(request, "customer/received.html", context)


def _render_live(factory: sessionmaker[Session], token: str, csrf: str) -> str:
    with factory() as session:
        ticket = tickets_service.ticket_for_link(session, token)
        return _live_html(customer_views.customer_ticket(session, ticket), token, csrf)


def _ticket_id_of_link(request: Request, token: str) -> uuid.UUID:
    with stream_session(request) as session:
        return tickets_service.ticket_for_link(session, token).id


@router.get("/c/{token}/stream")
async def conversation_stream(
    request: Request, token: str, seen: str | None = None
) -> StreamingResponse:
    """Push the private page's live part whenever it changes: new messages from the expert or
    the bot, the status, the rating form; what the customer may see, nothing more."""
    ticket_id = await run_in_threadpool(_ticket_id_of_link, request, token)
    factory = request.app.state.sessionmaker
    render_live = partial(_render_live, factory, token, csrf_token(request))
    topics = [notify.ticket_topic(ticket_id)]
    return live.live_stream(request, render_live, topics=topics, seen=seen)


@router.post("/c/{token}/reply", dependencies=[CsrfChecked])
def reply(
    request: Request, session: SessionDep, token: str, body: Annotated[str, Form()] = ""
) -> Response:
    ticket = tickets_service.ticket_for_link(session, token)
    if not body.strip():
        errors = {"body": i18n.words(ticket.language)("reply.empty")}
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
    """Record the customer's rating: a score, and a reason only if they picked one."""
    ticket = tickets_service.ticket_for_link(session, token)
    try:
        data = RatingCreate.model_validate({"score": score, "reason": reason, "comment": comment})
    except ValidationError as error:
        errors = _plain_errors(field_errors(error), RATING_ERRORS, ticket.language)
        return _conversation_page(request, session, token, errors=errors, status_code=400)
    quality_service.rate_ticket(session, tickets_service.customer_of(ticket), ticket.id, data)
    return redirect(f"/c/{token}?rated=1")
