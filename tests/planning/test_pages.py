"""The console's planning page and the forecast API, on a program with nine days of tickets."""

import json
import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.planning import service as planning_service
from gigcx.planning.series import program_arrivals, total_of
from tests.api.helpers import build_marketplace, sign_in, sign_up_expert
from tests.planning.helpers import DAY, HOUR, NOW, THIS_HOUR, planned_market
from tests.web.helpers import post_form, web_sign_in


def charts_of(page: str) -> Any:
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page)
    assert found is not None
    return json.loads(found.group(1))


def test_the_planning_page_shows_the_last_four_weeks_the_forecast_and_the_backtest(
    client: TestClient, session: Session
) -> None:
    with clock.travel_to(NOW):
        market, program = planned_market(client, session)
        web_sign_in(client, market.brand_admin_email)
        before = client.get("/brand/planning")
        planning_service.refresh_program(session, program.id)
        session.commit()
        page = client.get("/brand/planning")
        german = client.get(
            "/brand/planning", params={"program_id": str(program.id), "language": "de"}
        )
        history = program_arrivals(session, program.id, since=NOW - 10 * DAY, until=NOW)
    total = total_of(history)
    assert total is not None
    checked = planning_service.backtest_series(total.values)

    assert before.status_code == 200
    assert "No forecast yet for Customer care" in before.text
    assert page.status_code == 200
    assert '<a href="/brand/planning" aria-current="page">Planning</a>' in page.text
    assert '<a href="/brand/planning" aria-current="page">Forecast</a>' in page.text
    assert '<a href="/brand/planning/coverage" >Coverage</a>' in page.text
    chart = charts_of(page.text)["planning"]
    assert (len(chart["labels"]), chart["labels"][672]) == (672 + 336, "Wed 03 Mar 12:00")
    assert (sum(chart["history"][:672]), set(chart["history"][672:])) == (5, {None})
    assert set(chart["mean"][:672]) == {None}
    # 15:00 and 17:00 (a week on too), and 13:00 on Tuesday (the en email ticket of yesterday).
    assert [i for i, mean in enumerate(chart["mean"][672:]) if mean] == [3, 5, 145, 171, 173, 313]
    assert [chart["mean"][672 + 3], chart["mean"][672 + 5]] == [2.0, 1.0]
    assert "by seasonal naive: last week repeated" in page.text
    assert "from 216 hours of tickets (5 in all)" in page.text
    today = '<th scope="row">Wed 03 Mar <span class="muted">(12 hours)</span></th><td>3.0</td>'
    assert today + "\n      <td>15:00</td><td>2.0</td>" in page.text
    dash = "<td>\u2013</td>"
    quiet = '<th scope="row">Thu 04 Mar</th><td>0.0</td>\n      ' + dash * 3
    assert quiet in page.text
    assert checked is not None and (checked.horizon, checked.origins) == (24, 1)
    assert f"off by {checked.model.mae:.3f} tickets an hour" in page.text
    assert f"<td>{checked.model.mase:.3f}</td>" in page.text
    assert '<option value="de" selected>de</option>' in german.text
    german_means = charts_of(german.text)["planning"]["mean"][672:]
    assert [i for i, mean in enumerate(german_means) if mean] == [5, 5 + 168]
    assert 'data-chart="planning"' in page.text
    assert '<script src="/static/planning-charts.js" defer></script>' in page.text
    assert client.get("/static/planning-charts.js").status_code == 200


def test_staff_ask_for_a_new_forecast_and_another_brands_program_is_not_found(
    client: TestClient, session: Session
) -> None:
    other = build_marketplace(client, session, experts=0)
    with clock.travel_to(NOW):
        market, program = planned_market(client, session)
        web_sign_in(client, market.brand_admin_email)

        asked = post_form(client, "/brand/planning/refresh", {"program_id": str(program.id)})
        theirs = post_form(client, "/brand/planning/refresh", {"program_id": other.program_id})
        page = client.get(asked.headers["location"])

    jobs = session.scalars(select(Job).where(Job.name == "planning.forecast_program")).all()
    assert (asked.status_code, asked.headers["location"]) == (
        303,
        f"/brand/planning?program_id={program.id}&queued=1",
    )
    assert [j.payload for j in jobs] == [
        {"program_id": str(program.id), "until": THIS_HOUR.isoformat()}
    ]
    assert theirs.status_code == 404
    assert "A new forecast is on its way" in page.text


def test_the_forecast_api_sums_or_splits_by_language_for_brand_staff_only(
    client: TestClient, session: Session
) -> None:
    with clock.travel_to(NOW):
        other = build_marketplace(client, session, experts=0)
        market, program = planned_market(client, session)
        planning_service.refresh_program(session, program.id)
        session.commit()
        url = f"/api/v1/programs/{program.id}/forecast"
        summed = client.get(url, headers=market.brand_admin)
        split = client.get(
            url,
            params={
                "start": (NOW + 2 * HOUR).isoformat(),
                "end": (THIS_HOUR + 6 * HOUR).isoformat(),
                "per_language": "true",
            },
            headers=market.api_key,
        )
        german = client.get(url, params={"language": "de"}, headers=market.brand_admin)
        _, expert_email = sign_up_expert(client)
        expert = client.get(url, headers=sign_in(client, expert_email))
        foreign = client.get(url, headers=other.brand_admin)
        naive = client.get(url, params={"end": "2027-03-04T00:00:00"}, headers=market.brand_admin)
        backwards = client.get(
            url, params={"end": (NOW - DAY).isoformat()}, headers=market.brand_admin
        )
        missing = client.get(f"/api/v1/programs/{uuid.uuid4()}/forecast", headers=market.api_key)

    assert summed.status_code == 200, summed.text
    body = summed.json()
    assert (body["start"], body["end"]) == ("2027-03-03T12:00:00Z", "2027-03-17T12:00:00Z")
    assert len(body["hours"]) == 336
    assert body["hours"][3] == {
        "starts_at": "2027-03-03T15:00:00Z",
        "language": None,
        "mean": 2.0,
        "lower": body["hours"][3]["lower"],
        "upper": body["hours"][3]["upper"],
    }
    assert 0 <= body["hours"][3]["lower"] <= 2.0 <= body["hours"][3]["upper"]
    assert [(s["language"], s["channel"], s["arrivals"]) for s in body["series"]] == [
        ("*", "*", 5),
        ("de", "email", 1),
        ("en", "chat", 3),
        ("en", "email", 1),
    ]
    assert split.status_code == 200, split.text
    assert [(h["language"], h["starts_at"][11:16], h["mean"]) for h in split.json()["hours"]] == [
        ("de", "14:00", 0.0),
        ("de", "15:00", 0.0),
        ("de", "16:00", 0.0),
        ("de", "17:00", 1.0),
        ("en", "14:00", 0.0),
        ("en", "15:00", 2.0),
        ("en", "16:00", 0.0),
        ("en", "17:00", 0.0),
    ]
    assert [h["mean"] for h in german.json()["hours"][:6]] == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    assert {h["language"] for h in german.json()["hours"]} == {"de"}
    assert expert.status_code == 403
    assert foreign.status_code == 404
    assert (naive.status_code, naive.json()["detail"]) == (
        400,
        "give start and end with their time zone, e.g. 2026-12-20T00:00:00Z",
    )
    assert backwards.status_code == 400
    assert missing.status_code == 404
