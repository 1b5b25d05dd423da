import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from gigcx.api.deps import MAX_OFFSET
from gigcx.api.guard import RequestGuard
from gigcx.auth.models import ApiKey
from gigcx.brands.models import Program
from gigcx.config import get_settings
from gigcx.errors import DomainError
from gigcx.experts.models import Expert
from gigcx.kit.schemas import LANGUAGE_PATTERN
from gigcx.payments import service as payments_service
from gigcx.payments.errors import InvalidWeek
from gigcx.payments.schemas import WEEK_PATTERN
from gigcx.tickets.models import Ticket
from gigcx.tickets.schemas import MessageCreate, MessageRead
from tests.api.helpers import build_marketplace, new_key, program_body, ticket_body


def ticket_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Ticket)) or 0


def test_requests_without_credentials_are_told_how_to_sign_in(client: TestClient) -> None:
    response = client.get("/api/v1/tickets")

    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_a_wrong_password_is_refused(client: TestClient, session: Session) -> None:
    build_marketplace(client, session, experts=0)

    response = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "whatever"}
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "email or password is wrong"}


def test_intake_refuses_what_the_program_cannot_take(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    cases = {
        "unknown program": (ticket_body(market, program_id=str(uuid.uuid4())), 404, "program"),
        "language": (ticket_body(market, language="fr"), 400, "does not serve language 'fr'"),
        "category": (ticket_body(market, category="returns"), 400, "has no category 'returns'"),
        "channel": (ticket_body(market, channel="email"), 400, "does not take the email channel"),
    }

    for name, (body, status, words) in cases.items():
        response = client.post("/api/v1/tickets", json=body, headers=market.api_key)
        assert (name, response.status_code) == (name, status)
        assert words in response.json()["detail"]

    malformed = client.post(
        "/api/v1/tickets", json={"program_id": market.program_id}, headers=market.api_key
    )
    assert malformed.status_code == 422
    assert ticket_count(session) == 0


def test_idempotency_key_replays_or_refuses(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    key = {**market.api_key, "Idempotency-Key": new_key()}

    first = client.post("/api/v1/tickets", json=ticket_body(market), headers=key)
    again = client.post("/api/v1/tickets", json=ticket_body(market), headers=key)
    other = client.post(
        "/api/v1/tickets", json=ticket_body(market, body="Other issue"), headers=key
    )

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json()["id"] == first.json()["id"]
    assert "different request body" in other.json()["detail"]
    assert ticket_count(session) == 1


def test_program_rules_are_validated_and_nothing_half_written(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session)
    negative = program_body(
        rates=[{"category_key": "billing", "complexity": "low", "amount": "-1.00"}]
    )
    missing_rates = program_body(rates=[])
    unknown_category = program_body(
        rates=[*program_body()["rates"], {"category_key": "x", "complexity": "low", "amount": "1"}]
    )

    assert (
        client.post("/api/v1/programs", json=negative, headers=market.brand_admin).status_code
        == 422
    )
    missing = client.post("/api/v1/programs", json=missing_rates, headers=market.brand_admin)
    unknown = client.post("/api/v1/programs", json=unknown_category, headers=market.brand_admin)
    assert (missing.status_code, unknown.status_code) == (400, 400)
    assert "has no rate for complexity low, medium, high" in missing.json()["detail"]
    assert "rate for unknown category 'x'" in unknown.json()["detail"]
    change = client.patch(
        f"/api/v1/programs/{market.program_id}",
        json={"languages": ["en"], "rates": []},
        headers=market.brand_admin,
    )
    assert change.status_code == 400
    program = session.get_one(Program, uuid.UUID(market.program_id))
    session.refresh(program)
    assert (program.languages, len(program.rates)) == (["en", "de"], 3)
    assert session.scalar(select(func.count()).select_from(Program)) == 1


def test_accepting_an_offer_twice_and_another_experts_offer(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=2, offers_at_once=1)
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    offer = client.get(f"/api/v1/tickets/{created.json()['id']}/offers", headers=market.brand_admin)
    offer_id = offer.json()[0]["id"]
    owner_index = market.expert_ids.index(offer.json()[0]["expert_id"])
    owner, other = market.experts[owner_index], market.experts[1 - owner_index]

    stolen = client.post(f"/api/v1/offers/{offer_id}/accept", headers=other)
    accepted = client.post(f"/api/v1/offers/{offer_id}/accept", headers=owner)
    twice = client.post(f"/api/v1/offers/{offer_id}/accept", headers=owner)
    foreign_resolve = client.post(f"/api/v1/tickets/{created.json()['id']}/resolve", headers=other)

    # Accepting again what one accepted is a retry: it answers with the same offer and ticket.
    assert (stolen.status_code, accepted.status_code, twice.status_code) == (404, 200, 200)
    assert twice.json() == accepted.json()
    assert foreign_resolve.status_code == 404
    still = client.get(f"/api/v1/tickets/{created.json()['id']}", headers=market.brand_admin)
    assert still.json()["status"] == "assigned"


def test_brands_never_see_each_others_data(client: TestClient, session: Session) -> None:
    first = build_marketplace(client, session)
    second = build_marketplace(client, session)
    ticket = client.post("/api/v1/tickets", json=ticket_body(first), headers=first.api_key).json()

    seen_by_other = client.get(f"/api/v1/tickets/{ticket['id']}", headers=second.brand_admin)
    program_by_other = client.get(f"/api/v1/programs/{first.program_id}", headers=second.api_key)
    intake_by_other = client.post(
        "/api/v1/tickets", json=ticket_body(first), headers=second.api_key
    )
    listing = client.get("/api/v1/tickets", headers=second.brand_admin).json()

    assert (seen_by_other.status_code, program_by_other.status_code) == (404, 404)
    assert intake_by_other.status_code == 404
    assert listing["total"] == 0


def test_experts_only_see_tickets_offered_to_them(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=2, offers_at_once=1)
    ticket = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key).json()
    offer = client.get(f"/api/v1/tickets/{ticket['id']}/offers", headers=market.brand_admin).json()
    other = market.experts[1 - market.expert_ids.index(offer[0]["expert_id"])]

    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/tickets", headers=other).json()["total"] == 0
    assert client.get(f"/api/v1/tickets/{ticket['id']}/audit", headers=other).status_code == 403


def test_a_revoked_api_key_stops_working(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session)
    keys = client.get("/api/v1/api-keys", headers=market.brand_admin).json()

    revoked = client.delete(f"/api/v1/api-keys/{keys[0]['id']}", headers=market.brand_admin)
    response = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)

    assert revoked.status_code == 204
    assert response.status_code == 401
    assert ticket_count(session) == 0


