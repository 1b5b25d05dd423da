import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.jobs.models import Job
from gigcx.planning.simulation.models import SimulationRun
from tests.factories.tickets import run_jobs
from tests.web.helpers import post_form
from tests.web.test_brand_console import staff_market


def test_a_brand_asks_for_a_simulated_day_and_reads_the_comparison(
    client: TestClient, session: Session, factory: sessionmaker[Session]
) -> None:
    market = staff_market(client, session)
    page = client.get("/brand/planning/simulations")

    asked = post_form(
        client,
        "/brand/planning/simulations",
        {
            "program_id": market.program_id,
            "tickets": "10",
            "experts": "3",
            "seed": "2",
            "policies": ["score", "longest_idle"],  # type: ignore[dict-item]
        },
    )
    run = session.scalars(select(SimulationRun)).one()
    queued = session.scalars(select(Job).where(Job.name == "planning.simulate")).one()
    stats = run_jobs(factory)
    session.expire_all()
    result = client.get(f"/brand/planning/simulations/{run.id}")

    assert page.status_code == 200 and "No simulated days yet." in page.text
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/brand/planning/simulations/{run.id}"
    assert queued.payload == {"run_id": str(run.id)}
    assert stats.failed == 0
    stored = session.get_one(SimulationRun, run.id)
    assert stored.status == "done"
    assert stored.results is not None
    assert [p["policy"] for p in stored.results["policies"]] == ["score", "longest_idle"]
    assert [p["arrivals"] for p in stored.results["policies"]] == [10, 10]
    assert result.status_code == 200
    found = re.search(
        r'<script type="application/json" id="chart-data">(.*?)</script>', result.text
    )
    assert found is not None
    charts = json.loads(found.group(1))
    assert [p["name"] for p in charts["policies"]] == ["score", "longest_idle"]
    assert len(charts["labels"]) == 24


def test_a_simulation_asks_a_bounded_day(client: TestClient, session: Session) -> None:
    market = staff_market(client, session)

    response = post_form(
        client,
        "/brand/planning/simulations",
        {"program_id": market.program_id, "tickets": "999999", "policies": "score"},
    )

    assert response.status_code == 400
    assert "simulate between 1 and 2000 tickets" in response.text
    assert session.scalars(select(SimulationRun)).all() == []
