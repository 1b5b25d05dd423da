import html
import json
import re
import uuid
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import ApiKey
from gigcx.brands.models import Program
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Message, Ticket
from tests.api.helpers import (
    PASSWORD,
    Marketplace,
    build_marketplace,
    sign_in,
    sign_up_expert,
    ticket_body,
)
from tests.web.helpers import post_form, web_sign_in


def staff_market(client: TestClient, session: Session, *, experts: int = 1) -> Marketplace:
    market = build_marketplace(client, session, experts=experts)
    web_sign_in(client, market.brand_admin_email)
    return market


def new_ticket(client: TestClient, market: Marketplace, **overrides: Any) -> str:
    response = client.post(
        "/api/v1/tickets", json=ticket_body(market, **overrides), headers=market.api_key
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def program_of(session: Session, market: Marketplace) -> Program:
    session.expire_all()
    return session.get_one(Program, uuid.UUID(market.program_id))


def rate_card(program: Program) -> list[tuple[str, str, Decimal]]:
    return [(r.category_key, r.complexity, r.amount) for r in program.rates]


def program_form(**changes: str) -> dict[str, str]:
    """The program form as the edit page fills it for tests.api.helpers' program."""
    values = {
        "name": "Customer care",
        "description": "",
        "is_open": "true",
        "languages": "en, de",
        "first_response_minutes": "15",
        "resolution_hours": "24",
        "max_offers": "5",
        "max_wait_minutes": "30",
        "aging_minutes": "10",
        "offers_at_once": "1",
        "offer_ttl_seconds": "120",
        "inhouse_cost_per_contact": "",
        "weight-skill": "0.25",
        "weight-language": "0.15",
        "weight-quality": "0.3",
        "weight-idle": "0.2",
        "weight-load": "0.1",
        "cat-0-key": "billing",
        "cat-0-name": "Billing",
        "cat-0-route": "gig",
        "cat-0-level": "2",
        "rate-0-low": "2.00",
        "rate-0-medium": "3.50",
        "rate-0-high": "6.00",
        "cat-1-key": "legal",
        "cat-1-name": "Legal",
        "cat-1-route": "inhouse",
        "cat-1-level": "1",
        "cat-2-key": "",
        "cat-2-name": "",
    }
    values.update(changes)
    return values


def post_program(client: TestClient, market: Marketplace, **changes: str) -> Any:
    data = {**program_form(**changes), "channels": "chat"}
    return post_form(client, f"/brand/programs/{market.program_id}", data)


def value_of(page: str, name: str) -> str:
    found = re.search(
        rf'<input id="f-{re.escape(name)}" name="{re.escape(name)}"[^>]*?value="([^"]*)"', page
    )
    assert found is not None, f"no field {name}"
    return found.group(1)


def error_of(page: str, name: str) -> str:
    found = re.search(rf'<p id="e-{re.escape(name)}" class="error" role="alert">([^<]*)</p>', page)
    assert found is not None, f"no message next to {name}"
    return html.unescape(found.group(1))


def test_the_dashboard_embeds_chart_data_and_shows_every_number_as_a_table(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session)
    new_ticket(client, market)
    new_ticket(client, market, category="legal")

    page = client.get("/brand")

    assert page.status_code == 200
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page.text)
    assert found is not None
    charts = json.loads(found.group(1))
    assert (len(charts["volume"]["values"]), sum(charts["volume"]["values"])) == (168, 2)
    assert charts["escalation"]["values"] == [1, 1]
    assert charts["csat"]["labels"] == ["1", "2", "3", "4", "5"]
    assert charts["cost"]["labels"] == ["Customer care (EUR)"]
    assert '<script src="/static/vendor/chart.umd.js" defer></script>' in page.text
    assert "1 of 2 tickets went to the in-house team: 50.0%." in page.text
    assert 'id="chart-volume"' in page.text and "Busiest hour" in page.text
    one_day = client.get("/brand", params={"program_id": market.program_id, "days": "1"})
    assert one_day.status_code == 200
    assert f'<option value="{market.program_id}" selected>Customer care</option>' in one_day.text
    assert '<option value="1" selected>Last 1 day</option>' in one_day.text


