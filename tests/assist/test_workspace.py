from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.auth.principal import SYSTEM
from gigcx.tickets import service as tickets_service
from tests.factories.assist import make_retail_program
from tests.factories.tickets import make_ticket


def test_resolved_tickets_are_labelled_examples_and_the_rest_unlabelled(session: Session) -> None:
    program = make_retail_program(session, trained=False)
    for category, texts in (
        ("order-status", ("Where is my parcel?", "My order has not shipped")),
        ("returns-exchanges", ("I want to return my boots", "How do I send back a tent?")),
    ):
        for text in texts:
            ticket = make_ticket(session, program, route=False, category=category, body=text)
            tickets_service.resolve_locked(session, ticket, actor=SYSTEM)
    make_ticket(session, program, route=False, category="order-status", body="Still open")

    examples = assist_service.examples_from_tickets(session, program.id)

    assert sorted(zip(examples.labels, examples.texts, strict=True)) == [
        ("order-status", "My order has not shipped"),
        ("order-status", "Where is my parcel?"),
        ("returns-exchanges", "How do I send back a tent?"),
        ("returns-exchanges", "I want to return my boots"),
    ]
    assert examples.unlabelled == ["Still open"]
