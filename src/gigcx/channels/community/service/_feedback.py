"""Feedback from experts to the brand, on a program or a ticket they worked; staff answer it."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.channels.community.enums import FeedbackStatus
from gigcx.channels.community.errors import (
    FeedbackClosed,
    FeedbackNotFound,
    FeedbackTarget,
    NotEnrolled,
    TicketNotWorked,
)
from gigcx.channels.community.models import Feedback
from gigcx.channels.community.queries import READER_STATUSES, readable_feedback
from gigcx.channels.community.schemas import FeedbackAnswer, FeedbackCreate
from gigcx.errors import InvalidInput, PermissionDenied
from gigcx.experts.models import Enrollment
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.errors import TicketNotFound
from gigcx.tickets.models import Assignment

LIST_LIMIT = 200


def has_worked(session: Session, principal: Principal, ticket_id: uuid.UUID) -> bool:
    """Whether the expert held the ticket at some time (feedback on it is theirs to give)."""
    held = session.scalar(
        select(Assignment.id)
        .where(Assignment.ticket_id == ticket_id, Assignment.expert_id == principal.expert_id)
        .limit(1)
    )
    return held is not None


def _worked_ticket_program(
    session: Session, principal: Principal, ticket_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID]:
    """The brand and program of a ticket the expert may read and held at some time."""
    try:
        ticket = tickets_service.get_ticket(session, principal, ticket_id)
    except TicketNotFound:
        raise TicketNotWorked() from None
    if not has_worked(session, principal, ticket.id):
        raise TicketNotWorked()
    return ticket.brand_id, ticket.program_id


def _enrolled_program(
    session: Session, principal: Principal, program_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID]:
    row = session.execute(
        select(Program.brand_id, Program.id)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(
            Program.id == program_id,
            Enrollment.expert_id == principal.expert_id,
            Enrollment.status.in_(READER_STATUSES),
        )
    ).first()
    if row is None:
        raise NotEnrolled()
    return row[0], row[1]


def send_feedback(session: Session, principal: Principal, data: FeedbackCreate) -> Feedback:
    """Send the brand feedback on one of the expert's programs or a ticket they worked."""
    if not principal.is_expert or principal.expert_id is None:
        raise PermissionDenied("feedback is sent by experts; sign in with an expert account")
    if (data.program_id is None) == (data.ticket_id is None):
        raise FeedbackTarget()
    if data.ticket_id is not None:
        brand_id, program_id = _worked_ticket_program(session, principal, data.ticket_id)
    else:
        assert data.program_id is not None
        brand_id, program_id = _enrolled_program(session, principal, data.program_id)
    if data.answer_id is not None:
        answer = assist_service.get_answer(session, principal, data.answer_id)
        if answer.program_id != program_id:
            raise InvalidInput("that answer belongs to another program; pick one of this program")
    feedback = Feedback(
        brand_id=brand_id,
        program_id=program_id,
        ticket_id=data.ticket_id,
        expert_id=principal.expert_id,
        kind=data.kind,
        body=data.body,
        answer_id=data.answer_id,
    )
    session.add(feedback)
    session.flush()
    return feedback


def list_feedback(
    session: Session, principal: Principal, *, status: FeedbackStatus | None = None
) -> list[Feedback]:
    """Feedback the principal may read, newest first (experts: their own)."""
    statement = readable_feedback(principal)
    if status is not None:
        statement = statement.where(Feedback.status == status)
    return list(
        session.scalars(
            statement.order_by(Feedback.created_at.desc(), Feedback.id).limit(LIST_LIMIT)
        )
    )


def get_feedback(session: Session, principal: Principal, feedback_id: uuid.UUID) -> Feedback:
    feedback = session.scalar(readable_feedback(principal).where(Feedback.id == feedback_id))
    if feedback is None:
        raise FeedbackNotFound()
    return feedback


def _staff_feedback(session: Session, principal: Principal, feedback_id: uuid.UUID) -> Feedback:
    if not (principal.is_brand_staff or principal.is_platform_admin):
        raise PermissionDenied("feedback is answered by the brand's staff")
    feedback = session.scalar(
        readable_feedback(principal).where(Feedback.id == feedback_id).with_for_update()
    )
    if feedback is None:
        raise FeedbackNotFound()
    return feedback


def answer_feedback(
    session: Session, principal: Principal, feedback_id: uuid.UUID, data: FeedbackAnswer
) -> Feedback:
    """Answer an expert's feedback (they see it with a notice); optionally close it."""
    feedback = _staff_feedback(session, principal, feedback_id)
    if feedback.status == FeedbackStatus.CLOSED:
        raise FeedbackClosed()
    now = clock.now()
    feedback.reply = data.reply
    feedback.replied_by = principal.user_id
    feedback.replied_at = now
    feedback.is_reply_seen = False
    feedback.status = FeedbackStatus.CLOSED if data.is_closing else FeedbackStatus.ANSWERED
    if data.is_closing:
        feedback.closed_at = now
    session.flush()
    return feedback


def close_feedback(session: Session, principal: Principal, feedback_id: uuid.UUID) -> Feedback:
    """Close feedback (closing it again changes nothing)."""
    feedback = _staff_feedback(session, principal, feedback_id)
    if feedback.status != FeedbackStatus.CLOSED:
        feedback.status = FeedbackStatus.CLOSED
        feedback.closed_at = clock.now()
        session.flush()
    return feedback


def mark_answer_seen(session: Session, principal: Principal, feedback_id: uuid.UUID) -> None:
    """The expert read the brand's answer: its notice goes away."""
    if not principal.is_expert:
        raise PermissionDenied("only the expert who sent feedback marks its answer seen")
    feedback = get_feedback(session, principal, feedback_id)
    if not feedback.is_reply_seen:
        feedback.is_reply_seen = True
        session.flush()


def unseen_answers(session: Session, principal: Principal) -> list[Feedback]:
    """The expert's feedback with an answer they have not seen yet."""
    return list(
        session.scalars(
            readable_feedback(principal)
            .where(Feedback.is_reply_seen.is_(False))
            .order_by(Feedback.replied_at.desc(), Feedback.id)
        )
    )
