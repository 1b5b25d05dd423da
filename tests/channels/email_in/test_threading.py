"""A mail opens a ticket or lands on its ticket: reply address, references, subject tag."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.enums import Channel
from gigcx.channels.email import identity, inbound, outbound
from gigcx.channels.email.enums import InboundOutcome, InboundReason
from gigcx.channels.email.models import InboundEmail
from gigcx.tickets.models import Customer
from tests.channels.email_in.helpers import (
    Desk,
    inbound_count,
    make_desk,
    make_mail,
    messages_of,
    take,
    tickets_of,
)


def test_a_new_mail_opens_a_ticket_of_the_mailbox_program(session: Session, desk: Desk) -> None:
    raw = make_mail(to=desk.address)

    result = take(session, desk, raw)

    assert result.outcome == InboundOutcome.NEW_TICKET
    assert result.may_acknowledge is True
    [ticket] = tickets_of(session, desk)
    assert result.ticket_id == ticket.id
    assert ticket.program_id == desk.program.id
    assert ticket.channel == Channel.EMAIL
    assert ticket.language == "en"
    assert ticket.subject == "My order 1234 never arrived"
    customer = session.get_one(Customer, ticket.customer_id)
    assert (customer.email, customer.name) == ("carla@example.com", "Carla Mendes")
    [message] = messages_of(session, ticket.id)
    assert message.id == result.message_id
    assert message.body == "Hello, my order 1234 never arrived. Where is it?"
    row = session.get_one(InboundEmail, result.inbound_id)
    assert row.raw == raw
    assert row.sender == "carla@example.com"
    assert inbound.may_acknowledge(session, ticket.id) is True


def test_a_reply_to_the_signed_reply_address_lands_on_its_ticket(
    session: Session, desk: Desk
) -> None:
    first = take(session, desk, make_mail(to=desk.address))
    assert first.ticket_id is not None
    address = identity.reply_address(desk.address, first.ticket_id)

    reply = take(
        session,
        desk,
        make_mail(to=address, subject="Something else entirely", text="Any news?"),
    )

    assert (reply.outcome, reply.reason) == (InboundOutcome.THREADED, InboundReason.REPLY_ADDRESS)
    assert reply.ticket_id == first.ticket_id
    assert [m.body for m in messages_of(session, first.ticket_id)][-1] == "Any news?"
    assert len(tickets_of(session, desk)) == 1


def test_a_reply_to_a_mail_we_sent_lands_on_its_ticket_by_in_reply_to(
    session: Session, desk: Desk
) -> None:
    first = take(session, desk, make_mail(to=desk.address))
    assert first.ticket_id is not None
    sent = outbound.queue_email(
        session,
        brand_id=desk.brand.id,
        ticket_id=first.ticket_id,
        to="carla@example.com",
        subject="Re: your order",
        text="We are looking into it.",
        kind="reply",
        message_id=identity.ticket_message_id(first.ticket_id),
    )

    reply = take(
        session,
        desk,
        make_mail(
            to=desk.address,
            subject="Re: your order",
            text="Thank you!",
            headers={"In-Reply-To": sent.message_id, "References": sent.message_id},
        ),
    )

    assert (reply.outcome, reply.reason) == (InboundOutcome.THREADED, InboundReason.REFERENCES)
    assert reply.ticket_id == first.ticket_id


def test_a_mail_referencing_an_earlier_inbound_mail_lands_on_its_ticket(
    session: Session, desk: Desk
) -> None:
    earlier = make_mail(to=desk.address, message_id="<first.1@mail.example.com>")
    first = take(session, desk, earlier)

    follow_up = take(
        session,
        desk,
        make_mail(
            to=desk.address,
            subject="One more thing",
            text="It was a gift, by the way.",
            headers={"References": "<unknown.9@elsewhere.example> <first.1@mail.example.com>"},
        ),
    )

    assert (follow_up.outcome, follow_up.reason) == (
        InboundOutcome.THREADED,
        InboundReason.REFERENCES,
    )
    assert follow_up.ticket_id == first.ticket_id


def test_the_subject_tag_threads_within_the_brand_only(session: Session, desk: Desk) -> None:
    first = take(session, desk, make_mail(to=desk.address))
    assert first.ticket_id is not None
    tag = identity.subject_tag(first.ticket_id)
    other = make_desk(session)

    tagged = take(session, desk, make_mail(to=desk.address, subject=f"Re: {tag} order"))
    elsewhere = take(session, other, make_mail(to=other.address, subject=f"Re: {tag} order"))

    assert (tagged.outcome, tagged.reason) == (InboundOutcome.THREADED, InboundReason.SUBJECT_TAG)
    assert tagged.ticket_id == first.ticket_id
    assert elsewhere.outcome == InboundOutcome.NEW_TICKET
    assert elsewhere.ticket_id != first.ticket_id


def test_a_forged_reply_token_is_refused_and_touches_no_ticket(
    session: Session, desk: Desk
) -> None:
    first = take(session, desk, make_mail(to=desk.address))
    assert first.ticket_id is not None
    real = identity.reply_address(desk.address, first.ticket_id)
    local, _, domain = real.partition("@")
    forged = f"{local[:-4]}{'aaaa' if not local.endswith('aaaa') else 'bbbb'}@{domain}"

    result = take(session, desk, make_mail(to=forged, text="Let me in."))

    assert result.outcome == InboundOutcome.REFUSED
    assert result.reason == InboundReason.FORGED_REPLY_ADDRESS
    assert result.ticket_id is None and result.message_id is None
    assert "refused" in result.detail
    assert [m.body for m in messages_of(session, first.ticket_id)] == [
        "Hello, my order 1234 never arrived. Where is it?"
    ]
    assert len(tickets_of(session, desk)) == 1
    assert inbound_count(session, desk) == 2


def test_a_reply_from_another_sender_opens_a_ticket_of_its_own(
    session: Session, desk: Desk
) -> None:
    first = take(session, desk, make_mail(to=desk.address))
    assert first.ticket_id is not None
    address = identity.reply_address(desk.address, first.ticket_id)

    result = take(
        session, desk, make_mail(to=address, sender="mallory@example.net", text="Hijack.")
    )

    assert result.outcome == InboundOutcome.NEW_TICKET
    assert result.ticket_id != first.ticket_id
    assert "another customer" in result.detail
    assert len(messages_of(session, first.ticket_id)) == 1


def test_a_redelivered_mail_stores_nothing_again(session: Session, desk: Desk) -> None:
    raw = make_mail(to=desk.address)
    first = take(session, desk, raw)

    again = take(session, desk, raw)

    assert again.outcome == InboundOutcome.DUPLICATE
    assert again.ticket_id == first.ticket_id
    assert again.inbound_id == first.inbound_id
    assert len(tickets_of(session, desk)) == 1
    assert len(messages_of(session, first.ticket_id)) == 1
    assert inbound_count(session, desk) == 1


def test_a_mail_without_message_id_is_deduplicated_by_its_bytes(
    session: Session, desk: Desk
) -> None:
    raw = make_mail(to=desk.address, message_id=None)

    first = take(session, desk, raw)
    again = take(session, desk, raw)
    changed = take(session, desk, raw.replace(b"Where is it?", b"Where is it??"))

    assert first.outcome == InboundOutcome.NEW_TICKET
    assert again.outcome == InboundOutcome.DUPLICATE
    assert changed.outcome == InboundOutcome.NEW_TICKET
    rows = session.scalars(select(InboundEmail).where(InboundEmail.mailbox_id == desk.mailbox.id))
    assert {row.header_message_id for row in rows} == {None}
