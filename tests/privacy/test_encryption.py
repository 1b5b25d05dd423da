"""Encryption at rest: values sealed in the database, clear in objects, bound to their place."""

import uuid

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

import gigcx.models  # noqa: F401  (every encrypted table)
from gigcx.db.base import Base
from gigcx.privacy import orm, sealing
from gigcx.privacy.errors import DecryptionFailed
from gigcx.tickets import queries
from gigcx.tickets.models import Attachment, Customer, Message
from tests.factories.brands import make_brand, make_program
from tests.factories.tickets import make_ticket


def raw(session: Session, table: str, column: str, row_id: uuid.UUID) -> object:
    """The stored value, read with Core (what a dump of the database holds)."""
    core = Base.metadata.tables[table]
    return session.execute(select(core.c[column]).where(core.c.id == row_id)).scalar_one()


def overwrite(session: Session, table: str, column: str, row_id: uuid.UUID, value: object) -> None:
    core = Base.metadata.tables[table]
    session.execute(update(core).where(core.c.id == row_id).values({column: value}))


def fresh(session: Session, model: type, row_id: uuid.UUID) -> object:
    session.expunge_all()
    return session.get_one(model, row_id)


def test_values_are_sealed_in_the_database_and_clear_in_objects(session: Session) -> None:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(
        session,
        program,
        route=False,
        subject="Charged twice",
        customer={"email": "Ana.Silva@Example.com", "name": "Ana Silva"},
    )
    session.flush()
    customer = session.get_one(Customer, ticket.customer_id)
    assert customer.email == "ana.silva@example.com" and customer.name == "Ana Silva"
    assert ticket.subject == "Charged twice"
    for table, column, row_id in [
        ("customers", "email", customer.id),
        ("customers", "name", customer.id),
        ("tickets", "subject", ticket.id),
        ("messages", "body", ticket.messages[0].id),
    ]:
        stored = str(raw(session, table, column, row_id))
        assert stored.startswith("v1:") and "Ana" not in stored and "twice" not in stored
    # Loads, refreshes and expired attributes open them again; nothing is left dirty.
    loaded = fresh(session, Customer, customer.id)
    assert isinstance(loaded, Customer) and loaded.name == "Ana Silva"
    assert not session.dirty
    session.expire(loaded)
    assert loaded.email == "ana.silva@example.com"
    session.refresh(loaded)
    assert loaded.name == "Ana Silva"
    # An update seals the new value; a column read without its object opens with open_column.
    loaded.name = "Ana S. Silva"
    session.flush()
    assert loaded.name == "Ana S. Silva"
    sealed_name = session.scalar(select(Customer.name).where(Customer.id == customer.id))
    assert sealed_name != "Ana S. Silva"
    assert orm.open_column(session, Customer.name, customer.id, sealed_name) == "Ana S. Silva"


def test_bytes_columns_and_core_inserts_are_sealed(session: Session) -> None:
    ticket = make_ticket(session, make_program(session, make_brand(session)), route=False)
    attachment = Attachment(
        ticket_id=ticket.id,
        filename="receipt.pdf",
        content_type="application/pdf",
        size=5,
        sha256="0" * 64,
        data=b"%PDF-secret",
    )
    session.add(attachment)
    session.flush()
    stored = raw(session, "attachments", "data", attachment.id)
    assert isinstance(stored, bytes) and b"secret" not in stored
    reloaded = fresh(session, Attachment, attachment.id)
    assert isinstance(reloaded, Attachment) and reloaded.data == b"%PDF-secret"

    message_id = uuid.uuid4()
    body = orm.seal_column(
        session, Message.body, message_id, "typed in bulk", brand_id=ticket.brand_id
    )
    session.execute(
        insert(Message).values(
            id=message_id, ticket_id=ticket.id, author_kind="customer", body=body, is_internal=False
        )
    )
    message = fresh(session, Message, message_id)
    assert isinstance(message, Message) and message.body == "typed in bulk"


def test_a_value_moved_to_another_row_or_column_or_altered_does_not_open(
    session: Session,
) -> None:
    program = make_program(session, make_brand(session))
    first = make_ticket(session, program, route=False)
    second = make_ticket(session, program, route=False)
    session.flush()
    stolen = raw(session, "customers", "email", first.customer_id)
    overwrite(session, "customers", "email", second.customer_id, stolen)
    with pytest.raises(DecryptionFailed, match="altered, or copied from another row or column"):
        fresh(session, Customer, second.customer_id)
    name = raw(session, "customers", "name", first.customer_id)
    overwrite(session, "customers", "email", first.customer_id, name)
    with pytest.raises(DecryptionFailed, match=f"customers:email:{first.customer_id}"):
        fresh(session, Customer, first.customer_id)


def test_a_tampered_value_fails_with_a_clear_error(session: Session) -> None:
    ticket = make_ticket(session, make_program(session, make_brand(session)), route=False)
    session.flush()
    stored = str(raw(session, "tickets", "subject", ticket.id))
    head, blob = stored.rsplit(":", 1)
    flipped = blob[:-4] + ("AAAA" if blob[-4:] != "AAAA" else "BBBB")
    with pytest.raises(DecryptionFailed) as error:
        sealing.unseal(
            session.connection(),
            f"{head}:{flipped}",
            sealing.Kind.TEXT,
            sealing.aad("tickets", "subject", ticket.id),
        )
    assert f"tickets:subject:{ticket.id} does not decrypt with data key" in str(error.value)
    with pytest.raises(DecryptionFailed, match="not encrypted"):
        sealing.unseal(
            session.connection(),
            "in clear",
            sealing.Kind.TEXT,
            sealing.aad("tickets", "subject", 1),
        )


def test_customers_are_found_by_email_through_the_blind_index(session: Session) -> None:
    brand, other = make_brand(session), make_brand(session)
    program, other_program = make_program(session, brand), make_program(session, other)
    ticket = make_ticket(
        session, program, route=False, customer={"email": "sam@example.com", "name": "Sam"}
    )
    make_ticket(
        session, other_program, route=False, customer={"email": "sam@example.com", "name": "Sam"}
    )
    again = make_ticket(
        session, program, route=False, customer={"email": " SAM@Example.com ", "name": "Sam"}
    )
    session.flush()
    assert again.customer_id == ticket.customer_id
    found = queries.customer_by_email(session, brand_id=brand.id, email="Sam@example.COM")
    assert found is not None and found.id == ticket.customer_id
    assert queries.customer_by_email(session, brand_id=brand.id, email="tom@example.com") is None
    # The index is keyed per brand: the same email does not link across brands.
    indexes = session.scalars(
        select(Customer.email_index).where(Customer.brand_id.in_([brand.id, other.id]))
    ).all()
    assert len(set(indexes)) == 2


def test_every_customer_text_column_is_registered() -> None:
    encrypted = {(column.table, column.column) for column in sealing.registry()}
    for wanted in [
        ("customers", "email"),
        ("customers", "name"),
        ("messages", "body"),
        ("tickets", "subject"),
        ("attachments", "data"),
        ("inbound_emails", "raw"),
        ("outbound_emails", "text_body"),
        ("webhook_secrets", "secret"),
        ("webhook_messages", "payload"),
        ("mailboxes", "imap_url"),
        ("helpdesk_connections", "api_token"),
        ("sso_configs", "client_secret"),
        ("payout_methods", "iban"),
        ("chat_events", "data"),
    ]:
        assert wanted in encrypted