def test_the_live_queue_shows_waiting_work_and_streams_it(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session)
    new_ticket(client, market, subject="Charged twice")

    page = client.get("/brand/queue")
    with client.stream("GET", "/brand/queue/stream") as stream:
        lines = []
        for line in stream.iter_lines():
            lines.append(line)
            if line == "":
                break

    assert page.status_code == 200
    assert 'data-stream="/brand/queue/stream"' in page.text
    assert "Charged twice" in page.text and "Offers outstanding" in page.text
    assert lines[0] == "event: html"
    assert lines[1].startswith("id: ")
    assert all(line.startswith("data: ") for line in lines[2:-1])
    assert any("Charged twice" in line for line in lines)


def test_ticket_search_filters_by_text_status_and_category(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    new_ticket(client, market, subject="Refund for order 7")
    new_ticket(client, market, subject="Where is my parcel")
    new_ticket(client, market, subject="Refund, legal", category="legal")

    by_text = client.get("/brand/tickets", params={"q": "REFUND"})
    by_filters = client.get(
        "/brand/tickets", params={"q": "refund", "status": "escalated", "category": "legal"}
    )
    paged = client.get("/brand/tickets", params={"limit": "2", "offset": "2"})

    assert by_text.status_code == 200
    assert "2 tickets; showing 1\N{EN DASH}2." in by_text.text
    assert "Where is my parcel" not in by_text.text
    assert "1 ticket; showing 1\N{EN DASH}1." in by_filters.text
    assert "Refund, legal" in by_filters.text and "Refund for order 7" not in by_filters.text
    assert "3 tickets; showing 3\N{EN DASH}3." in paged.text
    assert "Previous page" in paged.text and "Next page" not in paged.text


def test_the_ticket_page_explains_routing_shows_the_audit_and_takes_an_internal_note(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session)
    ticket_id = new_ticket(client, market)

    noted = post_form(
        client,
        f"/brand/tickets/{ticket_id}/reply",
        {"body": "VIP customer, be quick.", "is_internal": "true"},
    )
    page = client.get(f"/brand/tickets/{ticket_id}")

    assert noted.status_code == 303
    assert page.status_code == 200
    assert "I was charged twice for order 1234." in page.text
    assert "Internal note · agent" in page.text and "VIP customer, be quick." in page.text
    assert re.search(
        r'<th scope="row">skill</th><td>0\.800</td><td>\N{MULTIPLICATION SIGN} 0\.25</td>',
        page.text,
    )
    assert "ticket.created" in page.text and "ticket.status_changed" in page.text
    assert 'action="/brand/tickets/' + ticket_id + '/cancel"' in page.text
    assert 'action="/brand/tickets/' + ticket_id + '/resolve"' not in page.text
    messages = session.scalars(select(Message)).all()
    note = [m for m in messages if m.body == "VIP customer, be quick."]
    assert [m.is_internal for m in note] == [True]


def test_staff_escalate_a_ticket_and_resolve_it_from_the_in_house_queue(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=1)
    ticket_id = new_ticket(client, market, subject="Contract question", category="legal")
    escalated_by_hand = new_ticket(client, market, subject="Angry customer")
    refused = post_form(client, f"/brand/tickets/{escalated_by_hand}/escalate", {"reason": " "})
    escalated = post_form(
        client, f"/brand/tickets/{escalated_by_hand}/escalate", {"reason": "Needs a manager"}
    )

    queue = client.get("/brand/inhouse")
    reply = post_form(client, f"/brand/tickets/{ticket_id}/reply", {"body": "We will check."})
    resolved = post_form(client, f"/brand/tickets/{ticket_id}/resolve")

    assert refused.status_code == 400
    assert (
        error_of(refused.text, "reason") == "Say in a few words why the in-house team takes over."
    )
    assert escalated.status_code == 303
    assert queue.status_code == 200
    assert queue.text.index("Contract question") < queue.text.index("Angry customer")
    assert "in-house-only category" in queue.text and "Needs a manager" in queue.text
    assert (reply.status_code, resolved.status_code) == (303, 303)
    session.expire_all()
    ticket = session.get_one(Ticket, uuid.UUID(ticket_id))
    assert (ticket.status, ticket.first_response_at is not None) == (TicketStatus.RESOLVED, True)


def test_another_brands_ticket_is_not_found(client: TestClient, session: Session) -> None:
    other = build_marketplace(client, session, experts=0)
    theirs = new_ticket(client, other)
    staff_market(client, session, experts=0)

    page = client.get(f"/brand/tickets/{theirs}")
    note = post_form(client, f"/brand/tickets/{theirs}/reply", {"body": "peek"})

    assert page.status_code == 404
    assert "ticket not found" in page.text
    assert note.status_code == 404
    assert [m for m in session.scalars(select(Message)) if m.body == "peek"] == []


def test_programs_are_listed_and_a_new_one_opens_from_the_form(
    client: TestClient, session: Session
) -> None:
    staff_market(client, session, experts=0)
    listing = client.get("/brand/programs")
    blank = client.get("/brand/programs/new")

    created = post_form(
        client,
        "/brand/programs/new",
        {
            "name": "Returns desk",
            "slug": "returns",
            "currency": "eur",
            "languages": "en",
            "channels": "email",
            "is_open": "true",
            "first_response_minutes": "10",
            "resolution_hours": "1.5",
            "max_offers": "3",
            "max_wait_minutes": "20",
            "aging_minutes": "5",
            "offers_at_once": "2",
            "offer_ttl_seconds": "90",
            "inhouse_cost_per_contact": "6.40",
            "weight-skill": "0.2",
            "weight-language": "0.2",
            "weight-quality": "0.2",
            "weight-idle": "0.2",
            "weight-load": "0.2",
            "cat-0-key": "returns",
            "cat-0-name": "Returns",
            "cat-0-route": "gig",
            "cat-0-level": "1",
            "rate-0-low": "1.00",
            "rate-0-medium": "2.00",
            "rate-0-high": "3.00",
        },
    )

    assert listing.status_code == 200 and "Customer care" in listing.text
    assert blank.status_code == 200 and "Open the program" in blank.text
    assert created.status_code == 303
    program = session.scalars(select(Program).where(Program.slug == "returns")).one()
    assert created.headers["location"] == f"/brand/programs/{program.id}?saved=1"
    assert (program.currency, program.channels, program.resolution_seconds) == (
        "EUR",
        ["email"],
        5400,
    )
    assert (program.offers_at_once, program.inhouse_cost_per_contact) == (2, Decimal("6.40"))
    assert program.aging_seconds == 300
    assert rate_card(program) == [
        ("returns", "high", Decimal("3.00")),
        ("returns", "low", Decimal("1.00")),
        ("returns", "medium", Decimal("2.00")),
    ]
    edit = client.get(created.headers["location"])
    assert edit.status_code == 200 and "Saved." in edit.text
    assert 'value="1.5"' in edit.text


def test_the_program_form_shows_the_saved_rules_and_keeps_an_in_house_cost(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)

    page = client.get(f"/brand/programs/{market.program_id}")
    saved = post_program(
        client, market, **{"inhouse_cost_per_contact": "4.50", "rate-0-low": "2.25"}
    )

    assert page.status_code == 200
    inputs = {n: v for n, v in program_form().items() if "route" not in n and "level" not in n}
    del inputs["is_open"], inputs["description"]
    assert {name: value_of(page.text, name) for name in inputs} == inputs
    assert '<option value="inhouse" selected>In-house team only</option>' in page.text
    assert saved.status_code == 303
    program = program_of(session, market)
    assert program.inhouse_cost_per_contact == Decimal("4.50")
    assert (program.languages, program.first_response_seconds) == (["en", "de"], 900)
    assert rate_card(program) == [
        ("billing", "high", Decimal("6.00")),
        ("billing", "low", Decimal("2.25")),
        ("billing", "medium", Decimal("3.50")),
    ]


def test_a_repeated_category_key_is_refused_next_to_the_second_row(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)

    response = post_program(client, market, **{"cat-1-key": "billing"})

    assert response.status_code == 400
    assert error_of(response.text, "cat-1-key") == (
        "This key is used above; give each a unique key."
    )
    assert [c.key for c in program_of(session, market).categories] == ["billing", "legal"]


def test_a_negative_rate_is_refused_next_to_its_field_and_nothing_changes(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    before = rate_card(program_of(session, market))

    response = post_program(client, market, **{"rate-0-low": "-1", "name": "Renamed"})

    assert response.status_code == 400
    assert error_of(response.text, "rate-0-low") == "Enter 0 or more."
    assert (value_of(response.text, "rate-0-low"), value_of(response.text, "name")) == (
        "-1",
        "Renamed",
    )
    program = program_of(session, market)
    assert (program.name, rate_card(program)) == ("Customer care", before)


def test_a_missing_rate_for_a_gig_category_is_refused_next_to_its_field(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    before = rate_card(program_of(session, market))

    response = post_program(
        client, market, **{"rate-0-medium": "", "inhouse_cost_per_contact": "9.99"}
    )

    assert response.status_code == 400
    assert error_of(response.text, "rate-0-medium") == (
        "category 'billing' goes to experts but has no rate for complexity medium; "
        "add a rate for each of low, medium and high"
    )
    program = program_of(session, market)
    assert (rate_card(program), program.inhouse_cost_per_contact) == (before, None)


def test_an_unknown_language_is_refused_next_to_the_languages_field(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)

    response = post_program(client, market, languages="en, english")

    assert response.status_code == 400
    assert error_of(response.text, "languages") == (
        "'english' is not a language code; use ISO 639-1 such as 'en' or 'pt-br'."
    )
    assert program_of(session, market).languages == ["en", "de"]


def test_brand_staff_approve_and_decline_applicants_and_see_the_roster(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=1)
    applications = []
    for name in ("Ana Applicant", "Bo Applicant"):
        _, email = sign_up_expert(client, display_name=name)
        applied = client.post(
            f"/api/v1/programs/{market.program_id}/enrollments", headers=sign_in(client, email)
        )
        applications.append(applied.json()["id"])

    page = client.get("/brand/experts")
    approved = post_form(client, f"/brand/experts/enrollments/{applications[0]}/approve")
    declined = post_form(
        client,
        f"/brand/experts/enrollments/{applications[1]}/decline",
        {"reason": "We need German speakers"},
    )

    assert page.status_code == 200
    assert "Approve Ana Applicant for Customer care" in page.text
    assert (approved.status_code, declined.status_code) == (303, 303)
    session.expire_all()
    statuses = [session.get_one(Enrollment, uuid.UUID(i)).status for i in applications]
    assert statuses == [EnrollmentStatus.ACTIVE, EnrollmentStatus.REMOVED]
    roster = client.get("/brand/experts")
    assert "Ana Applicant" in roster.text and "Bo Applicant" not in roster.text
    assert "No applications are waiting." in roster.text


def test_an_api_key_is_shown_once_works_and_can_be_revoked(
    client: TestClient, session: Session
) -> None:
    staff_market(client, session, experts=0)

    created = post_form(client, "/brand/api-keys", {"name": "helpdesk sync", "scope": "read"})
    found = re.search(
        r'id="new-key" class="key" type="text" readonly value="(gcx_[^"]+)"', created.text
    )
    assert created.status_code == 201 and found is not None
    key = found.group(1)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/programs", headers=headers).status_code == 200
    listing = client.get("/brand/api-keys")
    assert (
        listing.status_code == 200 and key not in listing.text and "helpdesk sync" in listing.text
    )
    stored = session.scalars(select(ApiKey).where(ApiKey.name == "helpdesk sync")).one()

    asked = post_form(client, f"/brand/api-keys/{stored.id}/revoke")
    revoked = post_form(client, f"/brand/api-keys/{stored.id}/revoke", {"confirm": "yes"})

    assert asked.status_code == 200
    assert revoked.status_code == 303
    assert client.get("/api/v1/programs", headers=headers).status_code == 401


def test_an_in_house_agent_reads_programs_but_cannot_change_them_or_keys(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    auth_service.create_user(
        session,
        email="agent@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    web_sign_in(client, "agent@example.com")

    page = client.get(f"/brand/programs/{market.program_id}")
    change = post_program(client, market, name="Agent's program")
    keys = client.get("/brand/api-keys")

    assert page.status_code == 200 and "Only the brand's admins can change programs" in page.text
    assert change.status_code == 403
    assert keys.status_code == 403
    assert program_of(session, market).name == "Customer care"
