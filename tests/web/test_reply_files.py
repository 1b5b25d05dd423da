"""Replies from the workspace and the staff page carry files: checked, listed, downloadable by
whoever sees the message, and mailed to the customer."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.config import get_settings
from gigcx.tickets.models import Attachment, Message
from tests.api.helpers import build_marketplace, ticket_body
from tests.channels.mail_helpers import CUSTOMER, accept, mail_market, take_in
from tests.factories.tickets import run_jobs
from tests.servers.smtp import SmtpServer
from tests.web.helpers import csrf_of, web_sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(13)
RECEIPT = b"Order 1234: refunded 49.90 EUR\n"
# A Windows program: its bytes say so whatever the name claims.
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64)


def send_reply(
    client: TestClient,
    path: str,
    body: str,
    files: list[tuple[str, bytes, str]],
    **fields: str,
) -> tuple[int, str]:
    response = client.post(
        path,
        data={"body": body, "csrf_token": csrf_of(client), **fields},
        files=[("files", file) for file in files],
        follow_redirects=False,
    )
    return response.status_code, response.text


def stored(session: Session, ticket_id: str) -> list[Attachment]:
    session.expire_all()
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.ticket_id == uuid.UUID(ticket_id))
            .order_by(Attachment.created_at)
        )
    )


def messages_of(session: Session, ticket_id: str) -> list[str]:
    session.expire_all()
    return [
        m.body
        for m in session.scalars(
            select(Message)
            .where(Message.ticket_id == uuid.UUID(ticket_id))
            .order_by(Message.created_at)
        )
    ]


def test_an_expert_s_files_are_listed_everywhere_downloadable_and_mailed(
    client: TestClient, session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    market = mail_market(client, session)
    ticket_id = take_in(client, market)
    link = client.get(
        f"/api/v1/tickets/{ticket_id}/customer-view", headers=market.brand_admin
    ).json()["link"]
    token_path = "/c/" + link.rsplit("/c/", 1)[1]
    accept(client, market.experts[0])
    web_sign_in(client, market.expert_emails[0])

    status, _ = send_reply(
        client,
        f"/expert/tickets/{ticket_id}/reply",
        "Here is your receipt.",
        [("receipt.txt", RECEIPT, "text/plain"), ("label.png", PNG, "image/png")],
    )
    run_jobs(factory)

    assert status == 303
    receipt, label = stored(session, ticket_id)
    assert (receipt.filename, receipt.content_type, receipt.size) == (
        "receipt.txt",
        "text/plain",
        len(RECEIPT),
    )
    assert (label.filename, label.content_type) == ("label.png", "image/png")
    workspace = client.get(f"/expert/tickets/{ticket_id}")
    assert f"/expert/tickets/{ticket_id}/files/{receipt.id}" in workspace.text
    download = client.get(f"/expert/tickets/{ticket_id}/files/{label.id}")
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"] == "attachment; filename*=UTF-8''label.png"
    page = client.get(token_path)
    assert f"{token_path}/files/{receipt.id}" in page.text
    assert client.get(f"{token_path}/files/{receipt.id}").content == RECEIPT
    web_sign_in(client, market.brand_admin_email)
    staff_page = client.get(f"/brand/tickets/{ticket_id}")
    assert f"/brand/tickets/{ticket_id}/files/{label.id}" in staff_page.text
    assert client.get(f"/brand/tickets/{ticket_id}/files/{receipt.id}").content == RECEIPT
    _, reply = smtp_server.received.to(CUSTOMER)
    attached = [(part.get_filename(), part.get_content()) for part in reply.iter_attachments()]
    assert attached == [("receipt.txt", RECEIPT.decode()), ("label.png", PNG)]
    assert "Attached files: receipt.txt, label.png" in str(reply.get_body(("plain",)))


@pytest.mark.parametrize(
    ("files", "status", "detail"),
    [
        (
            [("setup.pdf", PROGRAM, "application/pdf")],
            415,
            "The file &#39;setup.pdf&#39; looks like application/x-msdownload, which is not taken",
        ),
        (
            [(f"note{n}.txt", RECEIPT, "text/plain") for n in range(6)],
            400,
            "6 files were attached; send at most 5 with one reply.",
        ),
    ],
)
def test_a_refused_file_is_said_plainly_on_the_form_and_nothing_is_sent(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    files: list[tuple[str, bytes, str]],
    status: int,
    detail: str,
) -> None:
    market = mail_market(client, session)
    ticket_id = take_in(client, market)
    accept(client, market.experts[0])
    web_sign_in(client, market.expert_emails[0])

    answered, page = send_reply(client, f"/expert/tickets/{ticket_id}/reply", "Look.", files)

    assert answered == status
    assert detail in page
    assert "Look." in page  # the reply stays in the box
    assert stored(session, ticket_id) == []
    assert messages_of(session, ticket_id) == ["I was charged twice for order 1234."]


def test_a_file_over_the_limit_is_refused_with_413_on_the_staff_form(
    client: TestClient,
    session: Session,
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "max_attachment_bytes", 16)
    market = mail_market(client, session)
    ticket_id = take_in(client, market)
    web_sign_in(client, market.brand_admin_email)

    answered, page = send_reply(
        client, f"/brand/tickets/{ticket_id}/reply", "See file.", [("r.txt", RECEIPT, "text/plain")]
    )

    assert answered == 413
    assert (
        f"The file &#39;r.txt&#39; is {len(RECEIPT)} bytes; files may be at most 16 bytes" in page
    )
    assert stored(session, ticket_id) == []
    assert messages_of(session, ticket_id) == ["I was charged twice for order 1234."]


def test_staff_files_on_a_note_stay_with_the_team(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = mail_market(client, session)
    created = client.post(
        "/api/v1/tickets",
        json=ticket_body(market, channel="email", subject="Charged twice"),
        headers=market.api_key,
    ).json()
    ticket_id, token_path = created["id"], "/c/" + created["customer_link"].rsplit("/c/", 1)[1]
    web_sign_in(client, market.brand_admin_email)

    noted, _ = send_reply(
        client,
        f"/brand/tickets/{ticket_id}/reply",
        "Chargeback evidence.",
        [("evidence.png", PNG, "image/png")],
        is_internal="true",
    )
    answered, _ = send_reply(
        client, f"/brand/tickets/{ticket_id}/reply", "Refunded.", [("r.txt", RECEIPT, "text/plain")]
    )

    assert (noted, answered) == (303, 303)
    evidence, receipt = stored(session, ticket_id)
    staff_page = client.get(f"/brand/tickets/{ticket_id}")
    assert "evidence.png" in staff_page.text and "r.txt" in staff_page.text
    customer_page = client.get(token_path)
    assert "r.txt" in customer_page.text
    assert "evidence.png" not in customer_page.text
    assert client.get(f"{token_path}/files/{evidence.id}").status_code == 404
    assert client.get(f"{token_path}/files/{receipt.id}").status_code == 200


def test_nobody_downloads_another_ticket_s_or_brand_s_files(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = mail_market(client, session)
    other = build_marketplace(client, session, experts=1)
    ticket_id = take_in(client, market)
    other_link = client.post(
        "/api/v1/tickets", json=ticket_body(other), headers=other.api_key
    ).json()["customer_link"]
    other_path = "/c/" + other_link.rsplit("/c/", 1)[1]
    web_sign_in(client, market.brand_admin_email)
    send_reply(client, f"/brand/tickets/{ticket_id}/reply", "File.", [("r.txt", RECEIPT, "t")])
    [receipt] = stored(session, ticket_id)

    web_sign_in(client, other.brand_admin_email)
    other_staff = client.get(f"/brand/tickets/{ticket_id}/files/{receipt.id}")
    web_sign_in(client, other.expert_emails[0])
    other_expert = client.get(f"/expert/tickets/{ticket_id}/files/{receipt.id}")
    other_customer = client.get(f"{other_path}/files/{receipt.id}")
    forged = client.get(f"/c/{ticket_id}.forged/files/{receipt.id}")

    assert other_staff.status_code == 404
    assert other_expert.status_code == 404
    assert other_customer.status_code == 404
    assert forged.status_code == 404
    assert RECEIPT.decode() not in other_staff.text + other_expert.text + other_customer.text
