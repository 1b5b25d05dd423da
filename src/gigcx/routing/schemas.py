from datetime import datetime

from gigcx.kit.schemas import Schema


class WaitingRead(Schema):
    """Why a ticket waits for an expert; ``is_waiting`` is false once an expert has it."""

    is_waiting: bool
    reason: str | None = None
    sentence: str | None = None
    details: list[str] = []
    queued_at: datetime | None = None
    effective_priority: float | None = None
    escalates_at: datetime | None = None