def test_lists_are_paginated(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    for n in range(5):
        body = ticket_body(market, category="legal", body=f"Question {n}")
        assert client.post("/api/v1/tickets", json=body, headers=market.api_key).status_code == 201

    page = client.get(
        "/api/v1/tickets?limit=2&offset=2&status=escalated", headers=market.brand_admin
    ).json()
    bad = client.get("/api/v1/tickets?limit=1000", headers=market.brand_admin)

    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 2, 2)
    assert bad.status_code == 422


def api_key_names(session: Session) -> list[str]:
    return sorted(session.scalars(select(ApiKey.name)))


def test_text_with_a_nul_character_is_refused_with_422_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    before = api_key_names(session)
    sign_up = {
        "email": "nul@example.com",
        "password": "long enough password",
        "display_name": "Ana\x00",
        "country": "PT",
        "timezone": "Europe/Lisbon",
        "languages": {"en": 5},
    }

    key = client.post("/api/v1/api-keys", json={"name": "in\x00take"}, headers=market.brand_admin)
    expert = client.post("/api/v1/experts", json=sign_up)
    ticket = client.post(
        "/api/v1/tickets", json=ticket_body(market, body="Hello\x00"), headers=market.api_key
    )
    phrases = client.patch(
        f"/api/v1/programs/{market.program_id}/ai-settings",
        json={"forbidden_phrases": ["ok", "b\x00d"]},
        headers=market.brand_admin,
    )

    nul = "the text contains a NUL character (U+0000), which text cannot hold; remove it"
    assert key.status_code == 422
    assert key.json()["detail"] == [{"loc": ["body", "name"], "msg": nul, "type": "value_error"}]
    assert (expert.status_code, expert.json()["detail"][0]["loc"]) == (
        422,
        ["body", "display_name"],
    )
    assert (ticket.status_code, ticket.json()["detail"][0]["msg"]) == (422, nul)
    assert (phrases.status_code, phrases.json()["detail"][0]["msg"]) == (422, nul)
    assert api_key_names(session) == before
    assert ticket_count(session) == 0
    assert session.scalar(select(func.count()).select_from(Expert)) == 0


def test_a_lone_surrogate_gets_a_plain_422_that_can_be_sent(client: TestClient) -> None:
    # JSON may escape a lone surrogate; it is no text, and echoing it back cannot be encoded.
    raw = b'{"email": "a\\ud800@example.com", "password": "\\udfff"}'

    response = client.post(
        "/api/v1/auth/login", content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "email"],
            "msg": "the text contains an unpaired surrogate (such as \\ud800), which is not "
            "text; send valid UTF-8",
            "type": "value_error",
        },
        {
            "loc": ["body", "password"],
            "msg": "the text contains an unpaired surrogate (such as \\ud800), which is not "
            "text; send valid UTF-8",
            "type": "value_error",
        },
    ]
    assert "\\udfff" not in response.text  # the input is never echoed back


