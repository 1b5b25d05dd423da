"""The expert's live work: presence, the offer feed (live), and the ticket workspace."""

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import or_
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gigcx.api.deps import SessionDep
from gigcx.assist import service as assist_service
from gigcx.assist.errors import AnswerAlreadyProposed, DraftFailed, DraftingNotConfigured
from gigcx.assist.schemas import BestAnswerProposal
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.channels.chat import service as chat_service
from gigcx.channels.email import history as mail_history
from gigcx.config import get_settings
from gigcx.db import notify
from gigcx.errors import InvalidInput
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment
from gigcx.experts.queries import readable_enrollments
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.quality import service as quality_service
from gigcx.quality.enums import WarningStatus
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import EXPERT_WORKING_STATUSES, TicketStatus
from gigcx.tickets.models import Ticket
from gigcx.tickets.queries import readable_tickets
from gigcx.training import service as training_service
from gigcx.views import expert as expert_views
from gigcx.views import files as file_views
from gigcx.views import onboarding as onboarding_views
from gigcx.web.deps import (
    CsrfChecked,
    WebExpert,
    csrf_token,
    redirect,
    render,
    stream_expert,
    templates,
)
from gigcx.web.live import live_stream
from gigcx.web.routes import expert_community, expert_compliance, expert_pay
from gigcx.web.uploads import checked_uploads, plain, store_uploads

router = APIRouter(include_in_schema=False)


def open_tickets(session: Session, principal: Principal) -> list[Ticket]:
    statement = (
        readable_tickets(principal)
        .where(
            Ticket.assignee_id == principal.expert_id,
            Ticket.status.in_(EXPERT_WORKING_STATUSES),
        )
        .order_by(Ticket.priority, Ticket.created_at)
    )
    return list(session.scalars(statement))


@router.get("/expert", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, user: WebExpert) -> Response:
    expert = experts_service.current_expert(session, user)
    context = {
        "user": user,
        "expert": expert,
        "presences": list(Presence),
        "cards": expert_views.offer_cards(session, user),
        "tickets": expert_views.open_tickets(session, user, open_tickets(session, user)),
        "offer_blocks": expert_compliance.offer_blocks(session, user),
        "notices": expert_notices(session, user),
        "checklist": onboarding_views.onboarding_checklist(session, user),
        "surges": expert_pay.surge_notices(session, user, expert.id),
        "surge_rule": payments_service.SURGE_RULE,
        "now": clock.now(),
        **expert_community.alert_context(session, user),
    }
    return render(request, "expert/dashboard.html", context)


