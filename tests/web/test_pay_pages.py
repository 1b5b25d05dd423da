import uuid
from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.brands.models import Brand, Program
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.enums import EarningKind
from gigcx.payments.models import BonusRule, Earning, Surge
from gigcx.tickets.models import Assignment
from tests.api.helpers import Marketplace, build_marketplace, ticket_body
from tests.factories.brands import brand_admin
from tests.factories.payments import add_payout_method, make_earning
from tests.factories.tickets import make_ticket, run_jobs
from tests.web.helpers import post_form, web_sign_in
from tests.web.test_brand_console import error_of, post_program, program_of, value_of


def staff(client: TestClient, session: Session) -> Marketplace:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.brand_admin_email)
    return market


def special_lines(program: Program) -> list[tuple[str, str, str | None, str | None, Decimal]]:
    return sorted(
        (r.category_key, str(r.complexity), r.language, r.time_band, r.amount)
        for r in program.rates
        if r.language is not None or r.time_band is not None
    )


def test_the_program_pay_page_saves_fees_floor_and_rate_lines(
    client: TestClient, session: Session
) -> None:
    market = staff(client, session)
    path = f"/brand/programs/{market.program_id}/pay"

    page = client.get(path)
    settings = post_form(
        client,
        f"{path}/settings",
        {
            "timezone": "Europe/Berlin",
            "onboarding_fee": "15.00",
            "review_fee": "3.00",
            "escalation_share": "0.6",
            "hourly_floor": "18.00",
        },
    )
    rates = post_form(
        client,
        f"{path}/rates",
        {
            "rate-0-category_key": "billing",
            "rate-0-complexity": "medium",
            "rate-0-language": "de",
            "rate-0-time_band": "",
            "rate-0-amount": "4.25",
            "rate-1-category_key": "billing",
            "rate-1-complexity": "high",
            "rate-1-language": "",
            "rate-1-time_band": "night",
            "rate-1-amount": "8.00",
            "rate-2-category_key": "billing",
            "rate-2-complexity": "low",
            "rate-2-language": "",
            "rate-2-time_band": "",
            "rate-2-amount": "",
        },
    )

    assert page.status_code == 200
    assert "The most specific matching line wins" in page.text
    assert (settings.status_code, rates.status_code) == (303, 303)
    program = program_of(session, market)
    assert (
        program.timezone,
        program.onboarding_fee,
        program.review_fee,
        program.escalation_share,
        program.hourly_floor,
    ) == ("Europe/Berlin", Decimal("15.00"), Decimal("3.00"), Decimal("0.6000"), Decimal("18.00"))
    assert special_lines(program) == [
        ("billing", "high", None, "night", Decimal("8.00")),
        ("billing", "medium", "de", None, Decimal("4.25")),
    ]
    assert value_of(client.get(path).text, "rate-0-amount") == "8.00"
    # The program's rules form does not show these lines and keeps them when saved.
    assert post_program(client, market, name="Care").status_code == 303
    assert len(special_lines(program_of(session, market))) == 2


def test_bad_pay_settings_are_refused_next_to_their_field(
    client: TestClient, session: Session
) -> None:
    market = staff(client, session)
    path = f"/brand/programs/{market.program_id}/pay"

    response = post_form(
        client,
        f"{path}/settings",
        {
            "timezone": "Mars/Olympus",
            "onboarding_fee": "15.00",
            "review_fee": "3.00",
            "escalation_share": "1.5",
            "hourly_floor": "",
        },
    )
    lines = post_form(
        client,
        f"{path}/rates",
        {
            "rate-0-category_key": "billing",
            "rate-0-complexity": "low",
            "rate-0-language": "",
            "rate-0-time_band": "",
            "rate-0-amount": "-2",
        },
    )

    assert response.status_code == 400
    assert "is not an IANA time zone" in error_of(response.text, "timezone")
    assert error_of(response.text, "escalation_share") == "Enter 1 or less."
    assert lines.status_code == 400
    assert "Enter 0 or more." in lines.text
    assert "greater than or equal" not in lines.text
    program = program_of(session, market)
    assert (program.timezone, program.escalation_share, special_lines(program)) == (
        "UTC",
        Decimal("0.5000"),
        [],
    )


