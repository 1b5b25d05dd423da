from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job is: due or waiting (queued), claimed under a lease (running), or finished."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    # Dead-lettered: every attempt failed or crashed; `gigcx jobs retry` queues it again.
    DEAD = "dead"
    # Kept from every runner for a while by the process that wrote it (the demo's replayed
    # history, between its commits: gigcx.demo.staged); that process queues it again.
    HELD = "held"


FINISHED_STATUSES = (JobStatus.DONE, JobStatus.DEAD)
