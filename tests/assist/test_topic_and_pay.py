"""A customer's chosen topic stays unless the model is sure; the pay of an offer never moves."""

import uuid
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.assist.enums import BotSkip
from gigcx.assist.schemas import AssistSettingsUpdate
from gigcx.auth.principal import SYSTEM
from gigcx.payments import service as payments_service
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Offer, Ticket
from tests.api.helpers import build_marketplace, ticket_body
from tests.assist.test_http import train_billing_model
from tests.factories.assist import make_answer, make_retail_program, write_in
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.tickets import make_ticket, run_jobs
from tests.web.helpers import web_sign_in

WARRANTY = "The zipper on my jacket broke after a month, is that covered by your warranty?"


def set_override(session: Session, program_id: uuid.UUID, value: float) -> None:
    assist_service.update_settings(
        session, SYSTEM, program_id, AssistSettingsUpdate(topic_override_confidence=value)
    )


def test_a_chosen_topic_stays_when_the_model_is_not_sure_enough_and_the_doubt_is_flagged(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_retail_program(session)
    set_override(session, program.id, 1.0)
    make_answer(session, program, intent="warranty-repairs", title="Warranty", body="Two years.")
    make_expert(session, programs=[program], skills={"order-status": 3})
    ticket = write_in(session, program, WARRANTY, category="order-status")
    session.commit()

    run_jobs(factory)

    session.refresh(ticket)
    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None and triage.intent_confidence is not None
    confidence = f"{triage.intent_confidence:.2f}"
    assert (ticket.category, ticket.status, ticket.assignee_id) == (
        "order-status",
        TicketStatus.OFFERED,
        None,
    )
    assert (triage.intent, triage.chosen_category, triage.is_topic_disputed) == (
        "warranty-repairs",
        "order-status",
        True,
    )
    assert triage.bot_skip_reason == BotSkip.TOPIC_DISPUTED
    assert (
        f"the customer chose order-status; the model reads warranty-repairs ({confidence}): "
        "topic kept, for the expert to judge"
    ) in triage.notes
    assert assist_service.bot_attempt_of(session, ticket.id) is None
    doubt = assist_service.topic_doubt(session, ticket)
    assert doubt == assist_service.TopicDoubt(
        topic="Order-Status",
        is_customer_choice=True,
        model_reads="Warranty-Repairs",
        confidence=triage.intent_confidence,
    )


def test_a_model_sure_beyond_the_programs_setting_changes_the_chosen_topic(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_retail_program(session)
    set_override(session, program.id, 0.0)
    ticket = write_in(session, program, WARRANTY, category="order-status")
    session.commit()

    run_jobs(factory)

    session.refresh(ticket)
    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None and triage.intent_confidence is not None
    assert (ticket.category, triage.is_topic_disputed) == ("warranty-repairs", False)
    assert (
        f"the customer chose order-status; the model reads warranty-repairs "
        f"({triage.intent_confidence:.2f}, at least 0.00): topic changed"
    ) in triage.notes


def test_a_topic_the_model_picked_at_intake_is_no_customer_choice(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_retail_program(session)
    ticket = write_in(
        session,
        program,
        WARRANTY,
        category=None,
        guess=True,
    )
    session.commit()

    run_jobs(factory)

    session.refresh(ticket)
    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None
    assert (ticket.category, triage.chosen_category, triage.is_topic_disputed) == (
        "warranty-repairs",
        None,
        False,
    )


def test_triage_never_reprices_a_ticket_already_offered(
    session: Session, factory: sessionmaker[Session]
) -> None:
    program = make_program(session, make_brand(session))
    make_expert(session, programs=[program], skills={"billing": 3})
    ticket = make_ticket(
        session,
        program,
        body="Why was I charged twice? How do I get my money back? When will you answer?",
    )
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    shown = payments_service.quote_offer(session, offer)
    assert shown is not None
    assert ticket.status == TicketStatus.OFFERED
    session.commit()

    run_jobs(factory)

    session.refresh(ticket)
    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None
    assert (triage.complexity, ticket.complexity) == ("high", "medium")
    quoted = payments_service.quote_offer(session, offer)
    assert quoted is not None
    assert (quoted.amount, shown.amount) == (Decimal("3.50"), Decimal("3.50"))
    assert (
        "complexity kept at medium: the ticket was already offered (triage reads high)"
        in triage.notes
    )


def test_the_expert_sees_the_topic_doubt_in_the_workspace(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    train_billing_model(session, market)
    set_override(session, uuid.UUID(market.program_id), 1.0)
    session.commit()
    created = client.post(
        "/api/v1/tickets",
        json=ticket_body(
            market,
            category="billing",
            body="I am taking legal action over the contract, my lawyer will write to you.",
        ),
        headers=market.api_key,
    )
    run_jobs(factory)
    ticket = session.get_one(Ticket, uuid.UUID(created.json()["id"]))
    session.refresh(ticket)
    offer = client.get("/api/v1/offers", headers=market.experts[0]).json()[0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=market.experts[0])
    triage = assist_service.triage_of(session, ticket.id)
    assert triage is not None and triage.intent_confidence is not None
    web_sign_in(client, market.expert_emails[0])

    page = client.get(f"/expert/tickets/{ticket.id}")

    assert ticket.category == "billing"
    assert (
        f"The customer chose Billing; the model reads Legal ({triage.intent_confidence:.2f}). "
        "The topic and the pay stay as they are"
    ) in page.text
    assert "The tone check does not run for" not in page.text


def test_the_topic_override_is_set_over_the_api_and_null_is_refused(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    path = f"/api/v1/programs/{market.program_id}/ai-settings"

    default = client.get(path, headers=market.brand_admin).json()
    changed = client.patch(
        path, json={"topic_override_confidence": 0.75}, headers=market.brand_admin
    )
    nulled = client.patch(
        path, json={"topic_override_confidence": None}, headers=market.brand_admin
    )
    outside = client.patch(
        path, json={"topic_override_confidence": 1.5}, headers=market.brand_admin
    )

    assert default["topic_override_confidence"] == 0.9
    assert (changed.status_code, changed.json()["topic_override_confidence"]) == (200, 0.75)
    problems = nulled.json()["detail"]
    assert (nulled.status_code, [(p["loc"][-1], p["msg"]) for p in problems]) == (
        422,
        [
            (
                "topic_override_confidence",
                "cannot be null; leave the field out to keep its value",
            )
        ],
    )
    assert outside.status_code == 422
    settings = assist_service.settings_for(session, uuid.UUID(market.program_id))
    session.refresh(settings)
    assert settings.topic_override_confidence == 0.75
