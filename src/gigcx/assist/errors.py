from gigcx.errors import Conflict, DomainError, InvalidInput, NotFound


class AnswerNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no such answer in your programs; list them with GET /api/v1/answers")


class AnswerAlreadyReviewed(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"this answer was already {status}; propose a new one to change it")


class NothingToPropose(Conflict):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class NoBotAnswer(Conflict):
    def __init__(self) -> None:
        super().__init__("the bot has no open answer on this ticket to confirm or reject")


class ReplyBlocked(Conflict):
    """The program blocks replies that fail some pre-send checks."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("the reply was not sent: " + "; ".join(messages))


class InvalidTrainingData(InvalidInput):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class DraftingNotConfigured(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "no language model drafts replies here; set GIGCX_LLM_URL to an OpenAI-compatible "
            "API (e.g. http://127.0.0.1:8080/v1) and GIGCX_LLM_MODEL, or write the reply yourself"
        )


class DraftFailed(DomainError):
    """The configured language model gave no draft (HTTP 502: the fault is upstream)."""

    status_code = 502

    def __init__(self, reason: str) -> None:
        super().__init__(f"no draft: {reason}; try again or write the reply yourself")


class AnswerAlreadyProposed(Conflict):
    """A reply is proposed as a best answer once (same ticket and author, or the same text)."""

    def __init__(self, status: str) -> None:
        outcome = {
            "proposed": "it is waiting for review",
            "approved": "it was approved",
            "rejected": "it was rejected",
        }.get(status, f"it is {status}")
        super().__init__(f"this reply was already proposed as a best answer: {outcome}")


class SameAnswerExists(AnswerAlreadyProposed):
    """The program already has this text as an answer for the category and language."""

    def __init__(self, status: str, category: str, language: str) -> None:
        outcome = {
            "proposed": "it is waiting for review",
            "approved": "it was approved",
            "rejected": "it was rejected",
        }.get(status, f"it is {status}")
        Conflict.__init__(
            self,
            f"the same text is already a best answer for {category} in {language}: {outcome}",
        )


class BotAnswerInUse(Conflict):
    """Approving would change the answer the bot sends; the reviewer decides how."""

    def __init__(self, current_id: str, title: str, intent: str, language: str) -> None:
        super().__init__(
            f"the bot already answers {intent} in {language} with answer {current_id} "
            f"({title!r}); send bot_use 'replace' to make this one the bot's answer, or "
            "'suggestion' to add it for experts only"
        )


class BotSlotTaken(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "another answer became the bot's answer for this intent and language meanwhile; "
            "reload and decide again"
        )
