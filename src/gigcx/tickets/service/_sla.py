"""SLA clocks: warnings when a ticket is at risk, breaches when a due time passes."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Program
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.tickets.enums import OPEN_STATUSES, TicketStatus
from gigcx.tickets.models import Ticket

SLA_WARNING_SHARE = 0.8
CLOCKS = ("first_response", "resolution")


def schedule_sla_checks(session: Session, ticket: Ticket, program: Program) -> None:
    """Enqueue the at-risk warning and the breach check of both SLA clocks."""
    windows = {
        "first_response": program.first_response_seconds,
        "resolution": program.resolution_seconds,
    }
    for name, seconds in windows.items():
        warn_at = ticket.created_at + timedelta(seconds=seconds * SLA_WARNING_SHARE)
        for stage, run_at in (("warning", warn_at), ("breach", _due_at(ticket, name))):
            jobs_service.enqueue(
                session,
                "tickets.check_sla",
                {"ticket_id": str(ticket.id), "clock": name, "stage": stage},
                run_at=run_at,
            )


def _due_at(ticket: Ticket, name: str) -> datetime:
    if name == "first_response":
        return ticket.first_response_due_at
    due = ticket.resolution_due_at
    if ticket.waiting_since is not None:
        due += clock.now() - ticket.waiting_since
    return due


def _is_running(ticket: Ticket, name: str) -> bool:
    if name == "first_response":
        return ticket.first_response_at is None and ticket.status in OPEN_STATUSES
    return ticket.status in OPEN_STATUSES


def check_sla(session: Session, ticket: Ticket, *, name: str, stage: str) -> None:
    """Record an SLA warning or breach if the clock still runs; re-check if the due time moved."""
    if name not in CLOCKS or not _is_running(ticket, name):
        return
    now = clock.now()
    due = _due_at(ticket, name)
    if stage == "warning":
        action = f"sla.{name}.at_risk"
    else:
        if now < due:
            jobs_service.enqueue(
                session,
                "tickets.check_sla",
                {"ticket_id": str(ticket.id), "clock": name, "stage": stage},
                run_at=due,
            )
            return
        if name == "first_response":
            if ticket.first_response_breached:
                return
            ticket.first_response_breached = True
        else:
            if ticket.resolution_breached or ticket.status == TicketStatus.WAITING_ON_CUSTOMER:
                return
            ticket.resolution_breached = True
        action = f"sla.{name}.breached"
    audit_service.record(
        session,
        actor=SYSTEM,
        action=action,
        subject_type="ticket",
        subject_id=ticket.id,
        brand_id=ticket.brand_id,
        data={"due_at": due.isoformat()},
    )
