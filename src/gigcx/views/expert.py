"""What an expert sees: offer cards, the workspace, peer reviews, ratings, the ticket API.

Every text passes the expert's sight of its ticket (``policy.sight_of``); every pay figure is
the offer's quote (``payments.quote_offer``), the same amount the resolution earns.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.models import Triage
from gigcx.assist.schemas import TriageRead
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.payments import service as payments_service
from gigcx.quality import service as quality_service
from gigcx.quality.models import Dispute, Rating, Review
from gigcx.quality.schemas import DisputeRead, ReviewRead
from gigcx.quality.service import RatingLine
from gigcx.routing import service as routing_service
from gigcx.tickets.models import Customer, Message, Offer, Ticket
from gigcx.tickets.queries import readable_tickets
from gigcx.tickets.schemas import MessageRead, OfferRead, PayQuoteRead, TicketDetail, TicketRead
from gigcx.views import _shared
from gigcx.views.policy import ShownMessage, Sight, comment_sight, review_sight, sight_of
from gigcx.views.schemas import ExpertOfferRead

GIST_LENGTH = 160


def pay_read(price: payments_service.TaskPrice | None) -> PayQuoteRead | None:
    if price is None:
        return None
    return PayQuoteRead(
        amount=price.amount,
        currency=price.currency,
        rate=price.terms.get("rate"),
        surge_multiplier=price.surge.multiplier if price.surge is not None else None,
        priced_at=datetime.fromisoformat(price.terms["priced_at"]),
        is_paid_already=price.is_paid_already,
    )


def ticket_pay(session: Session, principal: Principal, ticket: Ticket) -> PayQuoteRead | None:
    """What the ticket's task pays this expert: the quote of their accepted (or pending) offer."""
    if principal.expert_id is None:
        return None
    offer = payments_service.task_offer(session, ticket.id, principal.expert_id)
    return pay_read(payments_service.quote_offer(session, offer)) if offer is not None else None


@dataclass(frozen=True, slots=True)
class OfferCard:
    """A pending offer with what the expert needs to decide: masked gist, pay and why them."""

    offer: Offer
    ticket_id: uuid.UUID
    subject: str
    gist: str
    brand: str
    program: str
    category: str
    category_name: str
    language: str
    complexity: str
    pay: PayQuoteRead | None
    reasons: list[tuple[str, float]]


def offer_card(session: Session, principal: Principal, offer: Offer) -> OfferCard:
    ticket = session.get_one(Ticket, offer.ticket_id)
    program = session.get_one(Program, ticket.program_id)
    sight = sight_of(session, principal, ticket)
    first = next((m for m in ticket.messages if sight.shows(m)), None)
    terms = offer.breakdown.get("terms", {})
    reasons = sorted(
        ((name, float(term["contribution"])) for name, term in terms.items()),
        key=lambda item: -item[1],
    )
    basis = offer.pay_basis or {}
    category = str(basis.get("category", ticket.category))
    return OfferCard(
        offer=offer,
        ticket_id=ticket.id,
        subject=sight.text(ticket.subject) if sight.shows_conversation else "",
        gist=sight.gist(first.body, GIST_LENGTH) if first is not None else "",
        brand=session.get_one(Brand, ticket.brand_id).name,
        program=program.name,
        category=category,
        category_name=program.category_name(category),
        language=str(basis.get("language", ticket.language)),
        complexity=str(basis.get("complexity", ticket.complexity)),
        pay=pay_read(payments_service.quote_offer(session, offer)),
        reasons=reasons[:3],
    )


def offer_cards(session: Session, principal: Principal) -> list[OfferCard]:
    """The expert's pending offers, soonest deadline first (the dashboard and its live feed)."""
    return [
        offer_card(session, principal, offer)
        for offer in routing_service.pending_offers_for(session, principal)
    ]


def offer_read(session: Session, principal: Principal, offer: Offer) -> ExpertOfferRead:
    card = offer_card(session, principal, offer)
    return ExpertOfferRead(
        **OfferRead.model_validate(offer).model_dump(),
        subject=card.subject,
        gist=card.gist,
        category=card.category,
        language=card.language,
        complexity=card.complexity,
        pay=card.pay,
    )


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket's header as the expert sees it."""

    id: uuid.UUID
    subject: str
    status: str
    category: str
    category_name: str
    language: str
    complexity: str
    channel: str
    created_at: datetime
    program_name: str