def test_offset_has_an_upper_bound(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)

    deepest = client.get(f"/api/v1/tickets?offset={MAX_OFFSET}", headers=market.brand_admin)
    beyond = client.get(f"/api/v1/tickets?offset={MAX_OFFSET + 1}", headers=market.brand_admin)
    huge = client.get("/api/v1/payouts?offset=99999999999999999999", headers=market.brand_admin)

    assert (deepest.status_code, deepest.json()["items"]) == (200, [])
    assert beyond.status_code == 422
    assert beyond.json()["detail"][0]["loc"] == ["query", "offset"]
    assert beyond.json()["detail"][0]["msg"] == "Input should be less than or equal to 1000000"
    assert huge.status_code == 422


def test_dates_far_in_the_future_or_past_filter_instead_of_overflowing(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    created = client.post(
        "/api/v1/tickets", json=ticket_body(market, category="legal"), headers=market.api_key
    )
    assert created.status_code == 201
    query = "/api/v1/tickets?created_before={}&created_after={}"

    everything = client.get(
        query.format("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00%2B14:00"),
        headers=market.brand_admin,
    )
    nothing = client.get(
        query.format("0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00"),
        headers=market.brand_admin,
    )
    naive = client.get(
        query.format("2999-01-01T00:00:00", "2000-01-01T00:00:00"), headers=market.brand_admin
    )

    assert (everything.status_code, everything.json()["total"]) == (200, 1)
    assert (nothing.status_code, nothing.json()["total"]) == (200, 0)
    assert (naive.status_code, naive.json()["total"]) == (200, 1)


def test_far_away_weeks_are_refused_with_what_to_send(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)

    listed = client.get("/api/v1/payouts?week=9999-W52", headers=market.brand_admin)
    run = client.post("/api/v1/payouts/runs", json={"week": "9999-W52"}, headers=market.admin)
    no_such = client.post("/api/v1/payouts/runs", json={"week": "2027-W53"}, headers=market.admin)

    assert (listed.status_code, listed.json()["detail"][0]["loc"]) == (422, ["query", "week"])
    assert (run.status_code, run.json()["detail"][0]["loc"]) == (422, ["body", "week"])
    assert no_such.status_code == 400
    assert no_such.json()["detail"] == (
        "'2027-W53' is not an ISO week (2027 has no week 53); write it as YYYY-Www between "
        "2000-W01 and 2099-W52, for example 2026-W48"
    )
    with pytest.raises(InvalidWeek):
        payments_service.parse_week("9999-W52")


def test_explicit_nulls_in_ai_settings_are_refused_and_nothing_changes(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    path = f"/api/v1/programs/{market.program_id}/ai-settings"
    set_royalty = client.patch(path, json={"royalty_amount": "0.50"}, headers=market.brand_admin)

    nulls = client.patch(
        path,
        json={"is_bot_enabled": None, "bot_threshold": None, "granted_pii": None},
        headers=market.brand_admin,
    )
    cleared = client.patch(path, json={"royalty_amount": None}, headers=market.brand_admin)

    assert set_royalty.status_code == 200
    assert nulls.status_code == 422
    assert [(p["loc"][1], p["msg"]) for p in nulls.json()["detail"]] == [
        (field, "cannot be null; leave the field out to keep its value")
        for field in ("is_bot_enabled", "bot_threshold", "granted_pii")
    ]
    assert cleared.status_code == 200
    settings = client.get(path, headers=market.brand_admin).json()
    assert (settings["is_bot_enabled"], settings["bot_threshold"], settings["royalty_amount"]) == (
        True,
        0.8,
        None,
    )


def test_bodies_over_the_cap_are_refused_before_they_are_parsed(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    limit = get_settings().max_body_bytes
    huge = b'{"name": "' + b"x" * limit + b'"}'

    def streamed() -> Iterator[bytes]:
        for _ in range(64):
            yield b"x" * (limit // 16)

    declared = client.post(
        "/api/v1/api-keys",
        content=huge,
        headers={**market.brand_admin, "Content-Type": "application/json"},
    )
    # Without a Content-Length (chunked), the guard counts and stops reading past the cap.
    chunked = client.post(
        "/api/v1/api-keys",
        content=streamed(),
        headers={**market.brand_admin, "Content-Type": "application/json"},
    )
    form = client.post(
        "/login",
        content=b"email=" + b"a" * (limit + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    detail = (
        "the request body is larger than 1 MiB (1,048,576 bytes), the most this server takes; "
        "send less (long texts in parts, files as links)"
    )
    assert (declared.status_code, declared.json()) == (413, {"detail": detail})
    assert (chunked.status_code, chunked.json()) == (413, {"detail": detail})
    assert form.status_code == 413
    assert "the request body is larger than 1 MiB" in form.text
    assert form.headers["content-type"].startswith("text/html")
    assert len(api_key_names(session)) == 1


def test_a_nul_character_in_the_address_is_refused_with_400(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)

    in_path = client.get("/support/brand%00/care", headers=market.brand_admin)
    in_query = client.get("/api/v1/tickets?category=bill%00ing", headers=market.brand_admin)
    api_path = client.get("/api/v1/tickets/abc%00", headers=market.brand_admin)

    detail = (
        "the address contains a NUL character (%00), which no path or query value may hold; "
        "remove it"
    )
    assert (in_path.status_code, detail in in_path.text) == (400, True)
    assert (in_query.status_code, in_query.json()) == (400, {"detail": detail})
    assert (api_path.status_code, api_path.json()) == (400, {"detail": detail})


def test_options_answers_with_every_method_a_path_takes(client: TestClient) -> None:
    tickets = client.options("/api/v1/tickets")
    one_ticket = client.options(f"/api/v1/tickets/{uuid.uuid4()}")
    page = client.options("/login")
    missing = client.options("/api/v1/nothing-here")
    not_allowed = client.put("/api/v1/tickets")

    assert (tickets.status_code, tickets.headers["allow"]) == (204, "GET, OPTIONS, POST")
    assert (one_ticket.status_code, one_ticket.headers["allow"]) == (204, "GET, OPTIONS")
    assert (page.status_code, page.headers["allow"]) == (204, "GET, OPTIONS, POST")
    assert missing.status_code == 404
    assert (not_allowed.status_code, not_allowed.headers["allow"]) == (
        405,
        "GET, OPTIONS, POST",
    )


def test_the_openapi_schema_states_the_rules_the_server_applies(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    list_tickets = schema["paths"]["/api/v1/tickets"]["get"]["parameters"]
    parameters = {p["name"]: p["schema"] for p in list_tickets}

    assert parameters["offset"]["maximum"] == 1_000_000
    assert parameters["language"]["anyOf"][0]["pattern"] == LANGUAGE_PATTERN
    assert components["TicketCreate"]["properties"]["body"]["pattern"] == "^[^\\u0000]*$"
    assert components["ApiKeyCreate"]["properties"]["name"]["pattern"] == "^[^\\u0000]*$"
    assert components["PayoutRunCreate"]["properties"]["week"]["pattern"] == WEEK_PATTERN
    assert components["AssistSettingsUpdate"]["properties"]["is_bot_enabled"] == {
        "title": "Is Bot Enabled",
        "type": "boolean",
    }
    assert "null" not in str(components["ProgramUpdate"]["properties"]["name"])


def test_the_guard_stops_reading_a_streamed_body_past_the_cap() -> None:
    pulled = 0
    seen: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 400, "more_body": pulled < 100}

    async def send(message: Message) -> None:
        seen.append(message)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        await request.body()  # reads until the guard stops it
        await Response("read it all")(scope, receive, send)

    def refuse(scope: Scope, error: DomainError) -> Response:
        return Response(error.detail, status_code=error.status_code)

    guard = RequestGuard(ExceptionMiddleware(app), max_body_bytes=1000, routes=list, refuse=refuse)
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "headers": [],
        "query_string": b"",
    }

    asyncio.run(guard(scope, receive, send))

    assert pulled == 3  # 1,200 bytes read: past the cap of 1,000, and not one chunk more
    assert seen[0]["status"] == 413


def test_money_sent_as_a_json_number_is_read_as_the_decimal_it_shows(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    path = f"/api/v1/programs/{market.program_id}/ai-settings"

    cents = client.patch(path, json={"royalty_amount": 0.57 + 1e-16}, headers=market.brand_admin)
    huge = client.patch(path, json={"royalty_amount": 1.13e308}, headers=market.brand_admin)
    fraction = client.patch(path, json={"royalty_amount": 0.575}, headers=market.brand_admin)

    assert (cents.status_code, cents.json()["royalty_amount"]) == (200, "0.57")
    assert (huge.status_code, fraction.status_code) == (422, 422)
    assert fraction.json()["detail"][0]["msg"] == (
        "Decimal input should have no more than 2 decimal places"
    )


def test_responses_show_text_stored_before_the_rule_and_requests_refuse_it() -> None:
    # SQLite kept NUL characters before requests refused them; reading such rows must work.
    stored = {
        "id": uuid.uuid4(),
        "author_kind": "customer",
        "author_id": None,
        "body": "old\x00text",
        "is_internal": False,
        "created_at": datetime(2026, 1, 5, tzinfo=UTC),
    }

    shown = MessageRead.model_validate(stored)

    assert shown.body == "old\x00text"
    with pytest.raises(ValidationError):
        MessageCreate.model_validate({"body": "new\x00text"})
