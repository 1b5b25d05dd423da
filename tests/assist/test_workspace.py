from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.schemas import AssistSettingsUpdate
from gigcx.auth.principal import SYSTEM
from gigcx.tickets import service as tickets_service
from tests.factories.assist import make_retail_program
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket

BODY = "I'm Ana Lima, mail ana@example.com or call 030 1234 5678 about my order."


def test_experts_see_personal_data_masked_unless_the_program_grants_it(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    ticket = make_ticket(
        session, program, body=BODY, customer={"email": "ana@example.com", "name": "Ana Lima"}
    )

    masked = assist_service.shown_messages(session, as_expert(expert), ticket)
    assist_service.update_settings(
        session, brand_admin(brand), program.id, AssistSettingsUpdate(granted_pii=["email"])
    )
    granted = assist_service.shown_messages(session, as_expert(expert), ticket)
    staff = assist_service.shown_messages(session, brand_admin(brand), ticket)

    assert masked[0].body == "I'm [name], mail [email] or call [phone] about my order."
    assert granted[0].body == "I'm [name], mail ana@example.com or call [phone] about my order."
    assert staff[0].body == BODY


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