@dataclass(frozen=True, slots=True)
class ShownProposal:
    """The expert's own best-answer proposal from this ticket and how its review went."""

    status: str
    is_bot_answer: bool
    review_note: str
    removed_kinds: list[str]


@dataclass(frozen=True, slots=True)
class Workspace:
    ticket: TicketView
    customer_name: str
    messages: list[ShownMessage]
    pay: PayQuoteRead | None
    proposal: ShownProposal | None
    # "Mail to this customer bounced: ..." (no address) when their mail bounced for good.
    undeliverable_notice: str | None = None


def shown_proposal(
    session: Session, principal: Principal, sight: Sight, ticket: Ticket
) -> ShownProposal | None:
    answer = assist_service.proposal_of(session, principal, ticket.id)
    if answer is None:
        return None
    kinds = [
        kind for kind in dict.fromkeys(str(r.get("kind", "")) for r in answer.removals) if kind
    ]
    return ShownProposal(
        status=answer.status,
        is_bot_answer=answer.is_bot_answer,
        review_note=sight.text(answer.review_note),
        removed_kinds=[kind.replace("_", " ") for kind in kinds],
    )


def ticket_view(session: Session, sight: Sight, ticket: Ticket) -> TicketView:
    program = session.get_one(Program, ticket.program_id)
    return TicketView(
        id=ticket.id,
        subject=sight.text(ticket.subject),
        status=ticket.status,
        category=ticket.category,
        category_name=program.category_name(ticket.category),
        language=ticket.language,
        complexity=ticket.complexity,
        channel=ticket.channel,
        created_at=ticket.created_at,
        program_name=program.name,
    )


def workspace(session: Session, principal: Principal, ticket: Ticket) -> Workspace:
    """The ticket page: header, conversation and pay, as the expert may see them."""
    sight = sight_of(session, principal, ticket)
    return Workspace(
        ticket=ticket_view(session, sight, ticket),
        customer_name=sight.customer_name,
        messages=sight.messages(ticket),
        pay=ticket_pay(session, principal, ticket),
        proposal=shown_proposal(session, principal, sight, ticket),
        undeliverable_notice=_shared.undeliverable_notice(
            session.get_one(Customer, ticket.customer_id), sight
        ),
    )


def open_tickets(
    session: Session, principal: Principal, tickets: Sequence[Ticket]
) -> list[TicketView]:
    """Tickets in a list (the dashboard's), each with its header masked."""
    return [ticket_view(session, sight_of(session, principal, t), t) for t in tickets]


