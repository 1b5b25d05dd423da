from gigcx.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class ExpertNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("expert not found")


class EnrollmentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("enrollment not found")


class AlreadyEnrolled(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"you already have an enrollment in this program ({status})")


class EnrollmentTransitionNotAllowed(Conflict):
    def __init__(self, current: str, wanted: str, allowed: list[str]) -> None:
        hint = f"allowed next: {', '.join(allowed)}" if allowed else "it is final"
        super().__init__(f"an enrollment cannot go from {current} to {wanted}; {hint}")


class ProgramClosed(Conflict):
    def __init__(self) -> None:
        super().__init__("this program is not accepting applications")


class ApplicationIncomplete(Conflict):
    """The expert's profile lacks what the program needs; ``missing`` says each thing to do."""

    def __init__(self, program_name: str, missing: list[str]) -> None:
        super().__init__(
            f"Before you can apply to {program_name}: " + " ".join(f"{m}." for m in missing)
        )
        self.program_name = program_name
        self.missing = missing


class DecisionNeedsAPerson(PermissionDenied):
    """Only a named person may pause or remove an expert; systems and API keys may not."""

    def __init__(self, wanted: str) -> None:
        super().__init__(
            f"setting an enrollment to {wanted} restricts an expert's work, so a named person "
            "must decide it: sign in as a brand admin (not an API key or an automated job). "
            "Automated checks may only propose it for review (see the human review queue)"
        )


class DecisionNeedsAReason(InvalidInput):
    def __init__(self, wanted: str) -> None:
        super().__init__(
            f"write the reason for setting this enrollment to {wanted} in 'reason': the expert "
            "is shown it as written and can ask for a review"
        )


class AvailabilityInvalid(InvalidInput):
    """Stated hours that cannot be: an end before its start, or two blocks that overlap."""
