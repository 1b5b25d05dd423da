"""The three ways mail comes in (raw endpoint, LMTP, IMAP) store the same, and once."""

import smtplib
import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.app import create_app
from gigcx.auth import service as auth_service
from gigcx.channels.email import imap, lmtp, mailboxes
from gigcx.channels.email.enums import InboundOutcome, InboundReason, InboundTransport
from gigcx.channels.email.models import InboundEmail, Mailbox
from gigcx.config import get_settings
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.tickets import service as tickets_service
from tests.channels.email_in.helpers import (
    PNG,
    Desk,
    inbound_count,
    make_desk,
    make_mail,
    messages_of,
    tickets_of,
)
from tests.factories.tickets import run_jobs
from tests.servers.imap import ImapServer

RFC822 = {"Content-Type": "message/rfc822"}


def api_key(session: Session, desk: Desk) -> dict[str, str]:
    plain, _ = auth_service.create_api_key(session, brand_id=desk.brand.id, name="mail pipe")
    session.commit()
    return {"Authorization": f"Bearer {plain}", **RFC822}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def lmtp_port(factory: sessionmaker[Session]) -> Iterator[int]:
    port = _free_port()
    listener = lmtp.listener(port, factory)
    listener.start()
    try:
        yield port
    finally:
        listener.stop()


def send_lmtp(port: int, raw: bytes, to: str) -> dict[str, tuple[int, bytes]]:
    with smtplib.LMTP("127.0.0.1", port) as client:
        return client.sendmail("carla@example.com", [to], raw)


# -- the raw endpoint ---------------------------------------------------------------------------


def test_the_endpoint_takes_a_mail_and_says_what_became_of_it(
    client: TestClient, session: Session, desk: Desk
) -> None:
    headers = api_key(session, desk)
    raw = make_mail(to=desk.address)

    created = client.post(
        f"/api/v1/inbound/email?mailbox={desk.address}", content=raw, headers=headers
    )
    again = client.post("/api/v1/inbound/email", content=raw, headers=headers)

    assert created.status_code == 202, created.text
    body = created.json()
    assert body["outcome"] == "new_ticket"
    assert body["may_acknowledge"] is True
    [ticket] = tickets_of(session, desk)
    assert body["ticket_id"] == str(ticket.id)
    assert again.status_code == 202, again.text
    assert again.json()["outcome"] == "duplicate"
    assert again.json()["ticket_id"] == str(ticket.id)
    assert inbound_count(session, desk) == 1


def test_the_endpoint_refuses_what_it_cannot_take_plainly(
    client: TestClient, session: Session, desk: Desk
) -> None:
    headers = api_key(session, desk)
    other = make_desk(session)
    session.commit()
    raw = make_mail(to=desk.address)

    unsigned = client.post("/api/v1/inbound/email", content=raw, headers=RFC822)
    as_json = client.post(
        "/api/v1/inbound/email", content=raw, headers={**headers, "Content-Type": "text/plain"}
    )
    foreign = client.post(
        f"/api/v1/inbound/email?mailbox={other.address}", content=raw, headers=headers
    )
    nowhere = client.post(
        "/api/v1/inbound/email", content=make_mail(to="x@nowhere.example"), headers=headers
    )
    nul = client.post(
        f"/api/v1/inbound/email?mailbox={desk.address}",
        content=raw.replace(b"Where", b"Wh\x00ere"),
        headers=headers,
    )
    empty = client.post(
        f"/api/v1/inbound/email?mailbox={desk.address}", content=b"", headers=headers
    )

    assert unsigned.status_code == 401
    assert as_json.status_code == 415
    assert "message/rfc822" in as_json.json()["detail"]
    assert foreign.status_code == 404
    assert "no active mailbox of your brand" in foreign.json()["detail"]
    assert nowhere.status_code == 404
    assert "?mailbox=" in nowhere.json()["detail"]
    assert nul.status_code == 400
    assert "NUL" in nul.json()["detail"]
    assert empty.status_code == 400
    assert inbound_count(session, desk) == 0
    assert inbound_count(session, other) == 0
    assert tickets_of(session, desk) == []


