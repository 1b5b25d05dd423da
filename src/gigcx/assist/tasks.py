"""Due work of the AI on tickets: triage after intake, bot answers settling or rejected."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.jobs.registry import handler


@handler("assist.triage", timeout=timedelta(minutes=5))
def triage(session: Session, payload: dict[str, Any]) -> None:
    """Triage a new ticket; if routing waited for it, let the bot answer or route it."""
    assist_service.triage_and_route(
        session,
        uuid.UUID(payload["ticket_id"]),
        route=bool(payload.get("route", False)),
        set_priority=bool(payload.get("set_priority", True)),
        set_complexity=bool(payload.get("set_complexity", True)),
        is_category_chosen=bool(payload.get("is_category_chosen", True)),
    )


@handler("assist.settle_bot_answer")
def settle_bot_answer(session: Session, payload: dict[str, Any]) -> None:
    """Count a bot answer nobody disputed until the ticket closed as a confirmed resolution."""
    assist_service.settle_bot_answer(session, uuid.UUID(payload["ticket_id"]))


@handler("assist.bot_answer_rejected")
def bot_answer_rejected(session: Session, payload: dict[str, Any]) -> None:
    """A customer's follow-up after a bot answer: the answer did not help."""
    assist_service.mark_bot_answer_rejected(session, uuid.UUID(payload["ticket_id"]))
