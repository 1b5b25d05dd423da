from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"
