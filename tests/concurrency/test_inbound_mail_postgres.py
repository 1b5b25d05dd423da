"""The same mail delivered twice at once (IMAP and LMTP, say) becomes one ticket."""

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx import tasks
from gigcx.channels.email import inbound
from gigcx.channels.email.enums import InboundOutcome, InboundTransport
from gigcx.channels.email.models import InboundEmail, Mailbox
from gigcx.db.session import make_engine, unit_of_work
from gigcx.tickets.models import Ticket
from tests.channels.email_in.helpers import make_desk, make_mail
from tests.concurrency.conftest import wait_until_blocked

assert tasks  # registers job handlers


@pytest.fixture
def committing(committing_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(committing_database_url, pool_size=4)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def test_a_mail_delivered_twice_at_once_makes_one_ticket(
    committing: sessionmaker[Session],
) -> None:
    with unit_of_work(committing) as session:
        desk = make_desk(session)
        mailbox_id, brand_id, address = desk.mailbox.id, desk.brand.id, desk.address
    raw = make_mail(to=address)
    first_taken, may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, InboundOutcome] = {}

    def deliver(name: str, transport: InboundTransport, hold: bool) -> None:
        try:
            with unit_of_work(committing) as session:
                mailbox = session.get_one(Mailbox, mailbox_id)
                result = inbound.ingest(session, mailbox, raw, transport=transport)
                outcomes[name] = result.outcome
                if hold:
                    first_taken.set()
                    may_commit.wait()
        finally:
            first_taken.set()  # never leave the test waiting on a delivery that failed

    first = threading.Thread(target=deliver, args=("imap", InboundTransport.IMAP, True))
    first.start()
    first_taken.wait()
    second = threading.Thread(target=deliver, args=("lmtp", InboundTransport.LMTP, False))
    second.start()
    # The second delivery waits on the first's row for this mail, uncommitted.
    wait_until_blocked(committing, second)
    may_commit.set()
    first.join()
    second.join()

    assert outcomes == {"imap": InboundOutcome.NEW_TICKET, "lmtp": InboundOutcome.DUPLICATE}
    with committing() as session:
        tickets = session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.brand_id == brand_id)
        )
        rows = session.scalar(
            select(func.count())
            .select_from(InboundEmail)
            .where(InboundEmail.mailbox_id == mailbox_id)
        )
    assert (tickets, rows) == (1, 1)
