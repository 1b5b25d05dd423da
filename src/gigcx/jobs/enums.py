from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job is: due or waiting (queued), claimed under a lease (running), or finished."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    # Dead-lettered: every attempt failed or crashed; `gigcx jobs retry` queues it again.
    DEAD = "dead"


FINISHED_STATUSES = (JobStatus.DONE, JobStatus.DEAD)
