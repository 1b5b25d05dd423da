"""A dump of a seeded demo database holds no customer email, name or message text in clear."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db import migrate
from gigcx.db.session import make_engine, unit_of_work
from gigcx.demo.seed import seed_demo
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Customer, Message, Ticket

SEEDED_AT = datetime(2026, 11, 18, 15, 45, tzinfo=UTC)
# Shorter texts (a first name, "Thanks!") may occur anywhere without being a customer's.
SHORTEST_NEEDLE = 8


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('dump') / 'demo.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with clock.travel_to(SEEDED_AT), unit_of_work(factory) as session:
        seed_demo(session, experts=6, tickets=12, seed=5)
    yield engine
    engine.dispose()


def customer_texts(engine: Engine) -> set[str]:
    with Session(engine) as session:
        found = set()
        for customer in session.scalars(select(Customer)):
            found.update({customer.email, customer.name})
        for message in session.scalars(
            select(Message).where(Message.author_kind == AuthorKind.CUSTOMER)
        ):
            found.update(line.strip() for line in message.body.splitlines())
        for ticket in session.scalars(select(Ticket)):
            found.add(ticket.subject)
    return {needle for needle in found if len(needle) >= SHORTEST_NEEDLE}


def test_no_customer_text_is_stored_in_clear(engine: Engine) -> None:
    texts = customer_texts(engine)
    assert len(texts) > 20
    # As JSON writes them too (non-ASCII escaped), for JSON columns.
    needles = texts | {json.dumps(needle)[1:-1] for needle in texts}
    with Session(engine) as session:
        control = session.scalars(select(Expert.email)).first()
    assert control is not None
    needles.add(control)
    leaks: set[str] = set()
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "ignore")
                    stored = str(value)
                    for needle in needles:
                        if needle in stored:
                            leaks.add(f"{table}.{column}: {needle[:40]!r}")
    assert any(control in leak for leak in leaks), "the scan must see what is stored in clear"
    leaks = {leak for leak in leaks if control not in leak}
    assert not leaks, "in clear:\n" + "\n".join(sorted(leaks))
