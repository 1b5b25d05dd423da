"""SLA clocks and the max-wait check: warnings, breaches, escalation of work nobody takes.

A ticket's clocks run per round: intake starts the first, each reopening by a customer's
follow-up starts another (``wait_started_at``). Every check carries the start of its round, so
a check left over from an earlier round does nothing once a newer one is armed.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

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


def wait_started_at(ticket: Ticket) -> datetime:
    """When the current round began: intake, or the latest reopening by a follow-up."""
    return ticket.reopened_at or ticket.created_at


def schedule_sla_checks(
    session: Session, ticket: Ticket, program: Program, *, clocks: Iterable[str] = CLOCKS
) -> None:
    """Enqueue the at-risk warning and the breach check of these SLA clocks for this round."""
    windows = {
        "first_response": program.first_response_seconds,
        "resolution": program.resolution_seconds,
    }
    started = wait_started_at(ticket)
    for name in clocks:
        warn_at = started + timedelta(seconds=windows[name] * SLA_WARNING_SHARE)
        for stage, run_at in (("warning", warn_at), ("breach", _due_at(ticket, name))):
            jobs_service.enqueue(
                session,
                "tickets.check_sla",
                _payload(ticket, name, stage, started),
                run_at=run_at,
            )


def _payload(ticket: Ticket, name: str, stage: str, started: datetime) -> dict[str, Any]:
    return {
        "ticket_id": str(ticket.id),
        "clock": name,
        "stage": stage,
        "since": started.isoformat(),
    }


def schedule_wait_check(session: Session, ticket: Ticket, program: Program) -> None:
    """Enqueue the escalation of this round's wait, should nobody take the ticket in time."""
    started = wait_started_at(ticket)
    jobs_service.enqueue(
        session,
        "routing.escalate_if_waiting",
        {"ticket_id": str(ticket.id), "since": started.isoformat()},
        run_at=started + timedelta(seconds=program.max_wait_seconds),
    )


def is_current_round(ticket: Ticket, since: str | None) -> bool:
    """Whether a check stamped ``since`` (None: stamped before rounds existed) is for this round."""
    return since is None or datetime.fromisoformat(since) == wait_started_at(ticket)


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


def check_sla(
    session: Session, ticket: Ticket, *, name: str, stage: str, since: str | None = None
) -> None:
    """Record an SLA warning or breach if the clock still runs; re-check if the due time moved.

    The first response is owed once per ticket; the resolution clock starts again when a
    follow-up reopens the ticket, and a check from an earlier round then does nothing.
    """
    if name not in CLOCKS or not _is_running(ticket, name):
        return
    if name == "resolution" and not is_current_round(ticket, since):
        return
    now = clock.now()
    due = _due_at(ticket, name)
    if stage == "warning":
        action = f"sla.{name}.at_risk"
    else:
        if now < due:
            payload = _payload(ticket, name, stage, wait_started_at(ticket))
            jobs_service.enqueue(session, "tickets.check_sla", payload, run_at=due)
            return
        if name == "first_response":
            if ticket.first_response_breached:
                return
            ticket.first_response_breached = True
        else:
            # Once per round: each round has one breach check. The flag stays set once any
            # round missed its due time, so reports count the miss.
            if ticket.status == TicketStatus.WAITING_ON_CUSTOMER:
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