def test_bonus_rules_are_published_and_retired_from_the_pay_page(
    client: TestClient, session: Session
) -> None:
    market = staff(client, session)
    path = f"/brand/programs/{market.program_id}/pay"

    refused = post_form(
        client,
        f"{path}/bonus-rules",
        {"bonus-name": "Top", "bonus-amount": "", "bonus-min_tasks": "5"},
    )
    published = post_form(
        client,
        f"{path}/bonus-rules",
        {
            "bonus-name": "Top week",
            "bonus-min_tasks": "5",
            "bonus-min_csat": "4.5",
            "bonus-amount": "20",
        },
    )
    page = client.get(path)
    rule = session.scalars(select(BonusRule)).one()
    retired = post_form(
        client, f"/brand/bonus-rules/{rule.id}/retire", {"program_id": market.program_id}
    )

    assert refused.status_code == 400
    assert error_of(refused.text, "bonus-amount")
    assert published.status_code == 303
    assert "5+ paid tasks and average CSAT 4.50+ in a week pays 20.00 EUR" in page.text
    assert retired.status_code == 303
    session.refresh(rule)
    assert rule.is_active is False


def test_brand_marks_an_expert_escalation_legitimate_on_the_ticket_page(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = staff(client, session)
    expert = market.experts[0]
    ticket_id = client.post(
        "/api/v1/tickets", json=ticket_body(market), headers=market.api_key
    ).json()["id"]
    offer = client.get("/api/v1/offers", headers=expert).json()[0]
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    client.post(
        f"/api/v1/tickets/{ticket_id}/escalate", json={"reason": "over my limit"}, headers=expert
    )

    before = client.get(f"/brand/tickets/{ticket_id}")
    marked = post_form(client, f"/brand/tickets/{ticket_id}/legitimate")
    after = client.get(f"/brand/tickets/{ticket_id}")
    again = post_form(client, f"/brand/tickets/{ticket_id}/legitimate")
    run_jobs(factory)

    assert "Mark escalation legitimate" in before.text
    assert marked.status_code == 303
    assert "Marked legitimate: the expert is paid 50% of the task" in after.text
    assert again.status_code == 409
    earnings = session.scalars(select(Earning).where(Earning.kind == EarningKind.ESCALATION))
    assert [e.amount for e in earnings] == [Decimal("1.75")]


def test_payouts_surges_and_statements_on_expert_and_brand_pages(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1, hourly_floor="50.00")
    expert = session.get_one(Expert, uuid.UUID(market.expert_ids[0]))
    program = program_of(session, market)
    last_week = payments_service.last_finished_week()
    make_earning(session, expert, program, "7.25", at=last_week.start + timedelta(hours=3))
    add_payout_method(session, expert)
    payments_service.run_payouts(session, week=last_week.label)
    now = clock.now()
    session.add(
        Surge(
            brand_id=program.brand_id,
            program_id=program.id,
            language="en",
            multiplier=Decimal("1.25"),
            waiting=6,
            capacity=3,
            announced_at=now,
            starts_at=now + timedelta(minutes=10),
            ends_at=now + timedelta(minutes=70),
        )
    )
    ticket = make_ticket(session, program, route=False)
    session.add(
        Assignment(
            ticket_id=ticket.id,
            expert_id=expert.id,
            channel="chat",
            started_at=now - timedelta(hours=2),
            ended_at=now - timedelta(hours=1),
        )
    )
    make_earning(session, expert, program, "10.00", at=now - timedelta(hours=1))
    session.commit()
    admin = brand_admin(session.get_one(Brand, uuid.UUID(market.brand_id)))
    payout = payments_service.list_payouts(session, admin)[0]

    web_sign_in(client, market.expert_emails[0])
    dashboard = client.get("/expert")
    earnings = client.get("/expert/earnings")
    csv = client.get(f"/statements/{payout.id}.csv")
    pdf = client.get(f"/statements/{payout.id}.pdf")
    web_sign_in(client, market.brand_admin_email)
    brand_pay = client.get(f"/brand/pay?week={last_week.label}")
    brand_dashboard = client.get("/brand")

    assert "\N{MULTIPLICATION SIGN}1.25" in dashboard.text
    assert "starts soon" in dashboard.text
    assert f"<td>{last_week.label}</td>" in earnings.text
    assert "7.25 EUR" in earnings.text
    assert (
        f'<tr><td>{program.name}</td><td class="num">1.00</td><td class="num">10.00 EUR</td>'
    ) in earnings.text
    assert csv.text.splitlines()[-1] == ",total,,1 lines,,7.25,EUR"
    assert pdf.content.startswith(b"%PDF-")
    assert f"/statements/{payout.id}.pdf" in brand_pay.text
    assert "\N{MULTIPLICATION SIGN}1.25" in brand_pay.text
    assert (
        "the median expert earned 10.00 EUR per hour worked over the last 7 days, "
        "below your floor of 50.00"
    ) in brand_dashboard.text
