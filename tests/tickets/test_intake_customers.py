"""Intake finds or adds the ticket's customer in one insert that skips an existing one."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.privacy import sealing
from gigcx.tickets.models import Customer
from tests.factories.brands import make_brand, make_program
from tests.factories.tickets import make_ticket


def test_a_new_customer_is_stored_sealed_under_its_own_row(session: Session) -> None:
    program = make_program(session, make_brand(session))

    ticket = make_ticket(
        session, program, route=False, customer={"email": "Ana@Example.com", "name": "Ana"}
    )

    session.flush()
    session.expire_all()
    customer = session.get_one(Customer, ticket.customer_id)
    assert (customer.email, customer.name) == ("ana@example.com", "Ana")
    table = Customer.__table__
    stored = session.execute(
        select(table.c.email, table.c.name).where(table.c.id == customer.id)
    ).one()
    assert stored.email.startswith(f"{sealing.PREFIX}:")
    assert stored.name.startswith(f"{sealing.PREFIX}:")
    opened = sealing.unseal(
        session.connection(),
        stored.email,
        sealing.Kind.TEXT,
        sealing.aad("customers", "email", customer.id),
    )
    assert opened == "ana@example.com"


def test_a_returning_customer_keeps_its_row_and_takes_the_new_name(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    first = make_ticket(
        session, program, route=False, customer={"email": "ana@example.com", "name": "Ana"}
    )

    again = make_ticket(
        session, program, route=False, customer={"email": " ANA@example.com", "name": "Ana Lima"}
    )

    session.flush()
    session.expire_all()
    assert again.customer_id == first.customer_id
    customer = session.get_one(Customer, first.customer_id)
    assert (customer.email, customer.name) == ("ana@example.com", "Ana Lima")
    customers = session.scalar(
        select(func.count()).select_from(Customer).where(Customer.brand_id == brand.id)
    )
    assert customers == 1


def test_a_returning_customer_sent_without_a_name_keeps_the_one_it_has(session: Session) -> None:
    program = make_program(session, make_brand(session))
    first = make_ticket(
        session, program, route=False, customer={"email": "bo@example.com", "name": "Bo"}
    )

    make_ticket(session, program, route=False, customer={"email": "bo@example.com"})

    session.flush()
    session.expire_all()
    assert session.get_one(Customer, first.customer_id).name == "Bo"
