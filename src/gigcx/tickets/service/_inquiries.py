"""Inquiries: intake that stores what the customer sent and leaves the ticket to a job runner.

The request checks the inquiry against the program, seals it and writes it with its job in one
statement: what a request costs stays close to a one-row insert. A job runner then makes the
ticket (same id), routes it and marks the inquiry taken in. The runner checks the program again:
an inquiry the program stopped taking since (a language or category removed) is rejected, and
says why.
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.db.dialect import insert_new_with, locked
from gigcx.errors import PermissionDenied
from gigcx.jobs.models import Job
from gigcx.jobs.service import queued_job
from gigcx.kit import clock
from gigcx.kit.ids import new_id
from gigcx.privacy import orm
from gigcx.tickets import queries
from gigcx.tickets.enums import InquiryStatus
from gigcx.tickets.errors import IdempotencyKeyReused, TicketNotFound
from gigcx.tickets.models import Inquiry
from gigcx.tickets.schemas import TicketCreate
from gigcx.tickets.service._intake import (
    IntakeRules,
    check_intake,
    readable_program,
    request_hash,
)

TAKE_IN_JOB = "intake.take_in"
# How long a process trusts what it read of a program's intake rules and its brand's data key:
# the job runner checks the program again, so a change shows at the latest here.
RECENT_SECONDS = 5.0
_RULES: dict[uuid.UUID, tuple[IntakeRules, float]] = {}


def _rules(session: Session, principal: Principal, program_id: uuid.UUID) -> IntakeRules:
    """The program's intake rules, read again when this process's copy is older than
    ``RECENT_SECONDS``; ProgramNotFound when the principal may not read the program."""
    cached = _RULES.get(program_id)
    if (
        cached is not None
        and time.monotonic() - cached[1] < RECENT_SECONDS
        and principal.is_brand_staff
        and principal.brand_id == cached[0].brand_id
    ):
        return cached[0]
    rules = IntakeRules.of(readable_program(session, principal, program_id))
    _RULES[program_id] = (rules, time.monotonic())
    return rules


def receive_inquiry(
    session: Session,
    principal: Principal,
    data: TicketCreate,
    *,
    idempotency_key: str | None,
    can_pick_category: Callable[[], bool],
) -> tuple[Inquiry, bool]:
    """Store a customer's inquiry for a job runner to make its ticket; return the inquiry and
    whether it is new (a replayed Idempotency-Key returns the first one)."""
    if not principal.can_speak_for_customers:
        raise PermissionDenied("tickets are created with a brand API key or by brand staff")
    rules = _rules(session, principal, data.program_id)
    check_intake(rules, data, may_lack_category=data.category is None and can_pick_category())
    inquiry_id = new_id()
    payload = orm.seal_column(
        session,
        Inquiry.payload,
        inquiry_id,
        data.model_dump(mode="json"),
        brand_id=rules.brand_id,
        max_key_age=RECENT_SECONDS,
    )
    values = {
        "id": inquiry_id,
        "brand_id": rules.brand_id,
        "program_id": rules.program_id,
        "idempotency_key": idempotency_key,
        "request_hash": request_hash(data),
        "actor_role": principal.role.value,
        "actor_id": principal.actor_id,
        "payload": payload,
        "status": InquiryStatus.RECEIVED,
        "created_at": clock.now(),
    }
    job = queued_job(TAKE_IN_JOB, {"inquiry_id": str(inquiry_id)})
    if insert_new_with(session, Inquiry, values, then=Job, then_values=job):
        return _as_received(values), True
    # Only a key can conflict: a replay. The key's first inquiry answers it.
    existing = session.scalar(
        select(Inquiry).where(
            Inquiry.brand_id == rules.brand_id, Inquiry.idempotency_key == idempotency_key
        )
    )
    if existing is None:  # pragma: no cover - the conflicting row is committed by then
        raise LookupError(f"inquiry with key {idempotency_key!r} neither inserted nor found")
    if existing.request_hash != values["request_hash"]:
        raise IdempotencyKeyReused()
    return existing, False


def _as_received(values: dict[str, object]) -> Inquiry:
    """The inquiry just inserted, as an object the session does not track (nothing to read)."""
    inquiry = Inquiry(**{k: v for k, v in values.items() if k != "payload"})
    inquiry.ticket_id = None
    inquiry.problem = None
    return inquiry


def get_inquiry(session: Session, principal: Principal, inquiry_id: uuid.UUID) -> Inquiry:
    """The inquiry, for brand staff of its brand (or the platform); else TicketNotFound."""
    statement = queries.readable_inquiries(principal).where(Inquiry.id == inquiry_id)
    inquiry = session.scalars(statement).first()
    if inquiry is None:
        raise TicketNotFound()
    return inquiry


@dataclass(frozen=True)
class OpenInquiry:
    """A received inquiry, locked, with what it asks for and who sent it."""

    inquiry: Inquiry
    data: TicketCreate
    sender: Principal


def open_inquiry(session: Session, inquiry_id: uuid.UUID) -> OpenInquiry | None:
    """Lock the inquiry and open what it holds; None once it was taken in or rejected."""
    inquiry = session.scalars(
        locked(session, select(Inquiry).where(Inquiry.id == inquiry_id))
    ).first()
    if inquiry is None or inquiry.status != InquiryStatus.RECEIVED or inquiry.payload is None:
        return None
    role = Role(inquiry.actor_role)
    sender = Principal(
        role=role,
        brand_id=inquiry.brand_id,
        api_key_id=inquiry.actor_id if role is Role.API_KEY else None,
        user_id=None if role is Role.API_KEY else inquiry.actor_id,
    )
    return OpenInquiry(
        inquiry=inquiry, data=TicketCreate.model_validate(inquiry.payload), sender=sender
    )


def close_inquiry(
    session: Session,
    inquiry: Inquiry,
    *,
    ticket_id: uuid.UUID | None = None,
    problem: str | None = None,
) -> None:
    """Mark the inquiry taken in as ``ticket_id``, or rejected for ``problem`` (audited);
    drop its data."""
    inquiry.status = InquiryStatus.REJECTED if ticket_id is None else InquiryStatus.TAKEN_IN
    inquiry.ticket_id = ticket_id
    inquiry.problem = problem
    inquiry.payload = None
    inquiry.taken_in_at = clock.now()
    if ticket_id is None:
        audit_service.record(
            session,
            actor=SYSTEM,
            action="inquiry.rejected",
            subject_type="inquiry",
            subject_id=inquiry.id,
            brand_id=inquiry.brand_id,
            data={"problem": problem},
        )
