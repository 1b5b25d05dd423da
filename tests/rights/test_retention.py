"""Retention: closed tickets anonymised, raw mail and files removed, audit pruned; holds exempt."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import SYSTEM
from gigcx.channels.email.models import InboundEmail
from gigcx.kit import clock
from gigcx.rights import service as rights_service
from gigcx.rights.enums import RequestKind, RequestStatus
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Attachment, Customer, Message, Ticket
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.rights.builders import customer_everywhere
from tests.rights.helpers import run_privacy_jobs

THEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _close(ticket: Ticket, when: datetime) -> None:
    ticket.status = TicketStatus.CLOSED
    ticket.status_changed_at = when
    ticket.closed_at = when


def _counts(session: Session) -> tuple[int, int, int]:
    attachments = session.scalar(select(func.count()).select_from(Attachment)) or 0
    raw = session.scalar(
        select(func.count()).select_from(InboundEmail).where(InboundEmail.raw != b"")
    )
    audit = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return attachments, raw or 0, audit


def test_retention_anonymises_old_closed_tickets_except_held_ones_and_reports_first(
    session: Session,
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    admin = brand_admin(brand)
    with clock.travel_to(THEN):
        old = customer_everywhere(
            session, program, email="old@example.com", name="Olga Old", phone="+1 555 0101"
        )
        held = customer_everywhere(
            session,
            program,
            email="kept@example.com",
            name="Kai Kept",
            phone="+1 555 0102",
            tickets=1,
        )
        audit_service.record(
            session,
            actor=SYSTEM,
            action="x.old",
            subject_type="brand",
            subject_id=brand.id,
            brand_id=brand.id,
        )
        for ticket in old.tickets + held.tickets:
            _close(ticket, THEN)
        export = rights_service.request(
            session, admin, kind=RequestKind.EXPORT, email="kept@example.com"
        )
        run_privacy_jobs(session)
    with clock.travel_to(NOW - timedelta(days=2)):
        fresh = customer_everywhere(
            session,
            program,
            email="new@example.com",
            name="Nia New",
            phone="+1 555 0103",
            tickets=1,
        )
        _close(fresh.tickets[0], clock.now())
    rights_service.set_hold(session, admin, reason="Claim 5", ticket_id=held.tickets[0].id)
    rights_service.put_policy(
        session,
        admin,
        brand.id,
        closed_ticket_days=90,
        raw_content_days=30,
        audit_years=None,
        export_keep_days=7,
    )
    session.flush()
    before = _counts(session)

    with clock.travel_to(NOW):
        dry = rights_service.apply_retention(session, brand.id, dry_run=True)
        assert _counts(session) == before
        applied = rights_service.apply_retention(session, brand.id, dry_run=False)

    assert (dry.tickets, dry.held_tickets, dry.attachments, dry.raw_mails) == (2, 1, 2, 2)
    assert dry.export_archives == 1
    assert (applied.tickets, applied.customers, applied.held_tickets) == (2, 1, 1)
    session.expire_all()
    customers = {c.name: c for c in session.scalars(select(Customer))}
    assert set(customers) == {"", "Kai Kept", "Nia New"}
    for ticket in old.tickets:
        assert session.get_one(Ticket, ticket.id).subject == "[erased]"
    held_ticket = session.get_one(Ticket, held.tickets[0].id)
    assert held_ticket.subject.startswith("Order for Kai Kept")
    held_messages = session.scalars(
        select(Message).where(Message.ticket_id == held_ticket.id)
    ).all()
    assert held_messages and "[erased]" not in {m.body for m in held_messages}
    remaining = session.scalars(select(Attachment.ticket_id)).all()
    assert sorted(remaining) == sorted([held_ticket.id, fresh.tickets[0].id])
    session.refresh(export)
    assert export.status == RequestStatus.EXPIRED and export.archive is None

    with clock.travel_to(NOW):
        again = rights_service.apply_retention(session, brand.id, dry_run=False)
    assert (again.tickets, again.customers, again.attachments) == (0, 0, 0)


def test_audit_events_older_than_the_policy_years_are_pruned(session: Session) -> None:
    brand = make_brand(session)
    other = make_brand(session)
    admin = brand_admin(brand)
    with clock.travel_to(datetime(2019, 1, 1, tzinfo=UTC)):
        for owner in (brand, other):
            audit_service.record(
                session,
                actor=SYSTEM,
                action="x.old",
                subject_type="brand",
                subject_id=owner.id,
                brand_id=owner.id,
            )
        session.flush()
    rights_service.put_policy(
        session,
        admin,
        brand.id,
        closed_ticket_days=None,
        raw_content_days=None,
        audit_years=5,
        export_keep_days=7,
    )
    session.flush()

    with clock.travel_to(NOW):
        report = rights_service.apply_retention(session, brand.id, dry_run=False)

    assert report.audit_events == 1
    old = select(AuditEvent.brand_id).where(AuditEvent.action == "x.old")
    assert session.scalars(old).all() == [other.id]
