"""Payout methods, the payout schedule and "Settle now" on the expert and brand pages."""

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments import tasks as payments_tasks
from gigcx.payments.models import Payout, PayoutLine, PayoutMethod, PayoutRunRecord
from tests.api.helpers import build_marketplace
from tests.factories.payments import add_payout_method, make_earning
from tests.web.helpers import post_form, web_sign_in
from tests.web.test_brand_console import error_of, program_of

FORM = "/expert/earnings/payout-method"
BULLETS = "\N{BULLET}" * 4


def test_an_expert_enters_a_payout_method_on_the_earnings_pages_and_sees_it_masked(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.expert_emails[0])

    missing = client.get("/expert/earnings")
    bad = post_form(
        client,
        FORM,
        {"kind": "bank_transfer", "account_holder": "Ana Example", "iban": "DE00 1234 5678"},
    )
    stored_after_bad = session.scalar(select(func.count()).select_from(PayoutMethod))
    good = post_form(
        client,
        FORM,
        {
            "kind": "bank_transfer",
            "account_holder": "Ana Example",
            "iban": "DE89370400440532013000",
        },
    )
    form_page = client.get(FORM)
    earnings = client.get("/expert/earnings")

    assert 'id="payout-method-missing"' in missing.text
    assert bad.status_code == 400
    assert error_of(bad.text, "iban").startswith("This IBAN is not valid")
    assert stored_after_bad == 0
    assert (good.status_code, good.headers["location"]) == (303, f"{FORM}?saved=1")
    summary = f"Bank transfer, IBAN {BULLETS}3000 (Ana Example)"
    assert f'<p id="payout-method-summary">{summary}</p>' in form_page.text
    assert f'<span id="payout-method-summary">{summary}</span>' in earnings.text
    for page in (form_page.text, earnings.text):
        assert "370400440532013000" not in page
    assert str(escape(payments_service.ACTIVE_TIME_RULE)) in earnings.text


def test_the_brand_sees_the_schedule_and_settles_now_once_holding_experts_without_a_method(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=2)
    program = program_of(session, market)
    ana, bo = (session.get_one(Expert, uuid.UUID(i)) for i in market.expert_ids)
    last_week = payments_service.last_finished_week()
    make_earning(session, ana, program, "7.25", at=last_week.start + timedelta(hours=3))
    make_earning(session, bo, program, "4.00", at=last_week.start + timedelta(hours=4))
    add_payout_method(session, ana)
    payments_tasks.schedule_weekly_payouts(session)
    session.commit()
    next_run = payments_service.week_of(clock.now()).end
    web_sign_in(client, market.brand_admin_email)

    before = client.get("/brand/pay")
    forged = client.post("/brand/pay/settle-now", data={"csrf_token": "forged"})
    paid_after_forged = session.scalar(select(func.count()).select_from(Payout))
    first = post_form(client, "/brand/pay/settle-now")
    second = post_form(client, "/brand/pay/settle-now")
    after = client.get("/brand/pay?settled=1")
    web_sign_in(client, market.expert_emails[1])
    held_expert = client.get("/expert/earnings")

    assert "Settle now</button>" in before.text
    assert f"{next_run:%A %Y-%m-%d} 00:30 UTC, settling week" in before.text
    assert '<dd id="last-run">No payout run yet.</dd>' in before.text
    assert (forged.status_code, paid_after_forged) == (403, 0)
    assert (first.status_code, second.status_code) == (303, 303)
    assert session.scalar(select(func.count()).select_from(Payout)) == 1
    assert session.scalar(select(func.count()).select_from(PayoutLine)) == 1
    runs = session.scalars(select(PayoutRunRecord).order_by(PayoutRunRecord.created_at))
    assert [(r.trigger, r.payouts, r.totals, r.held) for r in runs] == [
        ("manual", 1, {"EUR": "7.25"}, 1),
        ("manual", 0, {}, 1),
    ]
    assert (
        f"week {last_week.label}, settled by hand: 0 payouts; "
        "1 expert was held without a payout method."
    ) in after.text
    assert f"<li>{bo.display_name}: 4.00 EUR</li>" in after.text
    assert "(4.00 EUR waiting)" in held_expert.text


def test_the_program_pay_page_says_how_hours_are_counted(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.brand_admin_email)

    page = client.get(f"/brand/programs/{market.program_id}/pay")

    assert str(escape(payments_service.ACTIVE_TIME_RULE)) in page.text
