"""The customer of a mail ticket is mailed: acknowledgement, each answer, the rating request."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.brands.models import Brand
from gigcx.channels import events as channel_events
from gigcx.channels.email import compose, identity, notify, words
from gigcx.channels.email.enums import OutboundStatus
from gigcx.channels.email.models import OutboundEmail
from gigcx.config import get_settings
from gigcx.jobs.events import EVENT_JOB
from gigcx.jobs.models import Job
from gigcx.tickets.models import Customer
from gigcx.views import i18n
from tests.api.helpers import build_marketplace
from tests.channels.mail_helpers import (
    CUSTOMER,
    accept,
    add_mailbox,
    answer,
    ids,
    mail_market,
    take_in,
    text_of,
)
from tests.factories.assist import make_answer, make_retail_program, write_in
from tests.factories.tickets import run_jobs
from tests.servers.smtp import SmtpServer
from tests.web.helpers import web_sign_in

REPLY = "Refunded today, Carla."
NOTE = "Chargeback risk: keep it short."


def test_a_mail_ticket_s_customer_gets_the_ack_the_answer_and_the_rating_request_threaded(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    market = mail_market(client, session)
    mailbox = add_mailbox(session, market)
    expert = market.experts[0]
    ticket_id = take_in(client, market)
    run_jobs(factory)

    [ack] = smtp_server.received.to(CUSTOMER)
    reply_to = identity.reply_address(mailbox.address, uuid.UUID(ticket_id))
    assert ack["From"] == f"Alpenglow Support <{mailbox.address}>"
    assert ack["Reply-To"] == reply_to
    assert ack["Subject"] == f"Re: Charged twice {identity.subject_tag(uuid.UUID(ticket_id))}"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] is None
    assert identity.ticket_id_from_address(ack["Reply-To"]) == uuid.UUID(ticket_id)
    [ack_id] = ids(ack["Message-ID"])
    assert ack_id.startswith(f"<t{uuid.UUID(ticket_id).hex}.")
    assert "Hello Carla Mendes," in text_of(ack)
    assert f"/c/{ticket_id}." in text_of(ack)

    accept(client, expert)
    answer(client, ticket_id, expert, REPLY, internal=False)
    answer(client, ticket_id, expert, NOTE, internal=True)
    run_jobs(factory)

    [_, reply] = smtp_server.received.to(CUSTOMER)
    brand = session.get_one(Brand, uuid.UUID(market.brand_id)).name
    [reply_id] = ids(reply["Message-ID"])
    assert ids(reply["In-Reply-To"]) == [ack_id]
    assert ids(reply["References"]) == [ack_id]
    assert reply["Reply-To"] == reply_to
    assert reply["Auto-Submitted"] is None
    assert text_of(reply).startswith(f"{brand} support wrote:\n\n{REPLY}\n")
    assert NOTE not in text_of(reply)

    resolved = client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    assert resolved.status_code == 200, resolved.text
    run_jobs(factory)

    [_, _, rating] = smtp_server.received.to(CUSTOMER)
    assert rating["Auto-Submitted"] == "auto-generated"
    assert ids(rating["In-Reply-To"]) == [reply_id]
    assert ids(rating["References"]) == [ack_id, reply_id]
    assert "How did we do?" in text_of(rating)
    assert f"/c/{ticket_id}." in text_of(rating)
    assert len(smtp_server.received.messages) == 3


def test_the_mails_are_in_the_ticket_s_language(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    market = mail_market(client, session)
    expert = market.experts[0]
    ticket_id = take_in(client, market, language="de", subject="Doppelt abgebucht")
    accept(client, expert)
    answer(client, ticket_id, expert, "Erledigt.", internal=False)
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    run_jobs(factory)

    ack, reply, rating = smtp_server.received.to(CUSTOMER)
    brand = session.get_one(Brand, uuid.UUID(market.brand_id)).name
    tag = identity.subject_tag(uuid.UUID(ticket_id))
    assert ack["Subject"] == f"Re: Doppelt abgebucht {tag}"
    assert text_of(ack).startswith("Hallo Carla Mendes,\n\nDanke für Ihre Nachricht an")
    assert text_of(reply).startswith(f"{brand} Kundenservice schreibt:\n\nErledigt.\n")
    assert "Wie zufrieden sind Sie?" in text_of(rating)
    # Without a mailbox the platform's sender writes, and replies still find the ticket.
    assert ack["From"] == "GigCX <no-reply@gigcx.localhost>"
    assert identity.ticket_id_from_address(ack["Reply-To"]) == uuid.UUID(ticket_id)


def test_the_same_event_handled_twice_queues_one_mail(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    market = mail_market(client, session)
    ticket_id = take_in(client, market)
    jobs = session.scalars(select(Job).where(Job.name == EVENT_JOB)).all()
    [created] = [job for job in jobs if job.payload["events"][0]["type"] == "ticket.created"]
    payload = dict(created.payload)
    run_jobs(factory)

    channel_events.dispatch(session, payload)
    session.commit()
    run_jobs(factory)

    mails = session.scalars(
        select(OutboundEmail).where(OutboundEmail.ticket_id == uuid.UUID(ticket_id))
    ).all()
    assert [m.kind for m in mails] == ["acknowledgement"]
    assert len(smtp_server.received.to(CUSTOMER)) == 1


def test_api_tickets_are_not_mailed_and_chat_tickets_only_when_the_program_takes_mail(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    market = mail_market(client, session)
    only_chat = build_marketplace(client, session, experts=0, channels=["chat", "api"])
    take_in(client, only_chat, channel="chat", customer={"email": "chat@example.com"})
    take_in(client, only_chat, channel="api", customer={"email": "api@example.com"})
    take_in(client, market, channel="chat", customer={"email": "page@example.com"})
    run_jobs(factory)

    assert smtp_server.received.to("chat@example.com") == []
    assert smtp_server.received.to("api@example.com") == []
    [ack] = smtp_server.received.to("page@example.com")
    assert ack["Auto-Submitted"] == "auto-replied"
    assert len(smtp_server.received.messages) == 1


def test_no_acknowledgement_when_the_ticket_s_mail_may_not_be_answered(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(notify, "should_acknowledge", lambda session, ticket: False)
    market = mail_market(client, session)
    ticket_id = take_in(client, market)
    run_jobs(factory)

    assert smtp_server.received.messages == []
    assert (
        session.scalars(
            select(OutboundEmail).where(OutboundEmail.ticket_id == uuid.UUID(ticket_id))
        ).all()
        == []
    )


def test_a_failed_mail_shows_on_the_ticket_for_staff_and_plainly_for_the_expert(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    smtp_server.received.refused.add(CUSTOMER)
    market = mail_market(client, session)
    expert = market.experts[0]
    ticket_id = take_in(client, market)
    accept(client, expert)
    run_jobs(factory)

    listed = client.get(f"/api/v1/tickets/{ticket_id}/emails", headers=market.brand_admin)
    expert_asks = client.get(f"/api/v1/tickets/{ticket_id}/emails", headers=expert)

    assert listed.status_code == 200, listed.text
    [mail] = listed.json()
    assert (mail["kind"], mail["to"], mail["status"]) == ("acknowledgement", CUSTOMER, "failed")
    assert mail["status_text"] == (
        "Failed after 1 attempt: the customer's mail server says this address does not exist."
    )
    assert "5.1.1 no such user here" in mail["error"]
    assert expert_asks.status_code == 403
    web_sign_in(client, market.brand_admin_email)
    staff_page = client.get(f"/brand/tickets/{ticket_id}")
    assert staff_page.status_code == 200
    assert "the customer&#39;s mail server says this address does not exist" in staff_page.text
    assert f"to {CUSTOMER}" in staff_page.text
    web_sign_in(client, market.expert_emails[0])
    workspace = client.get(f"/expert/tickets/{ticket_id}")
    assert workspace.status_code == 200
    assert "Email to the customer failed" in workspace.text
    assert CUSTOMER not in workspace.text
    assert "no such user" not in workspace.text


def test_without_a_mail_server_each_mail_says_so(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = mail_market(client, session)
    ticket_id = take_in(client, market)
    run_jobs(factory)

    [mail] = client.get(f"/api/v1/tickets/{ticket_id}/emails", headers=market.brand_admin).json()

    assert mail["status"] == OutboundStatus.NOT_CONFIGURED
    assert mail["status_text"].startswith("Not sent: no mail server is set up.")


def test_another_brand_s_staff_cannot_list_a_ticket_s_mail(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    market = mail_market(client, session)
    other = build_marketplace(client, session, experts=0)
    ticket_id = take_in(client, market)
    run_jobs(factory)

    asked = client.get(f"/api/v1/tickets/{ticket_id}/emails", headers=other.brand_admin)

    assert asked.status_code == 404
    assert CUSTOMER not in asked.text


def test_the_brand_s_mailbox_sends_through_its_own_smtp_server(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    market = mail_market(client, session)
    mailbox = add_mailbox(session, market, smtp_url=smtp_server.url)
    monkeypatch.setattr(get_settings(), "smtp_url", "")
    take_in(client, market)
    run_jobs(factory)

    [ack] = smtp_server.received.to(CUSTOMER)
    assert ack["From"] == f"Alpenglow Support <{mailbox.address}>"
    [stored] = [m for m in session.scalars(select(OutboundEmail)) if m.to_address == CUSTOMER]
    assert stored.status == OutboundStatus.SENT


def test_nothing_is_mailed_to_an_address_that_bounced(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(notify, "is_undeliverable", lambda session, customer: True)
    market = mail_market(client, session)
    ticket_id = take_in(client, market)
    accept(client, market.experts[0])
    answer(client, ticket_id, market.experts[0], REPLY, internal=False)
    run_jobs(factory)

    assert smtp_server.received.messages == []
    assert session.scalars(select(OutboundEmail)).all() == []


def test_a_long_thread_references_its_first_and_latest_mail() -> None:
    chain = [f"<m{n}@x>" for n in range(12)]

    assert compose.references(chain) == ["<m0@x>", *chain[3:]]
    assert compose.references(chain[:3]) == chain[:3]
    assert len(compose.references(chain)) == compose.REFERENCES_LIMIT


def test_every_language_has_every_mail_word() -> None:
    for table in words.MESSAGES.values():
        assert set(table) == set(words.EN)
    assert set(words.MESSAGES) == set(i18n.MESSAGES)


def test_a_demo_brand_s_simulated_customers_are_never_mailed(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    market = mail_market(client, session)
    session.get_one(Brand, uuid.UUID(market.brand_id)).is_demo = True
    session.commit()
    take_in(client, market)
    run_jobs(factory)

    assert smtp_server.received.messages == []
    assert session.scalars(select(OutboundEmail)).all() == []


def test_the_bot_s_answer_is_mailed_asking_whether_it_helped_and_no_rating_request_yet(
    session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    program = make_retail_program(session)
    answer = make_answer(session, program)
    ticket = write_in(
        session,
        program,
        "Where is my order? The tracking number has not updated for days.",
        channel="email",
    )
    session.commit()
    run_jobs(factory)

    to = session.get_one(Customer, ticket.customer_id).email
    ack, reply = smtp_server.received.to(to)
    assert ack["Auto-Submitted"] == "auto-replied"
    text = text_of(reply)
    assert text.startswith(
        f"{session.get_one(Brand, ticket.brand_id).name} automatic answer wrote:"
    )
    assert answer.body in text
    assert "Did this answer help? Tell us on your private page:" in text
    assert len(smtp_server.received.messages) == 2
