"""AI on tickets: triage, suggestions, reply checks, best answers, the bot, AI rules."""

import uuid

from fastapi import APIRouter

from gigcx.api.deps import BrandManager, BrandStaff, CurrentPrincipal, ExpertPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerStatus
from gigcx.assist.models import Answer
from gigcx.assist.schemas import (
    AnswerCreate,
    AnswerRead,
    AnswerReview,
    AssistSettingsRead,
    AssistSettingsUpdate,
    BestAnswerProposal,
    BotAttemptRead,
    DraftRead,
    FindingRead,
    ReplyCheck,
    SuggestionInsert,
    SuggestionRead,
    TriageRead,
)
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.errors import NotFound
from gigcx.tickets import service as tickets_service
from gigcx.tickets.schemas import CustomerMessageCreate
from gigcx.views import reads

router = APIRouter(tags=["ai"], responses=ERROR_RESPONSES)


def _answer_read(principal: Principal, answer: Answer) -> AnswerRead:
    read = AnswerRead.model_validate(answer)
    return read.model_copy(update={"removals": assist_service.shown_removals(principal, answer)})


@router.get("/tickets/{ticket_id}/triage")
def get_triage(
    session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID
) -> TriageRead:
    """What triage derived from the ticket, with the model version.

    Personal data comes as kinds and offsets into the first message; its text only where you may
    see it (experts: the kinds the program grants, the rest masked as ``[email]`` and so on).
    """
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    triage = assist_service.triage_of(session, ticket.id)
    if triage is None:
        raise NotFound("this ticket has not been triaged yet; the job runner does it after intake")
    return reads.triage_read(session, principal, triage, ticket)


@router.get("/tickets/{ticket_id}/suggestions")
def suggestions(
    session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID
) -> list[SuggestionRead]:
    """The top three approved answers and articles for the ticket, each with its source."""
    return [
        SuggestionRead(
            answer_id=s.answer.id,
            rank=s.rank,
            title=s.answer.title,
            body=s.answer.body,
            source=s.source,
            score=s.score,
        )
        for s in assist_service.suggest(session, principal, ticket_id)
    ]


@router.post("/tickets/{ticket_id}/suggestions/used", status_code=204)
def suggestion_used(
    session: SessionDep, principal: ExpertPrincipal, ticket_id: uuid.UUID, body: SuggestionInsert
) -> None:
    """Record that a suggestion was inserted; the next reply records how much was edited."""
    assist_service.record_insert(session, principal, ticket_id, body.answer_id, body.rank)


@router.post("/tickets/{ticket_id}/reply-checks")
def reply_checks(
    session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID, body: ReplyCheck
) -> list[FindingRead]:
    """Pre-send checks on a draft: PII leaks, forbidden phrases, tone, language."""
    found = assist_service.check_reply(session, principal, ticket_id, body.body)
    return [
        FindingRead(
            check=f.check, message=f.message, is_blocking=f.is_blocking, is_notice=f.is_notice
        )
        for f in found
    ]


@router.post("/tickets/{ticket_id}/draft-reply")
def draft_reply(
    session: SessionDep, principal: CurrentPrincipal, ticket_id: uuid.UUID
) -> DraftRead:
    """A draft of the next reply from the configured language model (masked text only).

    409 when no model is configured (``GIGCX_LLM_URL``), 502 when it gives no draft."""
    request = assist_service.prepare_draft(session, principal, ticket_id)
    # The model may take seconds to answer: end the transaction before asking it.
    session.commit()
    draft = assist_service.write_draft(request)
    return DraftRead(body=draft.body, model=draft.model)


@router.post("/tickets/{ticket_id}/best-answer", status_code=201)
def propose_best_answer(
    session: SessionDep, principal: ExpertPrincipal, ticket_id: uuid.UUID, body: BestAnswerProposal
) -> AnswerRead:
    """Propose your reply on a resolved ticket as a standard answer, for the brand to review.

    The customer's name, order numbers and other personal data are taken out first
    (``removals`` lists what went); a reply is proposed once: again, 409."""
    answer = assist_service.propose_best_answer(session, principal, ticket_id, body)
    return _answer_read(principal, answer)


@router.post("/tickets/{ticket_id}/bot-answer/confirm")
def confirm_bot_answer(
    session: SessionDep, principal: BrandStaff, ticket_id: uuid.UUID
) -> BotAttemptRead:
    """The customer says the bot's answer solved it (sent with the brand's API key)."""
    attempt = assist_service.confirm_bot_answer(session, principal, ticket_id)
    return BotAttemptRead.model_validate(attempt)


@router.post("/tickets/{ticket_id}/bot-answer/reject")
def reject_bot_answer(
    session: SessionDep,
    principal: BrandStaff,
    ticket_id: uuid.UUID,
    body: CustomerMessageCreate | None = None,
) -> BotAttemptRead:
    """ "This didn't help": the ticket goes to an expert with the bot's attempt in view."""
    attempt = assist_service.reject_bot_answer(
        session, principal, ticket_id, body=body.body if body else ""
    )
    return BotAttemptRead.model_validate(attempt)


@router.get("/answers")
def list_answers(
    session: SessionDep,
    principal: CurrentPrincipal,
    program_id: uuid.UUID | None = None,
    status: AnswerStatus | None = None,
) -> list[AnswerRead]:
    """Standard answers and articles you may see, newest first."""
    answers = assist_service.list_answers(session, principal, program_id=program_id, status=status)
    return [_answer_read(principal, a) for a in answers]


@router.post("/answers", status_code=201)
def create_answer(session: SessionDep, principal: BrandStaff, body: AnswerCreate) -> AnswerRead:
    """Add an approved standard answer or knowledge article."""
    return _answer_read(principal, assist_service.create_answer(session, principal, body))


@router.post("/answers/{answer_id}/review", responses={404: {"description": "no such answer"}})
def review_answer(
    session: SessionDep, principal: BrandStaff, answer_id: uuid.UUID, body: AnswerReview
) -> AnswerRead:
    """Approve (optionally edited) or reject a proposed answer."""
    answer = assist_service.review_answer(session, principal, answer_id, body)
    return _answer_read(principal, answer)


@router.get("/programs/{program_id}/ai-settings")
def get_settings(
    session: SessionDep, principal: BrandStaff, program_id: uuid.UUID
) -> AssistSettingsRead:
    """The program's AI rules: bot threshold, royalty, PII grants, reply checks."""
    program = brands_service.get_program(session, principal, program_id)
    return AssistSettingsRead.model_validate(assist_service.settings_for(session, program.id))


@router.patch("/programs/{program_id}/ai-settings")
def update_settings(
    session: SessionDep, principal: BrandManager, program_id: uuid.UUID, body: AssistSettingsUpdate
) -> AssistSettingsRead:
    """Change the program's AI rules."""
    return AssistSettingsRead.model_validate(
        assist_service.update_settings(session, principal, program_id, body)
    )
