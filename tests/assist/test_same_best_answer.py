"""A best answer's text is proposed once per category and language, whoever sends it again."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerKind
from gigcx.assist.models import Answer
from gigcx.assist.schemas import AnswerCreate
from gigcx.brands.models import Brand
from tests.api.helpers import build_marketplace
from tests.assist.test_best_answers import resolved_with_reply
from tests.factories.brands import brand_admin
from tests.web.helpers import post_form, web_sign_in

REPLY = "Your refund of the double charge is on its way and shows within three days."
SAME_REPLY = "your refund of the double charge  is on its way and shows within THREE days."


def test_the_same_text_again_is_refused_over_the_api_and_on_the_page(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    first = resolved_with_reply(client, market, factory, reply=REPLY)
    second = resolved_with_reply(client, market, factory, reply=SAME_REPLY)
    third = resolved_with_reply(client, market, factory, reply=SAME_REPLY)

    proposed = client.post(f"/api/v1/tickets/{first}/best-answer", json={}, headers=expert)
    again = client.post(f"/api/v1/tickets/{second}/best-answer", json={}, headers=expert)
    web_sign_in(client, market.expert_emails[0])
    page = post_form(client, f"/expert/tickets/{third}/best-answer")

    assert proposed.status_code == 201
    assert (again.status_code, again.json()) == (
        409,
        {
            "detail": "the same text is already a best answer for Billing in EN: "
            "it is waiting for review"
        },
    )
    assert page.status_code == 409
    assert (
        "The same text is already a best answer for Billing in EN: it is waiting for review."
        in page.text
    )
    assert len(session.scalars(select(Answer)).all()) == 1


def test_the_same_text_for_another_category_is_a_new_answer(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    brand = session.get_one(Brand, uuid.UUID(market.brand_id))
    assist_service.create_answer(
        session,
        brand_admin(brand),
        AnswerCreate(
            program_id=uuid.UUID(market.program_id),
            kind=AnswerKind.ANSWER,
            intent="legal",
            language="en",
            title="Refunds",
            body=REPLY,
        ),
    )
    session.commit()
    ticket_id = resolved_with_reply(client, market, factory, reply=REPLY)

    proposed = client.post(
        f"/api/v1/tickets/{ticket_id}/best-answer", json={}, headers=market.experts[0]
    )

    assert proposed.status_code == 201
    intents = sorted(str(a.intent) for a in session.scalars(select(Answer)))
    assert intents == ["billing", "legal"]
