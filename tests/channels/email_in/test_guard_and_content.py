"""Robots' mail opens no ticket, floods stop, bounces mark the customer; text and files."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from gigcx.channels.email import identity, inbound
from gigcx.channels.email.enums import InboundOutcome, InboundReason
from gigcx.channels.email.errors import MailTooLarge, UnreadableMail
from gigcx.channels.email.models import InboundEmail
from gigcx.config import get_settings
from gigcx.kit import clock
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Customer
from tests.channels.email_in.helpers import (
    PNG,
    Desk,
    inbound_count,
    make_mail,
    messages_of,
    take,
    tickets_of,
)

AUTOMATIC = [
    pytest.param({"Auto-Submitted": "auto-replied"}, id="auto-submitted-replied"),
    pytest.param({"Auto-Submitted": "auto-generated; owner-email=x@y.z"}, id="auto-generated"),
    pytest.param({"X-Autoreply": "yes"}, id="x-autoreply"),
    pytest.param({"X-Autorespond": "Out of office"}, id="x-autorespond"),
    pytest.param({"Precedence": "bulk"}, id="precedence-bulk"),
    pytest.param({"Precedence": "list"}, id="precedence-list"),
    pytest.param({"Precedence": "junk"}, id="precedence-junk"),
    pytest.param({"Precedence": "auto_reply"}, id="precedence-auto-reply"),
    pytest.param({"X-Auto-Response-Suppress": "All"}, id="x-auto-response-suppress"),
    pytest.param({"List-Unsubscribe": "<mailto:leave@news.example>"}, id="list-unsubscribe"),
    pytest.param({"X-Loop": "support@desk.example"}, id="x-loop"),
]


@pytest.mark.parametrize("headers", AUTOMATIC)
def test_automatic_mail_opens_no_ticket_and_gets_no_answer(
    session: Session, desk: Desk, headers: dict[str, str]
) -> None:
    result = take(session, desk, make_mail(to=desk.address, headers=headers))

    assert (result.outcome, result.reason) == (InboundOutcome.IGNORED, InboundReason.AUTO_REPLY)
    assert result.may_acknowledge is False
    assert result.ticket_id is None
    assert tickets_of(session, desk) == []
    assert inbound_count(session, desk) == 1


@pytest.mark.parametrize(
    "sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.com", "noreply@shop.example"]
)
def test_mail_from_robots_addresses_opens_no_ticket(
    session: Session, desk: Desk, sender: str
) -> None:
    result = take(session, desk, make_mail(to=desk.address, sender=sender))

    assert (result.outcome, result.reason) == (InboundOutcome.IGNORED, InboundReason.AUTO_REPLY)
    assert tickets_of(session, desk) == []


def test_our_own_mail_coming_back_opens_no_ticket(session: Session, desk: Desk) -> None:
    ours = identity.ticket_message_id(desk.program.id)

    by_id = take(session, desk, make_mail(to=desk.address, message_id=ours))
    from_mailbox = take(session, desk, make_mail(to=desk.address, sender=desk.address))

    assert (by_id.outcome, by_id.reason) == (InboundOutcome.IGNORED, InboundReason.OWN_MAIL)
    assert (from_mailbox.outcome, from_mailbox.reason) == (
        InboundOutcome.IGNORED,
        InboundReason.OWN_MAIL,
    )
    assert tickets_of(session, desk) == []


def test_auto_submitted_no_is_a_person_writing(session: Session, desk: Desk) -> None:
    result = take(session, desk, make_mail(to=desk.address, headers={"Auto-Submitted": "no"}))

    assert result.outcome == InboundOutcome.NEW_TICKET
    assert result.may_acknowledge is True


def test_a_mail_written_days_ago_opens_a_ticket_without_an_acknowledgement(
    session: Session, desk: Desk
) -> None:
    """A mailbox read late (an outage, a backlog imported) must not answer last week's mail."""
    written = clock.now() - inbound.ACKNOWLEDGE_WITHIN - timedelta(hours=1)

    result = take(session, desk, make_mail(to=desk.address, written=written))

    assert result.outcome == InboundOutcome.NEW_TICKET
    assert result.may_acknowledge is False


def test_a_flood_from_one_sender_is_kept_without_tickets(
    session: Session, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "inbound_email_flood_limit", 3)
    results = [
        take(session, desk, make_mail(to=desk.address, subject=f"Question {n}")) for n in range(5)
    ]
    other = take(session, desk, make_mail(to=desk.address, sender="dana@example.com"))

    assert [r.outcome for r in results] == [InboundOutcome.NEW_TICKET] * 3 + [
        InboundOutcome.IGNORED
    ] * 2
    assert [r.reason for r in results[3:]] == [InboundReason.FLOOD] * 2
    assert results[3].may_acknowledge is False
    assert other.outcome == InboundOutcome.NEW_TICKET
    assert len(tickets_of(session, desk)) == 4
    assert inbound_count(session, desk) == 6
    kept = session.get_one(InboundEmail, results[4].inbound_id)
    assert b"Question 4" in kept.raw


def _bounce(to: str, recipient: str, status: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce." + status + "@mx.example.com>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "Your mail could not be delivered.\r\n"
        "--b1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: user unknown\r\n"
        "--b1--\r\n"
    ).encode()


