import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs.registry import handler
from gigcx.kit import clock
from gigcx.quality import service as quality_service


@handler("quality.sample_ticket")
def sample_ticket(session: Session, payload: dict[str, Any]) -> None:
    """Put a resolved ticket up for QA review at its expert's tier rate; once per ticket."""
    quality_service.sample_resolved_ticket(session, uuid.UUID(payload["ticket_id"]))


def _review_day(payload: dict[str, Any]) -> date:
    week = payload.get("week_start")
    return date.fromisoformat(week) if week else clock.now().date()


def _rearm_tier_reviews(session: Session, payload: dict[str, Any]) -> None:
    if payload.get("repeat"):
        quality_service.schedule_tier_reviews(session, _review_day(payload))


@handler("quality.review_tiers", timeout=timedelta(minutes=10), rearm=_rearm_tier_reviews)
def review_tiers(session: Session, payload: dict[str, Any]) -> None:
    """Run the weekly tier review; a second run for the same week changes nothing.

    With ``repeat`` it queues next week's review too (once), so the job runner keeps the cycle.
    """
    day = _review_day(payload)
    summary = quality_service.review_tiers(session, day)
    if payload.get("repeat"):
        quality_service.schedule_tier_reviews(session, summary.week_start)
