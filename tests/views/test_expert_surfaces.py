"""No expert-facing surface shows personal data the program does not grant.

One ticket full of personal data (customer message, subject, staff note, the expert's reply,
the rating comment, the QA review comment, an appeal and its decision) and one offer like it;
then every page, feed, file and API answer an expert can reach is rendered and searched for
each raw value, also as digits only.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist.models import Triage
from gigcx.audit.models import AuditEvent
from gigcx.experts.enums import Tier
from gigcx.experts.models import Enrollment
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.quality.models import Dispute, Rating, Review
from gigcx.tickets.models import Message, Ticket
from tests.api.helpers import Headers, Marketplace, build_marketplace, ticket_body
from tests.factories.tickets import run_jobs
from tests.web.helpers import web_sign_in

NAME = "Carla Mendes"
EMAIL = "carla.mendes@example.com"
EMAIL_2 = "c.mendes.private@example.org"
PHONE = "+49 30 1234567"
PHONE_2 = "0151 2345 6789"
CARD = "4111 1111 1111 1111"
CARD_2 = "5500 0000 0000 0004"
IBAN = "DE89 3704 0044 0532 0130 00"
IBAN_2 = "GB82 WEST 1234 5698 7654 32"
ADDRESS = "221B Baker Street"

SUBJECT = f"Refund for {NAME} ({EMAIL}, {PHONE})"
MESSAGE = (
    f"Hi, my name is {NAME}. My card {CARD} was charged twice. Call {PHONE} or mail {EMAIL}. "
    f"Refund to IBAN {IBAN}. I live at {ADDRESS}, London."
)
NOTE = f"{NAME} also uses {EMAIL_2} and {PHONE_2}, card {CARD_2}, IBAN {IBAN_2}."
REPLY = f"Hello Carla, we refunded card {CARD} to {IBAN}; we will call {PHONE_2}."
RATING_COMMENT = f"Awful. Call me on {PHONE_2} or write to {EMAIL_2}. {NAME}, IBAN {IBAN_2}"
REVIEW_COMMENT = f"The reply repeats {EMAIL} and card {CARD_2} of {NAME}."
APPEAL = f"{NAME} thanked me on the phone at {PHONE} for the refund to {IBAN}."
DECISION = f"{NAME} ({EMAIL_2}) confirmed the refund to card {CARD_2} at {ADDRESS}."

RAW = (NAME, "Mendes", EMAIL, EMAIL_2, PHONE, PHONE_2, CARD, CARD_2, IBAN, IBAN_2, ADDRESS)
RAW_ALSO = ("card ending", "Baker Street", "carla.mendes", "c.mendes")
DIGITS = (
    "49301234567",
    "015123456789",
    "4111111111111111",
    "5500000000000004",
    "DE89370400440532013000",
    "GB82WEST12345698765432",
)
EMAIL_VALUES = {EMAIL, EMAIL_2, "carla.mendes", "c.mendes"}

# Thursday of ISO week 2026-W40; its payouts run on the Monday after.
THURSDAY = datetime(2026, 10, 1, 10, tzinfo=UTC)
MONDAY = THURSDAY + timedelta(days=4)
CRITERIA = [
    {"key": "accuracy", "label": "Answer is right", "weight": 3},
    {"key": "no-pii", "label": "No personal data leaked", "weight": 0, "is_auto_fail": True},
]


def leaks(text: str) -> list[str]:
    """Every raw value found in ``text``, also with separators between its characters removed."""
    joined = re.sub(r"(?<=\w)[\s\-./()]+(?=\w)", "", text)
    return [v for v in (*RAW, *RAW_ALSO) if v in text] + [d for d in DIGITS if d in joined]


def ok(response: httpx.Response) -> str:
    assert response.status_code == 200, (response.request.url, response.text[:500])
    return response.text


def first_event(client: TestClient) -> str:
    lines = []
    with client.stream("GET", "/expert/offers/stream") as stream:
        for line in stream.iter_lines():
            lines.append(line)
            if line == "":
                break
    return "\n".join(lines)


def handled_ticket(
    client: TestClient, session: Session, factory: sessionmaker[Session], market: Marketplace
) -> tuple[str, str, str]:
    """Ticket 1: answered and resolved by expert 0, rated, peer-reviewed by expert 1, appealed."""
    expert, reviewer, admin = market.experts[0], market.experts[1], market.brand_admin
    ticket_id = client.post(
        "/api/v1/tickets",
        json=ticket_body(
            market, subject=SUBJECT, body=MESSAGE, customer={"email": EMAIL, "name": NAME}
        ),
        headers=market.api_key,
    ).json()["id"]
    offer = client.get("/api/v1/offers", headers=expert).json()[0]
    assert offer["ticket_id"] == ticket_id
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    note = {"body": NOTE, "is_internal": True}
    assert client.post(f"/api/v1/tickets/{ticket_id}/messages", json=note, headers=admin).is_success
    reply = {"body": REPLY}
    assert client.post(
        f"/api/v1/tickets/{ticket_id}/messages", json=reply, headers=expert
    ).is_success
    assert client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert).is_success
    run_jobs(factory)
    rating = client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"score": 1, "reason": "unhelpful", "comment": RATING_COMMENT},
        headers=market.api_key,
    ).json()
    session.execute(
        update(Enrollment)
        .where(Enrollment.expert_id == uuid.UUID(market.expert_ids[1]))
        .values(tier=Tier.SENIOR)
    )
    session.commit()
    review = client.get("/api/v1/reviews/queue", headers=reviewer).json()[0]
    return ticket_id, rating["id"], review["id"]


def appeal_and_review(
    client: TestClient, market: Marketplace, rating_id: str, review_id: str
) -> None:
    expert, reviewer, admin = market.experts[0], market.experts[1], market.brand_admin
    completed = client.post(
        f"/api/v1/reviews/{review_id}/complete",
        json={"answers": {"accuracy": False, "no-pii": False}, "comment": REVIEW_COMMENT},
        headers=reviewer,
    )
    assert completed.status_code == 200, completed.text
    appeal = {"subject_type": "rating", "subject_id": rating_id, "reason": APPEAL}
    dispute = client.post("/api/v1/disputes", json=appeal, headers=expert)
    assert dispute.status_code == 201, dispute.text
    decided = client.post(
        f"/api/v1/disputes/{dispute.json()['id']}/decision",
        json={"overturn": False, "reason": DECISION},
        headers=admin,
    )
    assert decided.status_code == 200, decided.text


def api_surfaces(
    client: TestClient, expert: Headers, ticket_ids: list[str], payout_id: str
) -> dict[str, str]:
    paths = [
        "/api/v1/tickets",
        "/api/v1/offers",
        "/api/v1/reviews",
        "/api/v1/reviews/queue",
        "/api/v1/disputes",
        "/api/v1/earnings",
        "/api/v1/experts/me/quality",
        "/api/v1/payouts",
        f"/api/v1/payouts/{payout_id}/statement.csv",
    ]
    for ticket_id in ticket_ids:
        paths += [
            f"/api/v1/tickets/{ticket_id}",
            f"/api/v1/tickets/{ticket_id}/triage",
            f"/api/v1/tickets/{ticket_id}/offers",
            f"/api/v1/tickets/{ticket_id}/suggestions",
        ]
    shown = {path: ok(client.get(path, headers=expert)) for path in paths}
    check = client.post(
        f"/api/v1/tickets/{ticket_ids[1]}/reply-checks", json={"body": REPLY}, headers=expert
    )
    shown["reply-checks"] = ok(check)
    return shown


def web_surfaces(client: TestClient, ticket_ids: list[str], payout_id: str) -> dict[str, str]:
    paths = [
        "/expert",
        "/expert/quality",
        "/expert/performance",
        "/expert/earnings",
        "/expert/reviews",
        f"/statements/{payout_id}.csv",
        *(f"/expert/tickets/{ticket_id}" for ticket_id in ticket_ids),
    ]
    shown = {path: ok(client.get(path)) for path in paths}
    shown["offer stream"] = first_event(client)
    return shown


def test_no_expert_surface_shows_personal_data_the_program_does_not_grant(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    with clock.travel_to(THURSDAY):
        market = build_marketplace(client, session, experts=2)
        admin, expert, reviewer = market.brand_admin, market.experts[0], market.experts[1]
        method = {"kind": "paypal", "paypal_email": "expert.paid@example.net"}
        client.put("/api/v1/experts/me/payout-method", json=method, headers=expert)
        scorecard = {"name": "QA", "criteria": CRITERIA, "low_csat_max": 2}
        client.put(f"/api/v1/programs/{market.program_id}/scorecard", json=scorecard, headers=admin)
        client.post(
            "/api/v1/answers",
            json={
                "program_id": market.program_id,
                "intent": "billing",
                "title": "Double charges",
                "body": "A double charge is a pending authorisation; it drops off in 3 days.",
            },
            headers=admin,
        )
        offline = {"presence": "offline"}
        client.put("/api/v1/experts/me/presence", json=offline, headers=reviewer)
        handled, rating_id, review_id = handled_ticket(client, session, factory, market)
        web_sign_in(client, market.expert_emails[1])
        peer_page = ok(client.get(f"/expert/reviews/{review_id}"))
        appeal_and_review(client, market, rating_id, review_id)
        peer_done = {
            "reviews": ok(client.get("/expert/reviews")),
            "review": ok(client.get(f"/expert/reviews/{review_id}")),
            "api": ok(client.get("/api/v1/reviews", headers=reviewer)),
        }

    with clock.travel_to(MONDAY):
        run = client.post("/api/v1/payouts/runs", json={"week": "2026-W40"}, headers=market.admin)
        assert run.status_code == 201, run.text
        offered = client.post(
            "/api/v1/tickets",
            json=ticket_body(
                market, subject=SUBJECT, body=MESSAGE, customer={"email": EMAIL, "name": NAME}
            ),
            headers=market.api_key,
        ).json()["id"]
        run_jobs(factory)
        payout_id = client.get("/api/v1/payouts", headers=expert).json()["items"][0]["id"]
        client.cookies.clear()
        web_sign_in(client, market.expert_emails[0])
        tickets = [handled, offered]
        surfaces = {
            **web_surfaces(client, tickets, payout_id),
            **api_surfaces(client, expert, tickets, payout_id),
        }

    found = {name: leaks(text) for name, text in surfaces.items()}
    found |= {f"peer {name}": leaks(text) for name, text in peer_done.items()}
    found["peer review page"] = leaks(peer_page)
    assert {name: values for name, values in found.items() if values} == {}
    workspace = surfaces[f"/expert/tickets/{handled}"]
    for mask in ("[name]", "[email]", "[phone]", "[card]", "[iban]", "[address]"):
        assert mask in workspace, mask
    assert "Internal note" in workspace
    assert "Conversation with Carla" in workspace
    assert "[email]" in surfaces["/api/v1/offers"] and "[card]" in surfaces["/expert"]
    assert "[card]" in surfaces["offer stream"]
    assert "[phone]" in surfaces["/expert/performance"]
    assert "[email]" in surfaces["/expert/quality"] and "[card]" in surfaces["/api/v1/disputes"]
    assert "[email]" in peer_page and "also uses" not in peer_page  # no internal notes
    assert '"text":"[card]"' in surfaces[f"/api/v1/tickets/{handled}/triage"]


def test_a_program_that_grants_email_shows_the_email_and_masks_the_rest(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    client.patch(
        f"/api/v1/programs/{market.program_id}/ai-settings",
        json={"granted_pii": ["email"]},
        headers=market.brand_admin,
    )
    ticket_id = client.post(
        "/api/v1/tickets",
        json=ticket_body(
            market, subject=SUBJECT, body=MESSAGE, customer={"email": EMAIL, "name": NAME}
        ),
        headers=market.api_key,
    ).json()["id"]
    run_jobs(factory)

    detail = client.get(f"/api/v1/tickets/{ticket_id}", headers=expert)
    triage = client.get(f"/api/v1/tickets/{ticket_id}/triage", headers=expert).json()

    body = detail.json()["messages"][0]["body"]
    assert detail.json()["customer"] == {
        "id": detail.json()["customer"]["id"],
        "name": "Carla",
        "email": EMAIL,
    }
    assert body == (
        "Hi, my name is [name]. My card [card] was charged twice. Call [phone] or mail "
        f"{EMAIL}. Refund to IBAN [iban]. I live at [address], London."
    )
    assert [v for v in leaks(detail.text) if v not in EMAIL_VALUES] == []
    assert [(p["kind"], p["text"]) for p in triage["pii"]] == [
        ("name", "[name]"),
        ("card", "[card]"),
        ("phone", "[phone]"),
        ("email", EMAIL),
        ("iban", "[iban]"),
        ("address", "[address]"),
    ]


def test_no_card_number_is_stored_in_clear(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    ticket_id = client.post(
        "/api/v1/tickets",
        json=ticket_body(
            market, subject=f"Card {CARD}", body=MESSAGE, customer={"email": EMAIL, "name": NAME}
        ),
        headers=market.api_key,
    ).json()["id"]
    offer = client.get("/api/v1/offers", headers=expert).json()[0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": REPLY}, headers=expert)
    client.post(
        f"/api/v1/tickets/{ticket_id}/escalate",
        json={"reason": f"refund to card {CARD_2} is over my limit"},
        headers=expert,
    )
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=market.brand_admin)
    client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"score": 2, "reason": "slow", "comment": f"card {CARD_2}"},
        headers=market.api_key,
    )
    run_jobs(factory)

    texts = [
        *(message.body for message in session.scalars(select(Message))),
        *(ticket.subject for ticket in session.scalars(select(Ticket))),
        *(ticket.escalation_reason for ticket in session.scalars(select(Ticket))),
        *session.scalars(select(Rating.comment)),
        *session.scalars(select(Review.comment)),
        *session.scalars(select(Dispute.reason)),
        *session.scalars(select(cast(Triage.pii, String))),
        *session.scalars(select(cast(AuditEvent.data, String))),
        *session.scalars(select(cast(Job.payload, String))),
    ]
    stored = "\n".join(t for t in texts if t)
    joined = re.sub(r"(?<=\d)[\s\-]+(?=\d)", "", stored)
    assert ("4111111111111111" in joined, "5500000000000004" in joined) == (False, False)
    assert "[card ending 1111]" in stored and "[card ending 0004]" in stored
