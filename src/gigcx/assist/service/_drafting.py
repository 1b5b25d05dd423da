"""Reply drafts from the optional language model, built from masked text only."""

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gigcx.ai import drafting
from gigcx.assist.errors import DraftFailed, DraftingNotConfigured
from gigcx.assist.service._suggest import suggest
from gigcx.assist.service._triage import triage_of
from gigcx.auth.principal import Principal
from gigcx.config import get_settings
from gigcx.errors import PermissionDenied
from gigcx.privacy import pii
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Customer

SPEAKERS = {
    AuthorKind.CUSTOMER: "customer",
    AuthorKind.EXPERT: "agent",
    AuthorKind.AGENT: "agent",
    AuthorKind.BOT: "agent",
}


def language_model() -> drafting.LanguageModel | None:
    """The configured language model, or None when drafting is off."""
    settings = get_settings()
    if not settings.llm_url:
        return None
    return drafting.LanguageModel(
        url=settings.llm_url,
        model=settings.llm_model or "default",
        api_key=settings.llm_api_key,
        timeout_seconds=settings.llm_timeout_seconds,
    )


@dataclass(frozen=True)
class DraftRequest:
    """Everything the language model is sent for one draft, read beforehand."""

    llm: drafting.LanguageModel
    program: str
    language: str
    conversation: list[drafting.Turn]
    references: list[str]


def prepare_draft(session: Session, principal: Principal, ticket_id: uuid.UUID) -> DraftRequest:
    """Read what the model needs to draft the next reply on the ticket; call nothing yet.

    The model sees the conversation (no internal notes) and the top approved answers, with every
    kind of personal data masked whatever the program grants: nothing identifying leaves.
    """
    # Who may draft is decided before whether drafting is set up: a stranger learns nothing.
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    if principal.is_expert and ticket.assignee_id != principal.expert_id:
        raise PermissionDenied("only the expert working this ticket can draft its reply")
    llm = language_model()
    if llm is None:
        raise DraftingNotConfigured()
    customer = session.get_one(Customer, ticket.customer_id)
    names = [customer.name] if customer.name else []
    conversation = [
        drafting.Turn(SPEAKERS[m.author_kind], pii.mask_text(m.body, known_names=names))
        for m in ticket.messages
        if not m.is_internal and m.author_kind in SPEAKERS
    ]
    triage = triage_of(session, ticket.id)
    references = [s.answer.body for s in suggest(session, principal, ticket.id)]
    return DraftRequest(
        llm=llm,
        program=ticket.program.name,
        language=triage.language if triage is not None else ticket.language,
        conversation=conversation,
        references=[pii.mask_text(text) for text in references],
    )


def write_draft(request: DraftRequest) -> drafting.Draft:
    """Ask the language model for the draft, for the expert or agent to edit and send.

    A network call that may take seconds: make it with no database transaction open (commit
    the reads first), so it holds no locks meanwhile.
    """
    try:
        return drafting.draft_reply(
            request.llm,
            program=request.program,
            language=request.language,
            conversation=request.conversation,
            references=request.references,
        )
    except drafting.DraftUnavailable as error:
        raise DraftFailed(str(error)) from None
