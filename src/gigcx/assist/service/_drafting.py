"""Reply drafts from the optional language model, built from masked text only."""

import uuid

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


def draft_reply(session: Session, principal: Principal, ticket_id: uuid.UUID) -> drafting.Draft:
    """A draft of the next reply on the ticket, for the expert or agent to edit and send.

    The model sees the conversation (no internal notes) and the top approved answers, with every
    kind of personal data masked whatever the program grants: nothing identifying leaves.
    """
    llm = language_model()
    if llm is None:
        raise DraftingNotConfigured()
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    if principal.is_expert and ticket.assignee_id != principal.expert_id:
        raise PermissionDenied("only the expert working this ticket can draft its reply")
    customer = session.get_one(Customer, ticket.customer_id)
    names = [customer.name] if customer.name else []
    conversation = [
        drafting.Turn(SPEAKERS[m.author_kind], pii.mask_text(m.body, known_names=names))
        for m in ticket.messages
        if not m.is_internal and m.author_kind in SPEAKERS
    ]
    triage = triage_of(session, ticket.id)
    references = [s.answer.body for s in suggest(session, principal, ticket.id)]
    try:
        return drafting.draft_reply(
            llm,
            program=ticket.program.name,
            language=triage.language if triage is not None else ticket.language,
            conversation=conversation,
            references=[pii.mask_text(text) for text in references],
        )
    except drafting.DraftUnavailable as error:
        raise DraftFailed(str(error)) from None
