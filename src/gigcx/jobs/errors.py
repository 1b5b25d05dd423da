from gigcx.errors import Conflict, NotFound


class JobNotFound(NotFound):
    def __init__(self, job_id: object) -> None:
        super().__init__(f"no job {job_id}; list them with `gigcx jobs list`")


class JobNotDead(Conflict):
    def __init__(self, job_id: object, status: str) -> None:
        super().__init__(
            f"job {job_id} is {status}, not dead: only dead-lettered jobs are retried by hand"
        )
