from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gigcx.db.base import Base, CreatedMixin, IdMixin
from gigcx.jobs.enums import JobStatus

MAX_ATTEMPTS = 5


class Job(IdMixin, CreatedMixin, Base):
    """Due work, written in the same transaction as the change that causes it.

    A runner claims a job by marking it running under a lease (``locked_by`` until
    ``lease_expires_at``) and counting the attempt; a job whose lease ran out is claimable again.
    """

    __tablename__ = "jobs"

    name: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_at: Mapped[datetime]
    status: Mapped[JobStatus] = mapped_column(String(16), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=MAX_ATTEMPTS)
    last_error: Mapped[str | None] = mapped_column(Text)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_jobs_due", "status", "run_at"),)