def expert_notices(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """What the expert should act on: set away after lapsed offers, uncertified programs,
    expiring certificates, warnings."""
    notices: list[tuple[str, str]] = []
    now = clock.now()
    expert = experts_service.current_expert(session, principal)
    away = experts_service.away_notice(expert, limit=get_settings().lapses_before_away)
    if away is not None:
        notices.append((away, "/expert#presence-h"))
    uncertified = session.execute(
        readable_enrollments(principal)
        .join(Program, Program.id == Enrollment.program_id)
        .where(
            Enrollment.status.in_([EnrollmentStatus.ACTIVE, EnrollmentStatus.ONBOARDING]),
            Program.requires_certification.is_(True),
            or_(Enrollment.certified_until.is_(None), Enrollment.certified_until <= now),
        )
        .with_only_columns(Program.name)
        .order_by(Program.name)
    ).all()
    notices += [
        (f"{name}: pass its course to get tickets there.", "/expert/training")
        for (name,) in uncertified
    ]
    notices += [
        (
            f"A certification expires on {c.expires_at.date().isoformat()}: retake the quiz.",
            "/expert/training",
        )
        for c in training_service.list_certifications(session, principal)
        if training_service.expiring_soon(c, now)
    ]
    notices += [
        (f"{w.kind.capitalize()} warning: {w.improve}", "/expert/quality")
        for w in quality_service.list_warnings(session, principal, status=WarningStatus.OPEN)
    ]
    notices += expert_community.community_notices(session, principal)
    return notices


@router.post("/expert/presence", dependencies=[CsrfChecked])
def set_presence(
    session: SessionDep, user: WebExpert, presence: Annotated[Presence, Form()]
) -> Response:
    experts_service.set_presence(session, user, presence)
    return redirect("/expert")


def _render_offers(factory: Any, principal: Principal, csrf: str) -> str:
    with factory() as session:
        cards = expert_views.offer_cards(session, principal)
        return templates.get_template("expert/_offers.html").render(cards=cards, csrf_token=csrf)


@router.get("/expert/offers/stream")
async def offer_stream(request: Request) -> StreamingResponse:
    """Push the offer feed whenever it changes, so new offers appear without a reload."""
    user = await run_in_threadpool(stream_expert, request)
    factory = request.app.state.sessionmaker
    render_now = partial(_render_offers, factory, user, csrf_token(request))
    topics = [notify.expert_topic(user.expert_id)] if user.expert_id else []
    return live_stream(request, render_now, topics=topics)


@router.post("/expert/offers/{offer_id}/accept", dependencies=[CsrfChecked])
def accept(session: SessionDep, user: WebExpert, offer_id: uuid.UUID) -> Response:
    offer = routing_service.accept_offer(session, user, offer_id)
    return redirect(f"/expert/tickets/{offer.ticket_id}")


@router.post("/expert/offers/{offer_id}/decline", dependencies=[CsrfChecked])
def decline(session: SessionDep, user: WebExpert, offer_id: uuid.UUID) -> Response:
    routing_service.decline_offer(session, user, offer_id)
    return redirect("/expert")


DONE_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


def _workspace(
    request: Request,
    session: Session,
    user: Principal,
    ticket_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    draft: str = "",
    findings: list[assist_service.CheckedFinding] | None = None,
) -> Response:
    ticket = tickets_service.get_ticket(session, user, ticket_id)
    is_mine = ticket.assignee_id == user.expert_id and ticket.status in EXPERT_WORKING_STATUSES
    handled = ticket.last_expert_id == user.expert_id and ticket.status in DONE_STATUSES
    work = expert_views.workspace(session, user, ticket)
    context = {
        "user": user,
        "work": work,
        "files": file_views.files_by_message(session, ticket, (m.id for m in work.messages)),
        "mails": mail_history.mail_lines(session, user, ticket),
        "ticket": work.ticket,
        "is_mine": is_mine,
        "can_propose": handled,
        "proposal": work.proposal,
        "topic_doubt": assist_service.topic_doubt(session, ticket),
        "tone_unchecked": assist_service.tone_unchecked(ticket),
        "category_name": ticket.program.category_name,
        "suggestions": assist_service.suggest(session, user, ticket.id) if is_mine else [],
        "bot_attempt": assist_service.bot_attempt_of(session, ticket.id),
        "draft": draft,
        "can_draft": is_mine and assist_service.language_model() is not None,
        "findings": findings or [],
        "has_blocking": any(f.is_blocking for f in findings or []),
        "errors": errors or {},
        "chat_state": chat_service.expert_chat_state(session, user, ticket.id),
        **expert_community.ticket_feedback_context(session, user, ticket.id),
    }
    return render(request, "expert/ticket.html", context, status_code=status_code)


@router.get("/expert/tickets/{ticket_id}", response_class=HTMLResponse)
def workspace(
    request: Request,
    session: SessionDep,
    user: WebExpert,
    ticket_id: uuid.UUID,
    insert: uuid.UUID | None = None,
) -> Response:
    draft = ""
    if insert is not None:
        draft = assist_service.get_answer(session, user, insert).body
    return _workspace(request, session, user, ticket_id, draft=draft)


@router.post("/expert/tickets/{ticket_id}/suggestions/{answer_id}", dependencies=[CsrfChecked])
def insert_suggestion(
    session: SessionDep,
    user: WebExpert,
    ticket_id: uuid.UUID,
    answer_id: uuid.UUID,
    rank: Annotated[int, Form()] = 1,
) -> Response:
    """Put a suggestion into the reply box to edit, and note that it was used."""
    assist_service.record_insert(session, user, ticket_id, answer_id, rank)
    return redirect(f"/expert/tickets/{ticket_id}?insert={answer_id}#reply-h")


@router.post("/expert/tickets/{ticket_id}/draft", dependencies=[CsrfChecked])
def draft_reply(
    request: Request, session: SessionDep, user: WebExpert, ticket_id: uuid.UUID
) -> Response:
    """Put the language model's draft into the reply box to edit; its failure says why."""
    try:
        draft_request = assist_service.prepare_draft(session, user, ticket_id)
        # The model may take seconds to answer: end the transaction before asking it.
        session.commit()
        draft = assist_service.write_draft(draft_request)
    except (DraftFailed, DraftingNotConfigured) as error:
        errors = {"body": error.detail}
        return _workspace(request, session, user, ticket_id, errors=errors, status_code=400)
    return _workspace(request, session, user, ticket_id, draft=draft.body)


@router.post("/expert/tickets/{ticket_id}/best-answer", dependencies=[CsrfChecked])
def propose_best_answer(
    request: Request, session: SessionDep, user: WebExpert, ticket_id: uuid.UUID
) -> Response:
    """Propose my reply on this resolved ticket as a standard answer."""
    try:
        assist_service.propose_best_answer(session, user, ticket_id, BestAnswerProposal())
    except AnswerAlreadyProposed as error:
        session.rollback()
        errors = {"best_answer": error.detail[0].upper() + error.detail[1:] + "."}
        return _workspace(request, session, user, ticket_id, errors=errors, status_code=409)
    return redirect(f"/expert/tickets/{ticket_id}?proposed=1#best-h")


@router.post("/expert/tickets/{ticket_id}/reply", dependencies=[CsrfChecked])
def reply(
    request: Request,
    session: SessionDep,
    user: WebExpert,
    ticket_id: uuid.UUID,
    body: Annotated[str, Form()] = "",
    is_internal: Annotated[bool, Form()] = False,
    send_anyway: Annotated[bool, Form()] = False,
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """Answer the customer (files go along, and with the mail) or leave an internal note."""
    if not body.strip():
        errors = {"body": "Write a reply first."}
        return _workspace(request, session, user, ticket_id, errors=errors, status_code=400)
    text = body.strip()
    try:
        uploads = checked_uploads(files)
    except InvalidInput as error:
        errors = {"files": plain(error.detail)}
        return _workspace(
            request,
            session,
            user,
            ticket_id,
            errors=errors,
            draft=text,
            status_code=error.status_code,
        )
    if not is_internal:
        # Pre-send checks warn first; blocking ones (the program's choice) never let it through.
        findings = assist_service.check_reply(session, user, ticket_id, text)
        warnings = [f for f in findings if not f.is_notice]
        if warnings and (not send_anyway or any(f.is_blocking for f in warnings)):
            return _workspace(
                request, session, user, ticket_id, draft=text, findings=findings, status_code=400
            )
    message, _ = assist_service.send_reply(session, user, ticket_id, text, is_internal=is_internal)
    store_uploads(session, tickets_service.get_ticket(session, user, ticket_id), message, uploads)
    return redirect(f"/expert/tickets/{ticket_id}#latest")


@router.post("/expert/tickets/{ticket_id}/wait", dependencies=[CsrfChecked])
def wait(session: SessionDep, user: WebExpert, ticket_id: uuid.UUID) -> Response:
    tickets_service.mark_waiting(session, user, ticket_id)
    return redirect(f"/expert/tickets/{ticket_id}")


@router.post("/expert/tickets/{ticket_id}/resolve", dependencies=[CsrfChecked])
def resolve(session: SessionDep, user: WebExpert, ticket_id: uuid.UUID) -> Response:
    tickets_service.resolve(session, user, ticket_id)
    return redirect("/expert")


@router.post("/expert/tickets/{ticket_id}/escalate", dependencies=[CsrfChecked])
def escalate(
    request: Request,
    session: SessionDep,
    user: WebExpert,
    ticket_id: uuid.UUID,
    reason: Annotated[str, Form()] = "",
) -> Response:
    if len(reason.strip()) < 3:
        errors = {"reason": "Say in a few words why the in-house team should take over."}
        return _workspace(request, session, user, ticket_id, errors=errors, status_code=400)
    tickets_service.escalate(session, user, ticket_id, reason=reason.strip())
    return redirect("/expert")
