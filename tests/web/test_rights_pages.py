"""The expert's transparency, decisions and tax profile pages; the brand's review queue and
tax report."""

import html
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import DEFAULT_ROUTING_WEIGHTS, Program
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.payments import service as payments_service
from gigcx.payments.models import Payout, TaxProfile
from gigcx.quality import formulas
from gigcx.quality import service as quality_service
from gigcx.routing import scoring
from tests.api.helpers import build_marketplace, sign_up_expert
from tests.web.helpers import post_form, web_sign_in
from tests.web.test_brand_console import error_of, program_of

TAX = "/expert/earnings/tax-profile"


def weights_shown(page: str) -> dict[str, dict[str, float]]:
    table = page[page.index('id="routing-weights"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<tr data-program="([^"]+)">(.*?)</tr>', table, re.S)
    return {
        program: {
            term: float(value)
            for term, value in re.findall(r'<td data-term="([a-z]+)">([^<]*)</td>', cells)
        }
        for program, cells in rows
    }


def test_the_transparency_page_shows_the_weights_routing_uses(
    client: TestClient, session: Session
) -> None:
    weights = {"skill": 0.4, "language": 0.1, "quality": 0.2, "idle": 0.2, "load": 0.1}
    market = build_marketplace(client, session, experts=1, routing_weights=weights)
    program = program_of(session, market)
    web_sign_in(client, market.expert_emails[0])

    page = client.get("/expert/transparency")

    shown = weights_shown(page.text)
    assert page.status_code == 200
    assert shown[str(program.id)] == {t: float(program.routing_weights[t]) for t in scoring.TERMS}
    assert shown["default"] == {t: float(DEFAULT_ROUTING_WEIGHTS[t]) for t in scoring.TERMS}
    assert str(escape(payments_service.SURGE_RULE)) in page.text
    assert str(escape(formulas.FORMULA)) in page.text
    assert f"removal warning with {formulas.WARNING_DAYS} days to improve" in page.text
    assert "No automated system pauses or removes you." in page.text
    assert page.text.count('href="/expert/decisions?subject=') == 6
    assert 'href="/expert/transparency"' in page.text  # in the expert's navigation


def test_the_expert_sees_who_paused_them_and_why_and_asks_for_a_review(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    enrollment = session.scalars(
        select(Enrollment).where(Enrollment.expert_id == uuid.UUID(market.expert_ids[0]))
    ).one()
    paused = client.patch(
        f"/api/v1/enrollments/{enrollment.id}",
        json={"status": "paused", "reason": "Three chats left without a <reply>"},
        headers=market.brand_admin,
    )
    web_sign_in(client, market.expert_emails[0])
    decision_id = client.get("/api/v1/enrollment-decisions", headers=market.experts[0]).json()[0][
        "id"
    ]

    page = client.get("/expert/decisions")
    asked = post_form(
        client,
        "/expert/decisions/reviews",
        {
            "enrollment_id": str(enrollment.id),
            "subject": "decision",
            "decision_id": decision_id,
            "request": "I was offline with a power cut; see my message.",
        },
    )
    too_short = post_form(
        client,
        "/expert/decisions/reviews",
        {"enrollment_id": str(enrollment.id), "subject": "tier", "request": "why"},
    )
    after = client.get("/expert/decisions")

    assert paused.status_code == 200
    assert "Reason: <q>Three chats left without a &lt;reply&gt;</q>" in page.text
    assert (asked.status_code, asked.headers["location"]) == (303, "/expert/decisions")
    assert too_short.status_code == 400
    assert "I was offline with a power cut; see my message." in after.text
    assert "(open, due " in after.text


def test_the_brand_decides_a_case_on_its_queue_page(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    enrollment = session.scalars(
        select(Enrollment).where(Enrollment.expert_id == uuid.UUID(market.expert_ids[0]))
    ).one()
    case = quality_service.propose_restriction(
        session,
        enrollment,
        EnrollmentStatus.REMOVED,
        raised_by="quality.review_tiers",
        grounds="Quality score 15.00 is still below 40",
    )
    session.commit()
    web_sign_in(client, market.brand_admin_email)

    queue = client.get("/brand/human-reviews")
    no_reason = post_form(client, f"/brand/human-reviews/{case.id}/decide", {"outcome": "applied"})
    decided = post_form(
        client,
        f"/brand/human-reviews/{case.id}/decide",
        {"outcome": "dismissed", "reason": "Scores came from a broken survey"},
    )
    session.expire_all()

    assert "Quality score 15.00 is still below 40" in queue.text
    assert 'href="/brand/human-reviews"' in queue.text
    assert no_reason.status_code == 400
    assert decided.status_code == 303
    assert session.get_one(Enrollment, enrollment.id).status == EnrollmentStatus.ACTIVE


def test_declining_an_applicant_takes_a_reason(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=0)
    _, email = sign_up_expert(client)
    from tests.api.helpers import sign_in

    applied = client.post(
        f"/api/v1/programs/{market.program_id}/enrollments", headers=sign_in(client, email)
    ).json()["id"]
    web_sign_in(client, market.brand_admin_email)

    page = client.get("/brand/experts")
    without = post_form(client, f"/brand/experts/enrollments/{applied}/decline")
    declined = post_form(
        client, f"/brand/experts/enrollments/{applied}/decline", {"reason": "Needs German"}
    )

    assert f'id="decline-reason-{applied}"' in page.text
    assert without.status_code == 400
    assert declined.status_code == 303


def tax_form(**changes: str) -> dict[str, str]:
    return {
        "form": "w9",
        "legal_name": "Ana Example",
        "tax_classification": "individual",
        "street": "1 Main St",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
        "tin_type": "ssn",
        "tax_id": "123-45-6789",
        "signature_name": "Ana Example",
        "certify": "yes",
    } | changes


def test_the_expert_fills_in_a_tax_profile_and_sees_only_the_last_four(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.expert_emails[0])

    empty = client.get(TAX)
    bad = post_form(client, TAX, tax_form(tax_id="666-12-3456"))
    good = post_form(client, TAX, tax_form())
    page = client.get(TAX)
    earnings = client.get("/expert/earnings")
    api = client.get("/api/v1/experts/me/tax-profile", headers=market.experts[0])
    staff_view = client.get(
        f"/api/v1/experts/{market.expert_ids[0]}/tax-profile", headers=market.brand_admin
    )

    assert "You have no tax profile yet" in empty.text
    assert bad.status_code == 400
    assert error_of(bad.text, "tax_id").startswith("This is not an SSN")
    assert (good.status_code, good.headers["location"]) == (303, f"{TAX}?saved=1")
    assert html.unescape(re.search(r'id="tin-masked">([^<]*)<', page.text)[1]) == (  # type: ignore[index]
        "SSN \N{BULLET}\N{BULLET}\N{BULLET}\N{BULLET}6789"
    )
    assert f'href="{TAX}"' in earnings.text
    for text in (page.text, api.text, staff_view.text):
        assert "123-45-6789" not in text
        assert "123456789" not in text
    assert (api.json()["tin_last4"], staff_view.json()["tin_last4"]) == ("6789", "6789")
    assert session.scalars(select(TaxProfile)).one().tax_id == "123-45-6789"
    assert session.scalars(select(TaxProfile.tax_id)).one().startswith("v1:")  # sealed at rest


def test_the_brand_reads_its_yearly_report_with_missing_profiles(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=2)
    ana, bo = (session.get_one(Expert, uuid.UUID(i)) for i in market.expert_ids)
    for expert, amount, currency in ((ana, "2400.00", "USD"), (bo, "800.00", "EUR")):
        session.add(
            Payout(
                week="2026-W10",
                expert_id=expert.id,
                brand_id=uuid.UUID(market.brand_id),
                currency=currency,
                cutoff=datetime(2026, 3, 9, tzinfo=UTC),
                total=Decimal(amount),
                line_count=3,
                created_at=datetime(2026, 3, 9, tzinfo=UTC),
            )
        )
    session.commit()
    web_sign_in(client, market.brand_admin_email)

    page = client.get("/brand/pay/tax-report?year=2026")
    csv = client.get("/brand/pay/tax-report.csv?year=2026")
    bad_year = client.get("/brand/pay/tax-report?year=20x6")
    api = client.get("/api/v1/tax/report?year=2026", headers=market.brand_admin)
    by_expert = client.get("/api/v1/tax/report?year=2026", headers=market.experts[0])

    assert page.status_code == 200
    assert page.text.count('class="tax-line"') == 1
    assert ana.display_name in page.text and bo.display_name not in page.text
    assert "USD 2,000.00" in page.text
    assert 'id="missing-profiles">1 of them' in page.text
    assert "EUR 800.00" in page.text
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1].endswith(",USD,2400.00,1,2000.00,yes,yes")
    assert bad_year.status_code == 400
    assert (api.json()["missing_profiles"], api.json()["other_currencies"]) == (
        1,
        {"EUR": "800.00"},
    )
    assert by_expert.status_code == 403
    assert session.scalar(select(Program.id).where(Program.id == uuid.UUID(market.program_id)))
