"""Retention: each brand's policy, applied nightly, with a dry run of what would go.

Closed (and canceled) tickets are anonymised, not deleted: the ledger, ratings' scores and the
dashboards point at them. Their content goes as in an erasure; a customer none of whose tickets
keeps any content is anonymised too. Raw mail, sent mail bodies and attachments go earlier if the
policy says so. Audit events go after the policy's years. A legal hold exempts its ticket, or
every ticket of its customer, from all of it.
"""

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.channels.email.models import InboundEmail, OutboundEmail
from gigcx.errors import InvalidInput
from gigcx.kit import clock
from gigcx.rights.enums import ErasureCause, RequestStatus
from gigcx.rights.models import PrivacyRequest, RetentionPolicy, TicketErasure
from gigcx.rights.service._customers import anonymise_customer
from gigcx.rights.service._holds import held_ticket_filter
from gigcx.rights.service._wipe import Counts, needles_for, set_each, wipe_tickets
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Attachment, Customer, Ticket

FINAL_STATUSES = (TicketStatus.CLOSED, TicketStatus.CANCELED)
MAX_DAYS = 36_500
MAX_YEARS = 100


@dataclass
class RetentionReport:
    """What a run removes (or, in a dry run, would remove)."""

    is_dry_run: bool
    closed_ticket_days: int | None = None
    raw_content_days: int | None = None
    audit_years: int | None = None
    tickets: int = 0
    customers: int = 0
    raw_mails: int = 0
    sent_mail_bodies: int = 0
    attachments: int = 0
    audit_events: int = 0
    export_archives: int = 0
    held_tickets: int = 0
    wiped: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def get_policy(session: Session, brand_id: uuid.UUID) -> RetentionPolicy:
    """The brand's policy; a brand without one keeps everything (and exports 7 days)."""
    policy = session.scalar(select(RetentionPolicy).where(RetentionPolicy.brand_id == brand_id))
    return policy or RetentionPolicy(brand_id=brand_id, export_keep_days=7)


def put_policy(
    session: Session,
    principal: Principal,
    brand_id: uuid.UUID,
    *,
    closed_ticket_days: int | None,
    raw_content_days: int | None,
    audit_years: int | None,
    export_keep_days: int,
) -> RetentionPolicy:
    """Set the brand's policy; audited."""
    for label, value, top in (
        ("closed_ticket_days", closed_ticket_days, MAX_DAYS),
        ("raw_content_days", raw_content_days, MAX_DAYS),
        ("audit_years", audit_years, MAX_YEARS),
        ("export_keep_days", export_keep_days, 365),
    ):
        if value is not None and not 1 <= value <= top:
            raise InvalidInput(f"{label} must be from 1 to {top} (or empty to keep for ever)")
    policy = session.scalar(select(RetentionPolicy).where(RetentionPolicy.brand_id == brand_id))
    if policy is None:
        policy = RetentionPolicy(brand_id=brand_id)
        session.add(policy)
    policy.closed_ticket_days = closed_ticket_days
    policy.raw_content_days = raw_content_days
    policy.audit_years = audit_years
    policy.export_keep_days = export_keep_days
    policy.updated_at = clock.now()
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="privacy.retention_set",
        subject_type="brand",
        subject_id=brand_id,
        brand_id=brand_id,
        data={
            "closed_ticket_days": closed_ticket_days,
            "raw_content_days": raw_content_days,
            "audit_years": audit_years,
            "export_keep_days": export_keep_days,
        },
    )
    return policy


def _due_tickets(
    session: Session, brand_id: uuid.UUID, before: datetime
) -> tuple[list[uuid.UUID], int]:
    held_tickets, held_customers = held_ticket_filter(brand_id)
    erased = select(TicketErasure.ticket_id)
    due = (
        Ticket.brand_id == brand_id,
        Ticket.status.in_(FINAL_STATUSES),
        func.coalesce(Ticket.closed_at, Ticket.status_changed_at) < before,
        Ticket.id.not_in(erased),
    )
    free = (Ticket.id.not_in(held_tickets), Ticket.customer_id.not_in(held_customers))
    ids = list(session.scalars(select(Ticket.id).where(*due, *free).order_by(Ticket.created_at)))
    held = session.scalar(select(func.count()).select_from(Ticket).where(*due)) or 0
    return ids, held - len(ids)


def _unheld(brand_id: uuid.UUID, ticket_column: Any) -> Any:
    held_tickets, held_customers = held_ticket_filter(brand_id)
    of_held_customers = select(Ticket.id).where(Ticket.customer_id.in_(held_customers))
    return (ticket_column.is_(None)) | (
        ticket_column.not_in(held_tickets) & ticket_column.not_in(of_held_customers)
    )