def test_a_permanent_bounce_marks_the_customer_undeliverable(session: Session, desk: Desk) -> None:
    first = take(session, desk, make_mail(to=desk.address))
    assert first.ticket_id is not None

    result = take(session, desk, _bounce(desk.address, "carla@example.com", "5.1.1"))

    assert (result.outcome, result.reason) == (InboundOutcome.IGNORED, InboundReason.BOUNCE)
    assert "undeliverable" in result.detail
    customer = session.get_one(Customer, tickets_of(session, desk)[0].customer_id)
    assert customer.email_undeliverable is True
    assert customer.email_undeliverable_reason == (
        "5.1.1 550 5.1.1 <carla@example.com>: user unknown"
    )
    assert len(tickets_of(session, desk)) == 1


def test_a_temporary_bounce_only_logs(session: Session, desk: Desk) -> None:
    take(session, desk, make_mail(to=desk.address))

    result = take(session, desk, _bounce(desk.address, "carla@example.com", "4.4.1"))

    assert (result.outcome, result.reason) == (InboundOutcome.IGNORED, InboundReason.BOUNCE)
    assert "only logged" in result.detail
    customer = session.get_one(Customer, tickets_of(session, desk)[0].customer_id)
    assert customer.email_undeliverable is False
    assert customer.email_undeliverable_reason is None


def test_quoted_history_is_stripped_and_the_original_kept(session: Session, desk: Desk) -> None:
    text = (
        "Thanks, the parcel arrived today.\n\n"
        "On Tue, 1 Dec 2026 at 09:00, Support <support@desk.example> wrote:\n"
        "> Your parcel is on its way.\n"
        "> Kind regards\n"
    )
    raw = make_mail(to=desk.address, text=text)

    result = take(session, desk, raw)

    [message] = messages_of(session, result.ticket_id)
    assert message.body == "Thanks, the parcel arrived today."
    assert session.get_one(InboundEmail, result.inbound_id).raw == raw


def test_html_only_mail_is_sanitised_into_text(session: Session, desk: Desk) -> None:
    html = (
        "<html><head><style>p {color: red}</style><title>x</title></head><body>"
        "<p>Hello <b>team</b>,</p><p>the app crashes on start.<br>Version 2.1</p>"
        "<script>alert('hi')</script><img src=x onerror=alert(1)>"
        '<div class="gmail_quote">On Mon, Support wrote:<blockquote>Old answer</blockquote></div>'
        "</body></html>"
    )

    result = take(session, desk, make_mail(to=desk.address, text=None, html=html))

    [message] = messages_of(session, result.ticket_id)
    assert message.body == "Hello team,\n\nthe app crashes on start.\nVersion 2.1"


def test_files_are_stored_and_refused_ones_listed(session: Session, desk: Desk) -> None:
    files = [
        ("photo.png", PNG, "image/png"),
        ("notes.txt", b"Serial 12345\n", "text/plain"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream"),
    ]

    result = take(session, desk, make_mail(to=desk.address, files=files))

    assert result.outcome == InboundOutcome.NEW_TICKET
    assert result.ticket_id is not None
    stored = tickets_service.attachments_of(session, result.ticket_id)
    assert [(a.filename, a.content_type, a.message_id) for a in stored] == [
        ("photo.png", "image/png", result.message_id),
        ("notes.txt", "text/plain", result.message_id),
    ]
    assert len(result.refused_files) == 1
    assert result.refused_files[0].startswith("setup.exe: ")
    assert "files not stored: setup.exe" in result.detail


def test_a_mail_over_the_size_limit_is_refused_and_nothing_stored(
    session: Session, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = make_mail(to=desk.address, text="x" * 5000)
    monkeypatch.setattr(get_settings(), "max_inbound_email_bytes", 4000)

    with pytest.raises(MailTooLarge) as refused:
        take(session, desk, raw)

    assert refused.value.status_code == 413
    assert "GIGCX_MAX_INBOUND_EMAIL_BYTES" in refused.value.detail
    assert inbound_count(session, desk) == 0


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"", "it is empty"),
        (b"From: a@example.com\r\nSubject: x\x00y\r\n\r\nhi\r\n", "NUL bytes"),
        (b"Subject: no sender\r\n\r\nhello\r\n", "no sender address"),
        (b"just some words without any header at all", "no headers"),
    ],
)
def test_unreadable_mail_is_refused_plainly(
    session: Session, desk: Desk, raw: bytes, why: str
) -> None:
    with pytest.raises(UnreadableMail) as refused:
        take(session, desk, raw)

    assert refused.value.status_code == 400
    assert why in refused.value.detail
    assert inbound_count(session, desk) == 0


def test_broken_mime_still_gives_a_ticket_or_a_plain_refusal(session: Session, desk: Desk) -> None:
    raw = (
        b"From: carla@example.com\r\nTo: " + desk.address.encode() + b"\r\n"
        b"Subject: =?utf-8?B?broken\r\nMessage-ID: <broken.1@example.com>\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n"
    )

    result = take(session, desk, raw)

    assert result.outcome == InboundOutcome.NEW_TICKET
    [message] = messages_of(session, result.ticket_id)
    assert message.body != ""


def test_a_sender_address_no_mail_can_reach_opens_no_ticket(session: Session, desk: Desk) -> None:
    result = take(session, desk, make_mail(to=desk.address, sender="someone@localhost"))

    assert (result.outcome, result.reason) == (InboundOutcome.IGNORED, InboundReason.UNREADABLE)
    assert "someone@localhost" in result.detail
    assert tickets_of(session, desk) == []
    assert inbound_count(session, desk) == 1
