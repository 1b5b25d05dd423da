"""Done when of the email channel: a customer's mail, sent with smtplib, becomes a ticket, is
offered, the expert's answer reaches the customer's mailbox threaded to the original, and the
customer's mail reply lands on the same ticket. Real servers: the test SMTP server carries mail
both ways; the brand takes it in through the raw endpoint (as an MTA pipe would) or from the
test IMAP server (Dovecot), where the mail is delivered and the job runner polls it."""

import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.email import identity, mailboxes
from gigcx.channels.email.models import Mailbox
from gigcx.kit import clock
from gigcx.tickets.models import Customer, Message, Ticket
from gigcx.tickets.queries import customer_by_email
from tests.api.helpers import Marketplace
from tests.channels.mail_helpers import CUSTOMER, add_mailbox, ids, mail_market, text_of
from tests.factories.tickets import run_jobs
from tests.servers.imap import ImapServer, imap_server
from tests.servers.smtp import SmtpServer

__all__ = ["imap_server"]

ORIGINAL_ID = "<first.mail.1234@customer.example>"
FOLLOW_UP_ID = "<second.mail.5678@customer.example>"


def mail_through_smtp(smtp_server: SmtpServer, message: EmailMessage, to: str) -> bytes:
    """Send with smtplib to the test server; the raw bytes it took for ``to``."""
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as smtp:
        smtp.send_message(message)
    return smtp_server.received.to(to)[-1].as_bytes()


@dataclass(frozen=True)
class Intake:
    """How the brand's mailbox takes the customer's mail in."""

    client: TestClient
    market: Marketplace
    mailbox: Mailbox
    imap: ImapServer | None
    folder: str

    def take(self, session: Session, raw: bytes) -> None:
        if self.imap is None:
            hand_to_endpoint(self.client, self.market, self.mailbox.address, raw)
            return
        self.imap.append(self.folder, raw)
        mailboxes.schedule_poll(session, self.mailbox, run_at=clock.now())
        session.commit()


def customer_of(session: Session, mailbox: Mailbox) -> Customer:
    found = customer_by_email(session, brand_id=mailbox.brand_id, email=CUSTOMER)
    assert found is not None
    return found


def hand_to_endpoint(client: TestClient, market: Marketplace, mailbox: str, raw: bytes) -> None:
    """What an MTA pipe or a provider's inbound route does: POST the raw mail."""
    response = client.post(
        "/api/v1/inbound/email",
        params={"mailbox": mailbox},
        content=raw,
        headers={**market.api_key, "Content-Type": "message/rfc822"},
    )
    assert response.status_code in (200, 201, 202), response.text


@pytest.mark.parametrize("transport", ["raw endpoint", "imap"])
def test_a_customer_mail_becomes_a_ticket_answered_and_replied_to_by_mail(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    smtp_server: SmtpServer,
    request: pytest.FixtureRequest,
    transport: str,
) -> None:
    market = mail_market(client, session)
    mailbox = add_mailbox(session, market)
    imap: ImapServer | None = None
    folder = f"e2e-{uuid.uuid4().hex[:8]}"
    if transport == "imap":
        imap = request.getfixturevalue("imap_server")
        imap.create_folder(folder)
        mailbox.imap_url = imap.url(folder)
        session.commit()
    intake = Intake(client=client, market=market, mailbox=mailbox, imap=imap, folder=folder)
    expert = market.experts[0]
    first = EmailMessage()
    first["From"] = f"Carla Mendes <{CUSTOMER}>"
    first["To"] = mailbox.address
    first["Subject"] = "Charged twice"
    first["Message-ID"] = ORIGINAL_ID
    first.set_content("I was charged twice for order 1234. Please refund one.")

    intake.take(session, mail_through_smtp(smtp_server, first, mailbox.address))
    run_jobs(factory)

    [ticket] = session.scalars(
        select(Ticket).where(Ticket.customer_id == customer_of(session, mailbox).id)
    ).all()
    assert ticket.channel == "email"
    offers = client.get("/api/v1/offers", headers=expert).json()
    assert [offer["ticket_id"] for offer in offers] == [str(ticket.id)]
    accepted = client.post(f"/api/v1/offers/{offers[0]['id']}/accept", headers=expert)
    assert accepted.status_code == 200, accepted.text
    answered = client.post(
        f"/api/v1/tickets/{ticket.id}/messages",
        json={"body": "Refunded one charge today.", "is_internal": False},
        headers=expert,
    )
    assert answered.status_code == 201, answered.text
    run_jobs(factory)

    ack, reply = smtp_server.received.to(CUSTOMER)
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ids(ack["In-Reply-To"]) == [ORIGINAL_ID]
    assert ids(reply["References"])[0] == ORIGINAL_ID
    assert ids(reply["In-Reply-To"]) == ids(ack["Message-ID"])
    assert reply["Reply-To"] == identity.reply_address(mailbox.address, ticket.id)
    assert "Refunded one charge today." in text_of(reply)

    follow_up = EmailMessage()
    follow_up["From"] = f"Carla Mendes <{CUSTOMER}>"
    follow_up["To"] = reply["Reply-To"]
    follow_up["Subject"] = f"Re: {reply['Subject']}"
    follow_up["Message-ID"] = FOLLOW_UP_ID
    follow_up["In-Reply-To"] = str(reply["Message-ID"]).strip()
    follow_up.set_content("Thank you, I see the refund now.\n\n> Refunded one charge today.\n")
    raw = mail_through_smtp(smtp_server, follow_up, str(reply["Reply-To"]))
    intake.take(session, raw)
    run_jobs(factory)

    session.expire_all()
    assert session.scalars(
        select(Ticket).where(Ticket.customer_id == customer_of(session, mailbox).id)
    ).all() == [ticket]
    bodies = [
        m.body
        for m in session.scalars(
            select(Message).where(Message.ticket_id == ticket.id).order_by(Message.created_at)
        )
    ]
    assert bodies[-1].strip() == "Thank you, I see the refund now."
    assert len(bodies) == 3
