import uuid
from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs.registry import handler
from gigcx.payments import service as payments_service


@handler("payments.pay_resolution")
def pay_resolution(session: Session, payload: dict[str, Any]) -> None:
    """Pay the expert who resolved a ticket; a second run finds the entry and adds nothing."""
    payments_service.pay_for_resolution(
        session,
        ticket_id=uuid.UUID(payload["ticket_id"]),
        expert_id=uuid.UUID(payload["expert_id"]),
    )