def ticket_subjects(
    session: Session, principal: Principal, ticket_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Subjects of tickets the expert may read (earnings, statements), masked."""
    tickets = session.scalars(readable_tickets(principal).where(Ticket.id.in_(set(ticket_ids))))
    return {t.id: sight_of(session, principal, t).text(t.subject) for t in tickets}


def ticket_read(session: Session, principal: Principal, ticket: Ticket) -> TicketRead:
    sight = sight_of(session, principal, ticket)
    return _shared.ticket_read(ticket, sight, pay=ticket_pay(session, principal, ticket))


def ticket_detail(session: Session, principal: Principal, ticket: Ticket) -> TicketDetail:
    sight = sight_of(session, principal, ticket)
    return _shared.ticket_detail(ticket, sight, pay=ticket_pay(session, principal, ticket))


def message_read(session: Session, principal: Principal, message: Message) -> MessageRead:
    sight = sight_of(session, principal, session.get_one(Ticket, message.ticket_id))
    return _shared.message_read(_shared.shown_message(message, sight))


def triage_read(
    session: Session, principal: Principal, triage: Triage, ticket: Ticket
) -> TriageRead:
    """The triage: personal data as kinds and offsets, its text only where the program grants."""
    return _shared.triage_read(triage, ticket, sight_of(session, principal, ticket))


@dataclass(frozen=True, slots=True)
class ReviewConversation:
    """What a peer reviewer sees of the reviewed ticket."""

    subject: str
    messages: list[ShownMessage]


def review_conversation(
    session: Session, principal: Principal, review: Review
) -> ReviewConversation:
    ticket = session.get_one(Ticket, review.ticket_id)
    sight = review_sight(session, principal, review)
    return ReviewConversation(subject=sight.text(ticket.subject), messages=sight.messages(ticket))


def review_read(session: Session, principal: Principal, review: Review) -> ReviewRead:
    read = ReviewRead.model_validate(review)
    sight = comment_sight(session, principal, review.ticket_id)
    return read.model_copy(update={"comment": sight.text(review.comment)})


def _dispute_ticket(session: Session, dispute: Dispute) -> uuid.UUID | None:
    model = Rating if dispute.subject_type == "rating" else Review
    return session.scalar(select(model.ticket_id).where(model.id == dispute.subject_id))


def dispute_read(session: Session, principal: Principal, dispute: Dispute) -> DisputeRead:
    read = DisputeRead.model_validate(dispute)
    ticket_id = _dispute_ticket(session, dispute)
    if ticket_id is None:
        return read
    sight = comment_sight(session, principal, ticket_id)
    return read.model_copy(
        update={
            "reason": sight.text(dispute.reason),
            "decision_reason": sight.text(dispute.decision_reason),
        }
    )


@dataclass(frozen=True, slots=True)
class ShownRating:
    """A rating the expert received, its comment masked."""

    id: uuid.UUID
    created_at: datetime
    score: int
    reason: str
    comment: str
    is_voided: bool
    is_counted: bool
    program_name: str


def shown_rating(
    session: Session, principal: Principal, rating: Rating, *, is_counted: bool, program: str
) -> ShownRating:
    sight = comment_sight(session, principal, rating.ticket_id)
    return ShownRating(
        id=rating.id,
        created_at=rating.created_at,
        score=rating.score,
        reason=rating.reason,
        comment=sight.text(rating.comment),
        is_voided=rating.is_voided,
        is_counted=is_counted,
        program_name=program,
    )


def shown_ratings(
    session: Session, principal: Principal, ratings: Iterable[Rating]
) -> list[ShownRating]:
    return [
        shown_rating(
            session,
            principal,
            rating,
            is_counted=quality_service.counts_against_expert(rating),
            program="",
        )
        for rating in ratings
    ]


def rating_lines(
    session: Session, principal: Principal, lines: Iterable[RatingLine]
) -> list[ShownRating]:
    return [
        shown_rating(
            session, principal, line.rating, is_counted=line.is_counted, program=line.program_name
        )
        for line in lines
    ]


@dataclass(frozen=True, slots=True)
class ShownReview:
    """A completed QA review of the expert's ticket, its comment masked."""

    id: uuid.UUID
    completed_at: datetime | None
    score: Decimal | None
    is_voided: bool
    answers: dict[str, bool]
    comment: str


def shown_reviews(
    session: Session, principal: Principal, reviews: Iterable[Review]
) -> list[ShownReview]:
    return [
        ShownReview(
            id=r.id,
            completed_at=r.completed_at,
            score=r.score,
            is_voided=r.is_voided,
            answers=dict(r.answers),
            comment=comment_sight(session, principal, r.ticket_id).text(r.comment),
        )
        for r in reviews
    ]


@dataclass(frozen=True, slots=True)
class OfferSummary:
    """What a mail or a digest may tell of an offer: where, what topic, which language, the pay
    and the deadline; never the ticket's subject or text, nothing of the customer."""

    offer_id: uuid.UUID
    brand: str
    program: str
    topic: str
    language: str
    pay: PayQuoteRead | None
    expires_at: datetime


def offer_summary(session: Session, offer: Offer) -> OfferSummary:
    ticket = session.get_one(Ticket, offer.ticket_id)
    program = session.get_one(Program, ticket.program_id)
    basis = offer.pay_basis or {}
    category = str(basis.get("category", ticket.category))
    return OfferSummary(
        offer_id=offer.id,
        brand=session.get_one(Brand, ticket.brand_id).name,
        program=program.name,
        topic=program.category_name(category),
        language=str(basis.get("language", ticket.language)),
        pay=pay_read(payments_service.quote_offer(session, offer)),
        expires_at=offer.expires_at,
    )
