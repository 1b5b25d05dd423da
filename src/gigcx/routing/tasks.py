"""Due work of routing: routing, offer expiry, queue dispatch, escalation, roster reconcile."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import handler
from gigcx.kit import clock
from gigcx.routing import memory, roster
from gigcx.routing import service as routing_service

RECONCILE_EVERY = timedelta(hours=1)


@handler("routing.route")
def route(session: Session, payload: dict[str, Any]) -> None:
    """Route one ticket."""
    routing_service.route_ticket(session, uuid.UUID(payload["ticket_id"]))


@handler("routing.expire_offer")
def expire_offer(session: Session, payload: dict[str, Any]) -> None:
    """Expire an unanswered offer and offer the ticket again."""
    routing_service.expire_offer(session, uuid.UUID(payload["offer_id"]))


@handler("routing.dispatch")
def dispatch(session: Session, payload: dict[str, Any]) -> None:
    """Offer queued tickets to experts with room: of a program, or of every program an expert
    serves."""
    if "expert_id" in payload:
        routing_service.dispatch_for_expert(session, uuid.UUID(payload["expert_id"]))
    else:
        routing_service.dispatch(session, uuid.UUID(payload["program_id"]))


@handler("routing.escalate_if_waiting")
def escalate_if_waiting(session: Session, payload: dict[str, Any]) -> None:
    """Escalate a ticket still waiting for an expert after the program's max wait."""
    routing_service.escalate_if_waiting(
        session, uuid.UUID(payload["ticket_id"]), since=payload.get("since")
    )


def schedule_roster_reconcile(session: Session) -> None:
    """Make sure one roster reconcile is queued (each run queues the next, an hour later)."""
    queued = select(Job.id).where(
        Job.name == "routing.reconcile_roster",
        Job.status == JobStatus.QUEUED,
        Job.run_at > clock.now(),
    )
    if session.scalar(queued.limit(1)) is None:
        jobs_service.enqueue(
            session, "routing.reconcile_roster", {}, run_at=clock.now() + RECONCILE_EVERY
        )


def _rearm_roster_reconcile(session: Session, _payload: dict[str, Any]) -> None:
    schedule_roster_reconcile(session)


@handler("routing.reconcile_roster", timeout=timedelta(minutes=10), rearm=_rearm_roster_reconcile)
def reconcile_roster(session: Session, payload: dict[str, Any]) -> None:
    """Repair and audit any difference between the routing roster and the experts' tables, and
    trim the routing change log."""
    roster.reconcile(session)
    memory.trim(session)
    schedule_roster_reconcile(session)
