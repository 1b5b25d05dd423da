"""The brand's mailbox page, and the bounce banner for whoever replies."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.channels.email import mailboxes
from gigcx.channels.email.models import Mailbox
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.tickets.models import Customer, Ticket
from tests.api.helpers import build_marketplace, sign_in, ticket_body
from tests.web.helpers import post_form, web_sign_in

IMAP_URL = "imaps://help%40brand.example:s3cret-pass@imap.brand.example:993/INBOX"


def _form(program_id: str, **overrides: str) -> dict[str, str]:
    form = {
        "address": "Help@Brand.example",
        "program_id": program_id,
        "display_name": "Brand Support",
        "smtp_url": "",
        "imap_url": IMAP_URL,
        "poll_seconds": "120",
        "is_active": "true",
    }
    form.update(overrides)
    return form


def test_brand_admins_add_and_edit_mailboxes_without_seeing_passwords(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0, channels=["chat", "email"])
    web_sign_in(client, market.brand_admin_email)

    added = post_form(client, "/brand/mailboxes", _form(market.program_id))
    page = client.get("/brand/mailboxes")

    assert added.status_code == 303
    mailbox = session.scalars(select(Mailbox)).one()
    assert (mailbox.address, mailbox.imap_url, mailbox.poll_seconds) == (
        "help@brand.example",
        IMAP_URL,
        120,
    )
    assert page.status_code == 200
    assert "help@brand.example" in page.text
    assert "s3cret-pass" not in page.text
    assert "imaps://help%40brand.example:****@imap.brand.example:993/INBOX" in page.text
    assert "never" in page.text
    polls = session.scalars(select(Job).where(Job.name == mailboxes.POLL_JOB)).all()
    assert [(job.status, job.payload) for job in polls] == [
        (JobStatus.QUEUED, {"mailbox_id": str(mailbox.id)})
    ]

    editing = client.get(f"/brand/mailboxes?edit={mailbox.id}")
    assert "s3cret-pass" not in editing.text and "Edit help@brand.example" in editing.text
    masked = "imaps://help%40brand.example:****@imap.brand.example:993/INBOX"
    edited = post_form(
        client,
        "/brand/mailboxes",
        _form(market.program_id, mailbox_id=str(mailbox.id), imap_url=masked, poll_seconds="300"),
    )

    assert edited.status_code == 303
    session.refresh(mailbox)
    assert (mailbox.imap_url, mailbox.poll_seconds) == (IMAP_URL, 300)
    assert len(session.scalars(select(Job).where(Job.name == mailboxes.POLL_JOB)).all()) == 1


def test_the_mailbox_form_refuses_bad_values_plainly(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    web_sign_in(client, market.brand_admin_email)

    chat_only = post_form(client, "/brand/mailboxes", _form(market.program_id))
    bad_url = post_form(
        client, "/brand/mailboxes", _form(market.program_id, imap_url="http://x.example")
    )
    too_fast = post_form(client, "/brand/mailboxes", _form(market.program_id, poll_seconds="1"))

    assert chat_only.status_code == 400
    assert "does not take the email channel" in chat_only.text
    assert bad_url.status_code == 400
    assert "cannot read the IMAP address" in bad_url.text
    assert too_fast.status_code == 400
    assert "s3cret-pass" not in too_fast.text
    assert session.scalars(select(Mailbox)).all() == []


def test_whoever_replies_sees_that_mail_to_the_customer_bounced(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket = session.get_one(Ticket, uuid.UUID(created.json()["id"]))
    customer = session.get_one(Customer, ticket.customer_id)
    customer.email_undeliverable = True
    customer.email_undeliverable_reason = "5.1.1 550 <carla@example.com>: user unknown"
    session.commit()
    offers = client.get(f"/api/v1/tickets/{ticket.id}/offers", headers=market.brand_admin).json()
    expert = sign_in(client, market.expert_emails[0])
    accepted = client.post(f"/api/v1/offers/{offers[0]['id']}/accept", headers=expert)
    assert accepted.status_code == 200, accepted.text

    web_sign_in(client, market.brand_admin_email)
    staff_page = client.get(f"/brand/tickets/{ticket.id}")
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])
    expert_page = client.get(f"/expert/tickets/{ticket.id}")

    assert (
        "Mail to this customer bounced: 5.1.1 550 &lt;carla@example.com&gt;: user unknown; "
        "they may not see replies by email" in staff_page.text
    )
    assert "Mail to this customer bounced: 5.1.1 550" in expert_page.text
    assert "they may not see replies by email" in expert_page.text
    assert "carla@example.com" not in expert_page.text
