"""Migration 0021 seals the values stored in clear before it and fills the blind indexes."""

import importlib.util
from importlib.resources import files
from types import ModuleType

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gigcx.db.base import Base
from gigcx.privacy import reseal, sealing
from gigcx.tickets import queries
from gigcx.tickets.models import Message, Ticket
from tests.factories.brands import make_brand, make_program
from tests.factories.tickets import make_ticket

# Columns of tables made after 0021: sealed from their first row, nothing for it to seal.
BORN_SEALED = {("inquiries", "payload")}


def migration() -> ModuleType:
    folder = files("gigcx") / "migrations" / "versions"
    path = next(p for p in folder.iterdir() if p.name.endswith("_0021_encryption_at_rest.py"))
    spec = importlib.util.spec_from_file_location("migration_0021", str(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_seals_clear_rows_and_fills_the_email_index(session: Session) -> None:
    brand = make_brand(session)
    ticket = make_ticket(session, make_program(session, brand), route=False)
    session.flush()
    message_id = ticket.messages[0].id
    # Rows as they were stored before encryption at rest (Core: no sealing).
    customers, tickets, messages = (
        Base.metadata.tables[name] for name in ("customers", "tickets", "messages")
    )
    connection = session.connection()
    connection.execute(
        update(customers)
        .where(customers.c.id == ticket.customer_id)
        .values(email="old@example.com", name="Olga Old", email_index="pending")
    )
    connection.execute(
        update(tickets).where(tickets.c.id == ticket.id).values(subject="Old subject")
    )
    connection.execute(
        update(messages).where(messages.c.id == message_id).values(body="Old body text")
    )
    session.expunge_all()

    targets = migration()._targets()
    assert {(target.table.name, name) for target in targets for name, _ in target.columns} == {
        (column.table, column.column) for column in sealing.registry()
    } - BORN_SEALED
    resealer = reseal.Resealer(connection)
    for target in targets:
        resealer.run(target, reseal.is_clear)

    stored = connection.execute(
        select(customers.c.email, customers.c.name).where(customers.c.id == ticket.customer_id)
    ).one()
    assert all(sealing.key_id_of(value) for value in stored)
    customer = queries.customer_by_email(session, brand_id=brand.id, email="OLD@example.com")
    assert customer is not None and customer.name == "Olga Old"
    assert session.get_one(Ticket, ticket.id).subject == "Old subject"
    assert session.get_one(Message, message_id).body == "Old body text"
