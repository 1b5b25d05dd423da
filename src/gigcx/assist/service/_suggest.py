"""Suggestions in the expert workspace, and how experts used them."""

import difflib
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.ai import retrieval
from gigcx.assist.enums import AnswerStatus
from gigcx.assist.errors import AnswerNotFound
from gigcx.assist.models import Answer, SuggestionUse
from gigcx.assist.service._triage import first_customer_text
from gigcx.auth.principal import Principal
from gigcx.errors import PermissionDenied
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind

TOP = 3


@dataclass(frozen=True)
class Suggestion:
    answer: Answer
    rank: int
    score: float

    @property
    def source(self) -> str:
        kind = "knowledge article" if self.answer.kind == "article" else "approved answer"
        return f"{kind}: {self.answer.title}"


def _latest_customer_text(messages: list[tuple[str, str]]) -> str:
    texts = [body for kind, body in messages if kind == AuthorKind.CUSTOMER]
    return " ".join(texts[-2:])


def suggest(
    session: Session, principal: Principal, ticket_id: uuid.UUID, *, use_embeddings: bool = True
) -> list[Suggestion]:
    """The top three approved answers and articles in the ticket's language, each with its
    source."""
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    answers = list(
        session.scalars(
            select(Answer)
            .where(
                Answer.program_id == ticket.program_id,
                Answer.status == AnswerStatus.APPROVED,
                Answer.language == ticket.language.lower(),
            )
            .order_by(Answer.created_at)
        )
    )
    query = _latest_customer_text([(m.author_kind, m.body) for m in ticket.messages])
    query = query or first_customer_text(ticket)
    documents = [f"{a.title}. {a.intent or ''}. {a.body}" for a in answers]
    hits = retrieval.search(query, documents, top=TOP, use_embeddings=use_embeddings)
    return [Suggestion(answers[h.index], rank, h.score) for rank, h in enumerate(hits, 1)]


def record_insert(
    session: Session, principal: Principal, ticket_id: uuid.UUID, answer_id: uuid.UUID, rank: int
) -> SuggestionUse:
    """Note that the expert inserted a suggestion into their reply."""
    if not principal.is_expert or principal.expert_id is None:
        raise PermissionDenied("suggestions are inserted by the expert on the ticket")
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    answer = session.get(Answer, answer_id)
    if answer is None or answer.program_id != ticket.program_id:
        raise AnswerNotFound()
    use = session.scalar(
        select(SuggestionUse).where(
            SuggestionUse.ticket_id == ticket.id,
            SuggestionUse.expert_id == principal.expert_id,
            SuggestionUse.answer_id == answer.id,
        )
    )
    if use is None:
        use = SuggestionUse(
            ticket_id=ticket.id, expert_id=principal.expert_id, answer_id=answer.id, rank=rank
        )
        session.add(use)
        session.flush()
    return use


def edit_ratio(suggested: str, sent: str) -> float:
    """0 when sent as suggested, 1 when nothing of the suggestion is left."""
    return round(1 - difflib.SequenceMatcher(None, suggested, sent).ratio(), 4)


def record_sent(session: Session, principal: Principal, ticket_id: uuid.UUID, body: str) -> None:
    """After a reply is sent: mark the inserted suggestions used, with how much was edited."""
    if principal.expert_id is None:
        return
    uses = session.scalars(
        select(SuggestionUse).where(
            SuggestionUse.ticket_id == ticket_id,
            SuggestionUse.expert_id == principal.expert_id,
            SuggestionUse.is_sent.is_(False),
        )
    ).all()
    for use in uses:
        answer = session.get_one(Answer, use.answer_id)
        use.is_sent = True
        use.edit_ratio = edit_ratio(answer.body, body)
    session.flush()
