"""A customer and an expert whose data reaches many tables, for the rights tests."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist.enums import IntentSource
from gigcx.assist.models import Triage
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.brands.enums import Complexity
from gigcx.brands.models import Brand, Program
from gigcx.channels.chat.models import ChatEvent, ChatSession, ChatWidget
from gigcx.channels.community.enums import FeedbackKind
from gigcx.channels.community.models import Feedback
from gigcx.channels.email.enums import InboundOutcome, InboundTransport
from gigcx.channels.email.models import InboundEmail, Mailbox, OutboundEmail
from gigcx.channels.webhooks.models import WebhookMessage
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import Earning
from gigcx.quality.enums import RatingReason
from gigcx.quality.models import Rating
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Message, Ticket
from tests.api.helpers import PASSWORD
from tests.factories.experts import make_expert
from tests.factories.payments import add_payout_method
from tests.factories.tickets import make_ticket


@dataclass
class Person:
    email: str
    name: str
    phone: str
    tickets: list[Ticket]


def customer_everywhere(
    session: Session, program: Program, *, email: str, name: str, phone: str, tickets: int = 2
) -> Person:
    """A customer in tickets, messages, notes, attachments, mails, chats, webhooks, ratings."""
    made: list[Ticket] = []
    mailbox = Mailbox(
        brand_id=program.brand_id,
        program_id=program.id,
        address=f"help-{uuid.uuid4().hex[:8]}@b.example",
    )
    widget = session.scalar(select(ChatWidget).where(ChatWidget.brand_id == program.brand_id))
    if widget is None:
        widget = ChatWidget(
            brand_id=program.brand_id, program_id=program.id, public_key=uuid.uuid4().hex
        )
    session.add_all([mailbox, widget])
    session.flush()
    for _ in range(tickets):
        ticket = make_ticket(
            session,
            program,
            route=False,
            customer={"email": email, "name": name},
            subject=f"Order for {name}, call {phone}",
            body=f"Hello, I am {name}. Call me on {phone} or write to {email}.",
        )
        first = ticket.messages[0]
        session.add(
            Message(
                ticket_id=ticket.id,
                author_kind=AuthorKind.AGENT,
                body=f"Internal: {name} ({phone}) is a repeat caller",
                is_internal=True,
            )
        )
        tickets_service.add_attachment(
            session,
            ticket=ticket,
            message=first,
            filename=f"{name}.txt",
            data=f"Invoice for {name}, {email}, {phone}".encode(),
        )
        session.add(
            Triage(
                ticket_id=ticket.id,
                language="en",
                sentiment_label="neutral",
                intent_source=IntentSource.MODEL,
                priority=3,
                complexity=Complexity.MEDIUM,
                pii=[{"kind": "phone", "start": 30, "end": 45}],
                model_version="test",
                notes=[f"mentions {phone}"],
            )
        )
        session.add(
            InboundEmail(
                brand_id=program.brand_id,
                mailbox_id=mailbox.id,
                dedup_key=uuid.uuid4().hex,
                header_message_id=f"<{uuid.uuid4().hex}@{email.split('@')[1]}>",
                sender=email,
                subject=f"Order for {name}",
                transport=InboundTransport.HTTP,
                size=100,
                raw=f"From: {name} <{email}>\r\n\r\nCall {phone}".encode(),
                outcome=InboundOutcome.NEW_TICKET,
                ticket_id=ticket.id,
                message_id=first.id,
            )
        )
        session.add(
            OutboundEmail(
                brand_id=program.brand_id,
                ticket_id=ticket.id,
                kind="reply",
                to_address=email,
                from_address=mailbox.address,
                subject=f"Re: Order for {name}",
                text_body=f"Dear {name}, we will call {phone}.",
                headers={"To": f"{name} <{email}>"},
                message_id=f"<{uuid.uuid4().hex}@gigcx.example>",
            )
        )
        chat = ChatSession(
            widget_id=widget.id,
            brand_id=program.brand_id,
            ticket_id=ticket.id,
            token_hash=uuid.uuid4().hex,
            ip_hash="h" * 64,
            language="en",
            link_base="http://testserver",
            visitor_active_at=clock.now(),
        )
        session.add(chat)
        session.flush()
        session.add(
            ChatEvent(
                chat_session_id=chat.id,
                seq=1,
                kind="message",
                message_id=first.id,
                is_from_visitor=True,
                data={"body": f"I am {name}, {phone}", "author": name},
            )
        )
        session.add(
            WebhookMessage(
                id=f"msg_{uuid.uuid4().hex[:27]}",
                brand_id=program.brand_id,
                event_type="ticket.created",
                payload={
                    "type": "ticket.created",
                    "data": {
                        "ticket_id": str(ticket.id),
                        "customer": {"email": email, "name": name},
                    },
                },
            )
        )
        session.add(
            Rating(
                ticket_id=ticket.id,
                brand_id=program.brand_id,
                program_id=program.id,
                score=2,
                reason=next(iter(RatingReason)),
                comment=f"{name} here, call {phone}",
            )
        )
        made.append(ticket)
    session.flush()
    return Person(email=email, name=name, phone=phone, tickets=made)


def expert_everywhere(
    session: Session, program: Program, ticket: Ticket, *, email: str, name: str
) -> Expert:
    """An expert with an account, payout details, a ledger entry, replies, mail and feedback."""
    expert = make_expert(session, programs=[program])
    expert.email = email
    expert.display_name = name
    expert.payout_details = f"PayPal {email}"
    auth_service.create_user(
        session,
        email=email,
        password=PASSWORD,
        role=Role.EXPERT,
        display_name=name,
        expert_id=expert.id,
    )
    add_payout_method(session, expert).account_holder = name
    session.add_all(
        [
            Message(
                ticket_id=ticket.id,
                author_kind=AuthorKind.EXPERT,
                author_id=expert.id,
                body=f"Best regards, {name}",
            ),
            OutboundEmail(
                brand_id=None,
                kind="offer_alert",
                to_address=email,
                from_address="noreply@gigcx.example",
                subject=f"New offer for {name}",
                text_body=f"Hi {name}, a ticket waits.",
                message_id=f"<{uuid.uuid4().hex}@gigcx.example>",
            ),
            Feedback(
                brand_id=program.brand_id,
                program_id=program.id,
                ticket_id=ticket.id,
                expert_id=expert.id,
                kind=next(iter(FeedbackKind)),
                body=f"{name} thinks the guideline is unclear",
            ),
            Earning(
                expert_id=expert.id,
                brand_id=program.brand_id,
                program_id=program.id,
                ticket_id=ticket.id,
                kind=EarningKind.TASK,
                amount=Decimal("3.50"),
                currency="USD",
                description="Resolved ticket (billing, medium)",
                source_key=f"task:{ticket.id}:{expert.id}",
            ),
        ]
    )
    session.flush()
    return expert


def brand_of(session: Session, program: Program) -> Brand:
    return session.get_one(Brand, program.brand_id)