def test_the_endpoint_answers_413_for_a_mail_over_the_limit(
    factory: sessionmaker[Session], session: Session, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = api_key(session, desk)
    monkeypatch.setattr(get_settings(), "max_inbound_email_bytes", 2000)
    raw = make_mail(to=desk.address, text="y" * 3000)

    with TestClient(create_app(factory, run_jobs=False)) as small_client:
        answer = small_client.post(
            f"/api/v1/inbound/email?mailbox={desk.address}", content=raw, headers=headers
        )

    assert answer.status_code == 413
    assert "GIGCX_MAX_INBOUND_EMAIL_BYTES" in answer.json()["detail"]
    assert "2,000 bytes" in answer.json()["detail"]
    assert inbound_count(session, desk) == 0


# -- LMTP ---------------------------------------------------------------------------------------


def test_lmtp_takes_mail_for_a_mailbox_and_refuses_other_addresses(
    session: Session, desk: Desk, lmtp_port: int
) -> None:
    session.commit()
    raw = make_mail(to=desk.address)

    refused = send_lmtp(lmtp_port, raw, desk.address)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as unknown:
        send_lmtp(lmtp_port, raw, "nobody@nowhere.example")

    assert refused == {}
    [ticket] = tickets_of(session, desk)
    [row] = session.scalars(select(InboundEmail).where(InboundEmail.mailbox_id == desk.mailbox.id))
    assert (row.transport, row.outcome, row.ticket_id) == (
        InboundTransport.LMTP,
        InboundOutcome.NEW_TICKET,
        ticket.id,
    )
    assert unknown.value.recipients["nobody@nowhere.example"][0] == 550


def test_lmtp_answers_552_for_a_mail_over_the_limit(
    factory: sessionmaker[Session],
    session: Session,
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session.commit()
    monkeypatch.setattr(get_settings(), "max_inbound_email_bytes", 2000)
    port = _free_port()
    listener = lmtp.listener(port, factory)
    listener.start()
    try:
        with pytest.raises(smtplib.SMTPException) as refused:
            send_lmtp(port, make_mail(to=desk.address, text="z" * 3000), desk.address)
    finally:
        listener.stop()

    error = refused.value
    code = (
        getattr(error, "smtp_code", None)
        or next(iter(getattr(error, "recipients", {}).values()), (None,))[0]
    )
    assert code == 552
    assert inbound_count(session, desk) == 0


def test_lmtp_refuses_unreadable_mail_with_550(
    session: Session, desk: Desk, lmtp_port: int
) -> None:
    session.commit()

    with pytest.raises(smtplib.SMTPDataError) as refused:
        send_lmtp(lmtp_port, b"Subject: no sender here\r\n\r\nhello\r\n", desk.address)

    assert refused.value.smtp_code == 550
    assert b"no sender address" in refused.value.smtp_error
    assert inbound_count(session, desk) == 0


# -- IMAP ---------------------------------------------------------------------------------------


def imap_desk(session: Session, imap_server: ImapServer, folder: str) -> Desk:
    imap_server.create_folder(folder)
    return make_desk(session, imap_url=imap_server.url(folder))


def test_polling_takes_new_mail_once_and_tracks_the_uid(
    session: Session, imap_server: ImapServer
) -> None:
    folder = "poll-uids"
    desk = imap_desk(session, imap_server, folder)
    imap_server.append(folder, make_mail(to=desk.address, subject="First"))
    second_uid = imap_server.append(folder, make_mail(to=desk.address, subject="Second"))

    first_poll = imap.poll(session, desk.mailbox.id)
    second_poll = imap.poll(session, desk.mailbox.id)
    third_uid = imap_server.append(folder, make_mail(to=desk.address, subject="Third"))
    third_poll = imap.poll(session, desk.mailbox.id)

    assert first_poll is not None and (first_poll.taken, first_poll.error) == (2, None)
    assert second_poll is not None and second_poll.taken == 0
    assert third_poll is not None and third_poll.taken == 1
    assert [t.subject for t in tickets_of(session, desk)] == ["First", "Second", "Third"]
    mailbox = session.get_one(Mailbox, desk.mailbox.id)
    assert mailbox.imap_uid_validity == imap_server.uid_validity(folder)
    assert mailbox.imap_last_uid == third_uid == second_uid + 1
    assert mailbox.last_polled_at is not None and mailbox.last_error is None


def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(
    session: Session, imap_server: ImapServer
) -> None:
    folder = "poll-validity"
    desk = imap_desk(session, imap_server, folder)
    mails = [make_mail(to=desk.address, subject=f"Mail {n}") for n in range(2)]
    for raw in mails:
        imap_server.append(folder, raw)
    imap.poll(session, desk.mailbox.id)
    old_validity = session.get_one(Mailbox, desk.mailbox.id).imap_uid_validity

    imap_server.recreate_folder(folder)
    for raw in mails:
        imap_server.append(folder, raw)
    imap_server.append(folder, make_mail(to=desk.address, subject="Mail 2"))
    again = imap.poll(session, desk.mailbox.id)

    mailbox = session.get_one(Mailbox, desk.mailbox.id)
    assert again is not None and again.taken == 3
    assert mailbox.imap_uid_validity == imap_server.uid_validity(folder) != old_validity
    assert mailbox.imap_last_uid == 3
    assert [t.subject for t in tickets_of(session, desk)] == ["Mail 0", "Mail 1", "Mail 2"]
    assert inbound_count(session, desk) == 3


def test_a_failing_server_is_kept_on_the_mailbox_and_polling_goes_on(
    session: Session, factory: sessionmaker[Session], imap_server: ImapServer
) -> None:
    desk = make_desk(
        session,
        imap_url=f"imap://{imap_server.username}:wrong@{imap_server.host}:{imap_server.port}/INBOX",
    )
    mailboxes.schedule_poll(session, desk.mailbox, run_at=desk.mailbox.created_at)
    session.commit()

    stats = run_jobs(factory)

    mailbox = session.get_one(Mailbox, desk.mailbox.id)
    session.refresh(mailbox)
    assert stats.failed == 0
    assert mailbox.last_error is not None and "AUTHENTICATIONFAILED" in mailbox.last_error.upper()
    queued = session.scalars(
        select(Job).where(
            Job.name == mailboxes.POLL_JOB,
            Job.status == JobStatus.QUEUED,
            Job.payload["mailbox_id"].as_string() == str(mailbox.id),
        )
    ).all()
    assert len(queued) == 1
    assert mailbox.last_polled_at is not None
    assert queued[0].run_at > mailbox.last_polled_at


def test_an_oversized_mail_in_the_folder_is_kept_as_ignored(
    session: Session, imap_server: ImapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = "poll-large"
    desk = imap_desk(session, imap_server, folder)
    imap_server.append(folder, make_mail(to=desk.address, text="w" * 4000))
    imap_server.append(folder, make_mail(to=desk.address, subject="Small"))
    monkeypatch.setattr(get_settings(), "max_inbound_email_bytes", 3000)

    result = imap.poll(session, desk.mailbox.id)

    assert result is not None and result.taken == 2
    rows = session.scalars(
        select(InboundEmail)
        .where(InboundEmail.mailbox_id == desk.mailbox.id)
        .order_by(InboundEmail.created_at)
    ).all()
    assert [(r.outcome, r.reason) for r in rows] == [
        (InboundOutcome.IGNORED, InboundReason.TOO_LARGE),
        (InboundOutcome.NEW_TICKET, None),
    ]
    assert b"w" * 100 not in rows[0].raw
    assert [t.subject for t in tickets_of(session, desk)] == ["Small"]


# -- one mail, three transports -----------------------------------------------------------------


def test_the_same_mail_through_all_three_transports_is_one_ticket(
    client: TestClient,
    session: Session,
    imap_server: ImapServer,
    lmtp_port: int,
) -> None:
    folder = "three-ways"
    desk = imap_desk(session, imap_server, folder)
    headers = api_key(session, desk)
    raw = make_mail(to=desk.address)

    imap_server.append(folder, raw)
    imap.poll(session, desk.mailbox.id)
    session.commit()
    posted = client.post("/api/v1/inbound/email", content=raw, headers=headers)
    send_lmtp(lmtp_port, raw, desk.address)

    [ticket] = tickets_of(session, desk)
    assert len(messages_of(session, ticket.id)) == 1
    assert posted.json()["outcome"] == "duplicate"
    assert posted.json()["ticket_id"] == str(ticket.id)
    [row] = session.scalars(select(InboundEmail).where(InboundEmail.mailbox_id == desk.mailbox.id))
    assert row.transport == InboundTransport.IMAP


def test_each_transport_stores_byte_identical_messages(
    client: TestClient,
    session: Session,
    imap_server: ImapServer,
    lmtp_port: int,
) -> None:
    folder = "identical"
    by_imap = imap_desk(session, imap_server, folder)
    by_http, by_lmtp = make_desk(session), make_desk(session)
    headers = api_key(session, by_http)
    text = (
        "Grüße! The blender stopped after two days.\n\n"
        "On Mon, 30 Nov 2026, Support <support@desk.example> wrote:\n> How can we help?\n"
    )
    files = [("receipt.png", PNG, "image/png")]

    template = make_mail(
        to="TO@placeholder.example", text=text, files=files, message_id="<same.1@example.com>"
    )

    def fixture(desk: Desk) -> bytes:
        return template.replace(b"TO@placeholder.example", desk.address.encode())

    imap_server.append(folder, fixture(by_imap))
    imap.poll(session, by_imap.mailbox.id)
    session.commit()
    client.post(
        f"/api/v1/inbound/email?mailbox={by_http.address}",
        content=fixture(by_http),
        headers=headers,
    )
    send_lmtp(lmtp_port, fixture(by_lmtp), by_lmtp.address)

    stored = []
    for desk in (by_imap, by_http, by_lmtp):
        [ticket] = tickets_of(session, desk)
        [message] = messages_of(session, ticket.id)
        [attachment] = tickets_service.attachments_of(session, ticket.id)
        [row] = session.scalars(
            select(InboundEmail).where(InboundEmail.mailbox_id == desk.mailbox.id)
        )
        stored.append((message.body, attachment.data, row.raw.replace(desk.address.encode(), b"")))
    assert stored[0] == stored[1] == stored[2]
    assert stored[0][0] == "Grüße! The blender stopped after two days."
    assert stored[0][1] == PNG
