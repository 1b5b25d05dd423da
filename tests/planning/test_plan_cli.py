"""gigcx plan forecast: from a CSV (tables or JSON), and refreshing every program's forecast."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.kit import clock
from gigcx.planning.models import Forecast
from tests.cli.test_cli import database, invoke
from tests.factories.brands import make_brand, make_program
from tests.factories.planning import add_arrivals, weekly_series

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)


def write_counts(path: Path, values: list[float], *, start: datetime = MONDAY) -> Path:
    lines = ["timestamp,count"] + [
        f"{(start + timedelta(hours=i)).isoformat()},{int(v)}" for i, v in enumerate(values) if v
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_csv_of_eight_weeks_is_forecast_as_json_with_its_backtest(tmp_path: Path) -> None:
    values = weekly_series(weeks=8)
    data = write_counts(tmp_path / "arrivals.csv", values.tolist())

    result = invoke("plan", "forecast", "--data", str(data), "--horizon", "48", "--json")

    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["history"] == {
        "start": "2026-01-05T00:00:00+00:00",
        "hours": 1344,
        "arrivals": int(values.sum()),
    }
    assert (body["method"], body["level"], len(body["forecast"])) == ("mstl_ets", 0.8, 48)
    assert body["forecast"][0]["starts_at"] == "2026-03-02T00:00:00+00:00"
    assert all(h["lower"] <= h["mean"] <= h["upper"] for h in body["forecast"])
    backtest = body["backtest"]
    assert (backtest["horizon"], backtest["origins"]) == (168, 7)
    assert backtest["model"]["mase"] < backtest["seasonal_naive"]["mase"]


def test_a_short_csv_prints_the_forecast_table_and_says_the_backtest_needs_more(
    tmp_path: Path,
) -> None:
    data = write_counts(tmp_path / "week.csv", [1, 2, 0, 3] * 12)

    result = invoke("plan", "forecast", "--data", str(data), "--horizon", "3")

    assert result.exit_code == 0, result.output
    assert "method: seasonal naive: last day repeated (seasonal_naive_24)" in result.output
    assert "Wed 2026-01-07 00:00" in result.output
    assert "history: 48 hours from 2026-01-05T00:00:00+00:00, 72 arrivals" in result.output
    assert "backtest: the history is too short (it needs more than eight days)" in result.output


def test_a_bad_line_or_no_source_is_refused_with_its_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,count\n2026-01-05T00:00:00Z,4\n2026-01-05T01:00:00Z,many\n")

    refused = invoke("plan", "forecast", "--data", str(bad))
    neither = invoke("plan", "forecast")
    missing = invoke("plan", "forecast", "--data", str(tmp_path / "none.csv"))

    assert refused.exit_code == 1
    assert f"error: {bad}: line 3: 'many' is not a count" in refused.output
    assert neither.exit_code == 1
    assert "give either --data FILE.csv or --refresh" in neither.output
    assert missing.exit_code == 1
    assert "cannot read" in missing.output


def test_refresh_stores_every_programs_forecast_and_a_second_run_keeps_it(tmp_path: Path) -> None:
    now = datetime(2026, 11, 30, 18, 10, tzinfo=UTC)
    with database(tmp_path / "plan.db") as engine:
        assert invoke("db", "upgrade").exit_code == 0
        with Session(engine) as session:
            program = make_program(session, make_brand(session))
            slug = program.slug
            add_arrivals(session, program, [(now - timedelta(days=3), "en", "chat")])
            session.commit()
        with clock.travel_to(now):
            first = invoke("plan", "forecast", "--refresh", "--json")
            second = invoke("plan", "forecast", "--refresh")
        with Session(engine) as session:
            stored = session.scalar(select(func.count()).select_from(Forecast))

    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == [
        {
            "program": slug,
            "series": 1,
            "hours": 336,
            "method": "seasonal_naive_24",
            "until": "2026-11-30T18:00:00+00:00",
            "is_skipped": False,
        }
    ]
    assert second.exit_code == 0, second.output
    assert "kept (already made up to this hour)" in second.output
    assert stored == 336