def apply_retention(
    session: Session, brand_id: uuid.UUID, *, dry_run: bool, actor: Principal = SYSTEM
) -> RetentionReport:
    """Apply (or, with ``dry_run``, only count) the brand's policy now."""
    policy = get_policy(session, brand_id)
    now = clock.now()
    report = RetentionReport(
        is_dry_run=dry_run,
        closed_ticket_days=policy.closed_ticket_days,
        raw_content_days=policy.raw_content_days,
        audit_years=policy.audit_years,
    )
    counts = Counts()
    if policy.closed_ticket_days is not None:
        ids, report.held_tickets = _due_tickets(
            session, brand_id, now - timedelta(days=policy.closed_ticket_days)
        )
        report.tickets = len(ids)
        if not dry_run:
            _anonymise_tickets(session, ids, counts)
            report.customers = _anonymise_emptied_customers(session, brand_id, counts)
    if policy.raw_content_days is not None:
        before = now - timedelta(days=policy.raw_content_days)
        _raw_content(session, brand_id, before, report, dry_run=dry_run)
    if policy.audit_years is not None:
        before = now - timedelta(days=365 * policy.audit_years)
        if dry_run:
            report.audit_events = (
                session.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.brand_id == brand_id, AuditEvent.created_at < before)
                )
                or 0
            )
        else:
            report.audit_events = audit_service.prune(session, brand_id=brand_id, before=before)
    expired = (
        PrivacyRequest.brand_id == brand_id,
        PrivacyRequest.archive.is_not(None),
        PrivacyRequest.expires_at < now,
    )
    if dry_run:
        report.export_archives = (
            session.scalar(select(func.count()).select_from(PrivacyRequest).where(*expired)) or 0
        )
    else:
        result = session.execute(
            update(PrivacyRequest)
            .where(*expired)
            .values(archive=None, status=RequestStatus.EXPIRED)
        )
        report.export_archives = int(getattr(result, "rowcount", 0) or 0)
    report.wiped = counts.values
    if not dry_run:
        audit_service.record(
            session,
            actor=actor,
            action="privacy.retention_applied",
            subject_type="brand",
            subject_id=brand_id,
            brand_id=brand_id,
            data={k: v for k, v in report.as_dict().items() if k not in {"is_dry_run"}},
        )
        session.flush()
    return report


def _anonymise_tickets(session: Session, ids: list[uuid.UUID], counts: Counts) -> None:
    by_customer: dict[uuid.UUID, list[uuid.UUID]] = {}
    for ticket_id, customer_id in (
        session.execute(select(Ticket.id, Ticket.customer_id).where(Ticket.id.in_(ids)))
        if ids
        else []
    ):
        by_customer.setdefault(customer_id, []).append(ticket_id)
    for customer_id, tickets in by_customer.items():
        customer = session.get_one(Customer, customer_id)
        needles = needles_for(customer.email, customer.name)
        wipe_tickets(session, tickets, cause=ErasureCause.RETENTION, needles=needles, counts=counts)


def _anonymise_emptied_customers(session: Session, brand_id: uuid.UUID, counts: Counts) -> int:
    """Customers whose every ticket was wiped, and who are not held, lose their identity."""
    _, held_customers = held_ticket_filter(brand_id)
    with_content = select(Ticket.customer_id).where(
        Ticket.brand_id == brand_id, Ticket.id.not_in(select(TicketErasure.ticket_id))
    )
    wiped = select(Ticket.customer_id).where(
        Ticket.brand_id == brand_id, Ticket.id.in_(select(TicketErasure.ticket_id))
    )
    customers = session.scalars(
        select(Customer).where(
            Customer.brand_id == brand_id,
            Customer.id.in_(wiped),
            Customer.id.not_in(with_content),
            Customer.id.not_in(held_customers),
        )
    ).all()
    done = 0
    for customer in customers:
        if customer.email.endswith("@erased.invalid"):
            continue
        anonymise_customer(session, customer, counts=counts)
        done += 1
    return done


def _raw_content(
    session: Session,
    brand_id: uuid.UUID,
    before: datetime,
    report: RetentionReport,
    *,
    dry_run: bool,
) -> None:
    raw = (
        InboundEmail.brand_id == brand_id,
        InboundEmail.created_at < before,
        InboundEmail.raw != b"",
        _unheld(brand_id, InboundEmail.ticket_id),
    )
    sent = (
        OutboundEmail.brand_id == brand_id,
        OutboundEmail.created_at < before,
        # Emptied, not replaced: an empty value is stored as it is (never sealed), so SQL can
        # tell a wiped body from an encrypted one.
        OutboundEmail.text_body != "",
        _unheld(brand_id, OutboundEmail.ticket_id),
    )
    brand_tickets = select(Ticket.id).where(Ticket.brand_id == brand_id)
    files = (
        Attachment.ticket_id.in_(brand_tickets),
        Attachment.created_at < before,
        _unheld(brand_id, Attachment.ticket_id),
    )
    if dry_run:
        report.raw_mails = _count(session, InboundEmail, raw)
        report.sent_mail_bodies = _count(session, OutboundEmail, sent)
        report.attachments = _count(session, Attachment, files)
        return
    report.raw_mails = _rows(session.execute(update(InboundEmail).where(*raw).values(raw=b"")))
    report.sent_mail_bodies = set_each(session, OutboundEmail, *sent, text_body="")
    report.attachments = _rows(session.execute(delete(Attachment).where(*files)))


def _count(session: Session, model: Any, where: tuple[Any, ...]) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def brands_with_policies(session: Session) -> list[uuid.UUID]:
    return list(
        session.scalars(select(RetentionPolicy.brand_id).order_by(RetentionPolicy.brand_id))
    )


def expire_archives_due(session: Session) -> int:
    """Delete every export archive past its keep time (brands' and experts')."""
    result = session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.archive.is_not(None), PrivacyRequest.expires_at < clock.now())
        .values(archive=None, status=RequestStatus.EXPIRED)
    )
    return _rows(result)
