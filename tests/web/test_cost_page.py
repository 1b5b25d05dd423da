"""The cost-planning page: the baseline form, its plain refusals, the plan and who sees it."""

import json
import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.planning.cost_models import CostBaseline
from tests.web.helpers import post_form
from tests.web.test_brand_console import staff_market

PATH = "/brand/planning/cost"


def baseline_form(program_id: str, **changes: str) -> dict[str, str]:
    values = {
        "program_id": program_id,
        "hourly_cost": "30.00",
        "utilisation": "85",
        "shrinkage": "30",
        "aht_seconds": "180",
        "service_level_target": "80",
        "answer_within_seconds": "20",
        "hours_open_per_month": "200",
        "gig_share": "50",
        "volume.billing": "40000",
        "aht.billing": "",
        "volume.legal": "1000",
        "aht.legal": "600",
    }
    values.update(changes)
    return values


def baselines(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(CostBaseline)) or 0)


def test_a_brand_admin_enters_the_baseline_and_sees_costs_chart_and_proposals(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)

    empty = client.get(PATH)
    saved = post_form(client, PATH, baseline_form(market.program_id))
    page = client.get(saved.headers["location"])

    assert empty.status_code == 200
    assert "Enter the in-house team" in empty.text
    assert saved.status_code == 303
    assert page.status_code == 200
    assert "Saved." in page.text
    # billing: 14 agents, 20 scheduled, 120,000.00 a month, 3.00 a contact in house; no history,
    # so the card's three lines count alike: (2.00 + 3.50 + 6.00) / 3 = 3.83 in the crowd.
    # Blended 50 %: 20,000 x 3.8333 = 76,666.67 in the crowd + 20,000 in house (8 agents, 12
    # scheduled x 200 h x 30.00 = 72,000.00) = 148,666.67, or 3.72 a contact.
    row = re.search(r'<th scope="row">Billing</th>(.*?)</tr>', page.text, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    assert [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells] == [
        "40,000 entered",
        "180 s",
        "14 (20)",
        "88.8%",
        "3.00",
        "3.83",
        "3.72",
        "120,000.00",
        "153,333.33",
        "148,666.67",
    ]
    charts = json.loads(
        re.search(r'id="cost-chart-data">(.*?)</script>', page.text, re.S).group(1)  # type: ignore[union-attr]
    )
    assert charts["labels"] == ["Billing", "Legal"]
    assert charts["inhouse"][0] == 3.0
    assert charts["gig"] == [3.83, None]
    assert "Billing: score" in page.text
    assert "Legal: the program keeps this category in house." in page.text
    assert "<script>" not in page.text
    assert baselines(session) == 1


def test_bad_figures_show_the_form_again_with_plain_messages_and_store_nothing(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=0)
    cases = {
        "hourly_cost": ("-5", "Enter a number above 0 and at most 10000."),
        "utilisation": ("120", "Enter a number above 0 and at most 100."),
        "shrinkage": ("95", "Enter a number at least 0 and below 95."),
        "aht_seconds": ("1e9", "Enter a whole number at least 1 and at most 28800."),
        "hours_open_per_month": ("9" * 400, "Enter a whole number at least 1 and at most 744."),
        "service_level_target": ("NaN", "Enter a number above 0 and below 100."),
        "volume.billing": ("12.5", "Enter a whole number at least 0 and at most 10000000."),
    }

    for name, (value, message) in cases.items():
        response = post_form(client, PATH, baseline_form(market.program_id, **{name: value}))

        assert response.status_code == 400, name
        assert message in response.text, name
        assert f'value="{value}"' in response.text, name
    missing = post_form(client, PATH, baseline_form(market.program_id, hourly_cost=""))
    nul = post_form(client, PATH, baseline_form(market.program_id, hourly_cost="3\x000"))

    assert missing.status_code == 400
    assert "Fill in the loaded hourly cost." in missing.text
    assert nul.status_code == 400
    assert "NUL" in nul.text
    assert baselines(session) == 0


def test_other_brands_cannot_see_or_change_the_plan(client: TestClient, session: Session) -> None:
    theirs = staff_market(client, session, experts=0)
    post_form(client, PATH, baseline_form(theirs.program_id))
    ours = staff_market(client, session, experts=0)

    look = client.get(PATH, params={"program_id": theirs.program_id})
    change = post_form(client, PATH, baseline_form(theirs.program_id, hourly_cost="1.00"))
    nonsense = client.get(PATH, params={"program_id": "not-an-id"})
    unknown = client.get(PATH, params={"program_id": str(uuid.uuid4())})

    assert look.status_code == 404
    assert change.status_code == 404
    assert nonsense.status_code == 400
    assert unknown.status_code == 404
    assert ours.program_id not in look.text
    session.expire_all()
    stored = session.scalars(select(CostBaseline)).all()
    assert [str(b.hourly_cost) for b in stored] == ["30.00"]
