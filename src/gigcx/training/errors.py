from gigcx.errors import Conflict, InvalidInput, NotFound


class CourseNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such course, or it is not visible to you")


class CourseNotPublished(Conflict):
    def __init__(self) -> None:
        super().__init__("the course is a draft; the brand publishes it before experts take it")


class CourseNotReady(Conflict):
    def __init__(self, missing: str) -> None:
        super().__init__(f"the course cannot be published yet: add {missing} first")


class NotEnrolled(Conflict):
    def __init__(self) -> None:
        super().__init__("apply to the program first; its courses are for its enrolled experts")


class NoAttemptsLeft(Conflict):
    def __init__(self, used: int) -> None:
        super().__init__(
            f"all {used} attempts at this version of the quiz are used; "
            "ask the brand to open a new version of the course"
        )


class AlreadyCertified(Conflict):
    def __init__(self, expires_at: str) -> None:
        super().__init__(f"you hold a current certification for this version until {expires_at}")


class BadAnswers(InvalidInput):
    pass


class BadQuestion(InvalidInput):
    pass
