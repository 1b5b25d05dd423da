"""Approved answers: written by the brand, or proposed by experts from their best replies."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist.enums import AnswerKind, AnswerStatus
from gigcx.assist.errors import AnswerAlreadyReviewed, AnswerNotFound, NothingToPropose
from gigcx.assist.models import Answer
from gigcx.assist.queries import readable_answers
from gigcx.assist.schemas import AnswerCreate, AnswerReview, BestAnswerProposal
from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import InvalidInput, PermissionDenied
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, TicketStatus


def _check_intent(program: Program, intent: str | None) -> None:
    if intent is not None and program.category(intent) is None:
        keys = ", ".join(c.key for c in program.categories)
        raise InvalidInput(f"program {program.slug!r} has no category {intent!r}; it has: {keys}")


def _require_reviewer(principal: Principal) -> None:
    if not (principal.is_brand_staff or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("only the brand's staff write and review answers")


def create_answer(session: Session, principal: Principal, data: AnswerCreate) -> Answer:
    """Add a standard answer or knowledge article, approved at once (brand staff)."""
    _require_reviewer(principal)
    program = brands_service.get_program(session, principal, data.program_id)
    _check_intent(program, data.intent)
    now = clock.now()
    answer = Answer(
        brand_id=program.brand_id,
        program_id=program.id,
        kind=data.kind,
        intent=data.intent,
        title=data.title.strip(),
        body=data.body.strip(),
        status=AnswerStatus.APPROVED,
        reviewed_at=now,
        created_at=now,
    )
    session.add(answer)
    session.flush()
    return answer


def propose_best_answer(
    session: Session, principal: Principal, ticket_id: uuid.UUID, data: BestAnswerProposal
) -> Answer:
    """ "Save as best answer": propose an expert's reply on a resolved ticket for review."""
    if not principal.is_expert:
        raise PermissionDenied("experts propose their own replies as best answers")
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    if ticket.status not in {TicketStatus.RESOLVED, TicketStatus.CLOSED}:
        raise NothingToPropose("only a resolved ticket's reply can become a best answer")
    own_replies = [
        m
        for m in ticket.messages
        if m.author_kind == AuthorKind.EXPERT
        and m.author_id == principal.expert_id
        and not m.is_internal
    ]
    if not own_replies:
        raise NothingToPropose("you sent no reply on this ticket to propose")
    existing = session.scalar(
        select(Answer).where(
            Answer.source_ticket_id == ticket.id, Answer.author_expert_id == principal.expert_id
        )
    )
    if existing is not None:
        return existing
    body = (data.body or own_replies[-1].body).strip()
    answer = Answer(
        brand_id=ticket.brand_id,
        program_id=ticket.program_id,
        kind=AnswerKind.ANSWER,
        intent=ticket.category,
        title=data.title.strip() or (ticket.subject[:200] or ticket.category),
        body=body,
        status=AnswerStatus.PROPOSED,
        author_expert_id=principal.expert_id,
        source_ticket_id=ticket.id,
    )
    session.add(answer)
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="assist.answer_proposed",
        subject_type="answer",
        subject_id=answer.id,
        brand_id=ticket.brand_id,
        data={"ticket_id": str(ticket.id)},
    )
    return answer


def get_answer(session: Session, principal: Principal, answer_id: uuid.UUID) -> Answer:
    answer = session.scalar(readable_answers(principal).where(Answer.id == answer_id))
    if answer is None:
        raise AnswerNotFound()
    return answer


def review_answer(
    session: Session, principal: Principal, answer_id: uuid.UUID, data: AnswerReview
) -> Answer:
    """Approve (optionally edited) or reject a proposed answer (brand reviewers)."""
    _require_reviewer(principal)
    answer = get_answer(session, principal, answer_id)
    if answer.status != AnswerStatus.PROPOSED:
        raise AnswerAlreadyReviewed(answer.status)
    if data.decision == AnswerStatus.PROPOSED:
        raise InvalidInput("decide approved or rejected")
    if data.decision == AnswerStatus.APPROVED:
        program = session.get_one(Program, answer.program_id)
        if data.intent is not None:
            _check_intent(program, data.intent)
            answer.intent = data.intent
        answer.title = (data.title or answer.title).strip()
        answer.body = (data.body or answer.body).strip()
    answer.status = data.decision
    answer.reviewed_at = clock.now()
    answer.review_note = data.note
    audit_service.record(
        session,
        actor=principal,
        action=f"assist.answer_{data.decision.value}",
        subject_type="answer",
        subject_id=answer.id,
        brand_id=answer.brand_id,
    )
    session.flush()
    return answer


def list_answers(
    session: Session,
    principal: Principal,
    *,
    program_id: uuid.UUID | None = None,
    status: AnswerStatus | None = None,
) -> Sequence[Answer]:
    statement = readable_answers(principal)
    if program_id is not None:
        statement = statement.where(Answer.program_id == program_id)
    if status is not None:
        statement = statement.where(Answer.status == status)
    return session.scalars(statement.order_by(Answer.created_at.desc())).all()
