import html
import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.kit.schemas import LanguageCode
from gigcx.quality.enums import RatingReason
from gigcx.quality.models import Dispute, Rating
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Ticket
from gigcx.web.forms import field_errors
from tests.api.helpers import Marketplace, build_marketplace, ticket_body
from tests.web.helpers import post_form, web_sign_in

PYDANTIC_PHRASES = ("Input should", "after validation", "Field required", "should have")


def raw_phrases(page: str) -> list[str]:
    return [phrase for phrase in PYDANTIC_PHRASES if phrase in page]


def error_text(page: str, field: str) -> str:
    found = re.search(rf'<p id="e-{field}" class="error" role="alert">([^<]*)</p>', page)
    assert found is not None, f"no message for {field}"
    return html.unescape(found.group(1))


class Everything(BaseModel):
    name: str = Field(max_length=20)
    code: str = Field(min_length=3)
    reason: RatingReason
    mood: Literal["calm", "angry"]
    tags: list[str] = Field(min_length=1)
    picks: list[str] = Field(max_length=2)
    score: int = Field(ge=1, le=5)
    share: Decimal = Field(gt=0, decimal_places=2)
    when: date
    ticket_id: uuid.UUID
    language: LanguageCode
    required: str


def test_every_kind_of_validation_error_reads_as_a_plain_sentence() -> None:
    given = {
        "name": "x" * 21,
        "code": "ab",
        "reason": "great",
        "mood": "sleepy",
        "tags": [],
        "picks": ["a", "b", "c"],
        "score": "9",
        "share": "0.125",
        "when": "someday",
        "ticket_id": "nope",
        "language": "english",
    }

    try:
        Everything.model_validate(given)
    except ValidationError as error:
        messages = field_errors(error)

    assert messages == {
        "name": "Use at most 20 characters.",
        "code": "Use at least 3 characters.",
        "reason": "Choose one of the options.",
        "mood": "Choose one of the options.",
        "tags": "Pick at least one.",
        "picks": "Pick at most 2.",
        "score": "Enter 5 or less.",
        "share": "Use at most 2 decimal places.",
        "when": "Enter a date such as 2026-12-31.",
        "ticket_id": "Choose one of the options.",
        "language": "'english' is not a language code; use ISO 639-1 such as 'en' or 'pt-br'.",
        "required": "Fill in this field.",
    }
    assert raw_phrases(" ".join(messages.values())) == []


def resolved_ticket(client: TestClient, market: Marketplace) -> str:
    expert = market.experts[0]
    ticket = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket_id = str(ticket.json()["id"])
    (offer,) = client.get("/api/v1/offers", headers=expert).json()
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Done."}, headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    return ticket_id


def test_a_bad_rating_form_says_what_to_do_in_plain_words(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket = session.get_one(Ticket, uuid.UUID(resolved_ticket(client, market)))
    link = f"/c/{tickets_service.customer_link_token(ticket)}"

    response = post_form(client, f"{link}/rating", {"score": "9", "reason": "great"})

    assert response.status_code == 400
    assert (
        error_text(response.text, "reason") == "Choose a reason from the list, or leave it empty."
    )
    assert error_text(response.text, "score") == "Choose a rating from 1 (poor) to 5 (excellent)."
    assert raw_phrases(response.text) == []
    assert session.scalar(select(func.count()).select_from(Rating)) == 0


def test_a_short_appeal_names_the_field_and_the_rule(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    ticket_id = resolved_ticket(client, market)
    client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"score": 1, "reason": "rude"},
        headers=market.api_key,
    )
    rating = session.scalars(select(Rating)).one()
    web_sign_in(client, market.expert_emails[0])

    response = post_form(
        client,
        "/expert/quality/disputes",
        {"subject_type": "rating", "subject_id": str(rating.id), "reason": "No."},
    )

    assert response.status_code == 400
    assert "Why it is wrong: Use at least 10 characters." in response.text
    assert raw_phrases(response.text) == []
    assert session.scalar(select(func.count()).select_from(Dispute)) == 0


def test_a_form_field_of_the_wrong_type_gets_a_plain_page(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.expert_emails[0])

    response = post_form(
        client, f"/expert/tickets/{uuid.uuid4()}/suggestions/{uuid.uuid4()}", {"rank": "first"}
    )

    assert response.status_code == 422
    assert (
        "The form could not be read. \N{LEFT DOUBLE QUOTATION MARK}rank"
        "\N{RIGHT DOUBLE QUOTATION MARK}: Enter a whole number. Fix it, then send the form again."
        in html.unescape(response.text)
    )
    assert raw_phrases(response.text) == []
