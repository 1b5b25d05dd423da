"""Experts enter a payout method over the API; payout runs hold those without one."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.kit import clock
from gigcx.payments.models import PayoutLine, PayoutMethod
from tests.api.helpers import build_marketplace
from tests.api.test_pay import work_ticket
from tests.factories.tickets import run_jobs

METHOD = "/api/v1/experts/me/payout-method"
IBAN = "de89 3704 0044 0532 0130 00"
FULL_IBAN = "DE89370400440532013000"


def test_an_expert_enters_a_payout_method_and_reads_the_iban_masked(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]

    before = client.get(METHOD, headers=expert)
    bank = client.put(
        METHOD,
        json={"kind": "bank_transfer", "account_holder": " Ana  Example ", "iban": IBAN},
        headers=expert,
    )
    read = client.get(METHOD, headers=expert)
    paypal = client.put(
        METHOD, json={"kind": "paypal", "paypal_email": "ana@example.com"}, headers=expert
    )

    assert before.status_code == 404
    assert "PUT /api/v1/experts/me/payout-method" in before.json()["detail"]
    assert bank.status_code == 200, bank.text
    assert read.json() == bank.json()
    assert {k: v for k, v in bank.json().items() if k != "updated_at"} == {
        "kind": "bank_transfer",
        "account_holder": "Ana Example",
        "iban_last4": "3000",
        "paypal_email": "",
        "summary": "Bank transfer, IBAN \N{BULLET}\N{BULLET}\N{BULLET}\N{BULLET}3000 (Ana Example)",
    }
    assert FULL_IBAN not in bank.text
    assert paypal.json()["summary"] == "PayPal ana@example.com"
    stored = session.scalars(select(PayoutMethod)).all()
    assert [(m.kind, m.iban, m.paypal_email) for m in stored] == [("paypal", "", "ana@example.com")]


def test_a_bad_payout_method_is_refused_with_what_to_fix(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]

    bad_checksum = client.put(
        METHOD,
        json={"kind": "bank_transfer", "account_holder": "Ana", "iban": "DE88370400440532013000"},
        headers=expert,
    )
    no_holder = client.put(METHOD, json={"kind": "bank_transfer", "iban": IBAN}, headers=expert)
    bad_email = client.put(METHOD, json={"kind": "paypal", "paypal_email": "ana@"}, headers=expert)
    unknown_kind = client.put(METHOD, json={"kind": "cash"}, headers=expert)
    not_an_expert = client.put(
        METHOD, json={"kind": "paypal", "paypal_email": "a@example.com"}, headers=market.brand_admin
    )

    assert [
        r.status_code for r in (bad_checksum, no_holder, bad_email, unknown_kind, not_an_expert)
    ] == [400, 400, 400, 422, 403]
    assert bad_checksum.json()["detail"].startswith("iban: This IBAN is not valid")
    assert no_holder.json()["detail"].startswith("account_holder: Enter the account holder")
    assert bad_email.json()["detail"].startswith("paypal_email: This is not an email address")
    assert session.scalar(select(func.count()).select_from(PayoutMethod)) == 0


def test_settle_now_holds_an_expert_without_a_method_then_pays_them_once(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = build_marketplace(client, session, experts=1)
    with clock.shifted(-timedelta(days=8)):
        work_ticket(client, market)
        run_jobs(factory)

    held = client.post("/api/v1/payouts/settle-now", headers=market.brand_admin)
    schedule = client.get("/api/v1/payouts/schedule", headers=market.brand_admin)
    client.put(
        METHOD,
        json={"kind": "paypal", "paypal_email": "ana@example.com"},
        headers=market.experts[0],
    )
    paid = client.post("/api/v1/payouts/settle-now", headers=market.brand_admin)
    again = client.post("/api/v1/payouts/settle-now", headers=market.brand_admin)
    by_expert = client.post("/api/v1/payouts/settle-now", headers=market.experts[0])

    assert (held.json()["payouts"], held.json()["held"]) == (0, 1)
    last = schedule.json()["last_run"]
    assert (last["trigger"], last["payouts"], last["held"]) == ("manual", 0, 1)
    assert (paid.json()["payouts"], paid.json()["totals"], paid.json()["held"]) == (
        1,
        {"EUR": "3.50"},
        0,
    )
    assert (again.json()["payouts"], again.json()["lines"]) == (0, 0)
    assert by_expert.status_code == 403
    assert session.scalar(select(func.count()).select_from(PayoutLine)) == 1
