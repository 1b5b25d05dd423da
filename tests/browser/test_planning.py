"""The brand console's planning pages in Chromium: forecast, coverage, cost and simulated days.

A brand of its own (so the other browser tests' queues stay as they were) with three and a half
weeks of tickets shaped by hour of day, forecast before the pages are opened.
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, expect
from sqlalchemy.orm import sessionmaker

from gigcx.db.session import make_engine, unit_of_work
from gigcx.kit import clock
from gigcx.planning import service as planning_service
from tests.browser.conftest import PATIENCE_MS, Site
from tests.browser.test_journey import DESKTOP, PHONE, shoot, sign_in
from tests.browser.test_screens import check_fits
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.planning import add_arrivals

WIDTHS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
# Three weeks and a half: enough for the model (two weeks) in a week-ahead backtest.
HISTORY_DAYS = 24


@dataclass(frozen=True)
class Planned:
    admin_email: str
    program_id: str
    program_name: str


def _arrivals(days: int) -> list[tuple[datetime, str, str]]:
    """About 15 tickets a day at random, most in the afternoon, fewer at weekends; English and
    German, chat and email."""
    draw = random.Random(5)
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    arrivals = []
    for hour in range(days * 24, 0, -1):
        at = now - timedelta(hours=hour)
        busy = 1.4 * max(math.sin(math.pi * (at.hour - 7) / 14), 0.0)
        rate = busy * (0.5 if at.weekday() >= 5 else 1.0)
        # Poisson draws by counting exponential gaps within the hour.
        minute = draw.expovariate(rate) * 60 if rate else 60.0
        while minute < 60:
            language = "de" if draw.random() < 0.25 else "en"
            channel = "email" if draw.random() < 0.2 else "chat"
            arrivals.append((at + timedelta(minutes=minute), language, channel))
            minute += draw.expovariate(rate) * 60
    return arrivals


@pytest.fixture(scope="module")
def planned(site: Site) -> Iterator[Planned]:
    engine = make_engine(site.database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with unit_of_work(factory) as session:
        brand = make_brand(session)
        program = make_program(session, brand, languages=("en", "de"))
        make_expert(session, programs=[program], languages={"en": 5, "de": 3})
        add_arrivals(session, program, _arrivals(HISTORY_DAYS))
        planning_service.refresh_program(session, program.id)
        n = brand.slug.removeprefix("brand-")
        planned = Planned(
            admin_email=f"admin{n}@brand{n}.example.com",
            program_id=str(program.id),
            program_name=program.name,
        )
    engine.dispose()
    yield planned


def _watch_console(page: Page) -> list[str]:
    """Collect what the page logs as an error (a script that failed, a policy that blocked)."""
    problems: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _chart_drawn(page: Page, selector: str) -> bool:
    """Whether Chart.js drew on the canvas (it keeps an instance per drawn canvas)."""
    return bool(
        page.evaluate(
            "(s) => { const c = document.querySelector(s); return !!(c && window.Chart "
            "&& window.Chart.getChart(c)); }",
            selector,
        )
    )


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_forecast_page_draws_history_forecast_and_band(
    browser: Browser, site: Site, planned: Planned, viewport: ViewportSize
) -> None:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(PATIENCE_MS)
    page = sign_in(context, site, planned.admin_email, "/brand")
    problems = _watch_console(page)

    page.goto(f"{site.url}/brand/planning?program_id={planned.program_id}")

    expect(page.get_by_role("heading", name="Planning", exact=True)).to_be_visible()
    expect(page.locator("#chart-planning")).to_be_visible()
    page.wait_for_function("() => window.Chart && window.Chart.getChart('chart-planning')")
    assert _chart_drawn(page, "#chart-planning")
    expect(page.get_by_text("seasonal naive", exact=False).first).to_be_visible()
    check_fits(page, viewport)
    shoot(page, "brand-planning-forecast")
    assert problems == []
    context.close()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_coverage_heatmap_shows_gaps_and_invites_experts_in_one_click(
    browser: Browser, site: Site, planned: Planned, viewport: ViewportSize
) -> None:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(PATIENCE_MS)
    page = sign_in(context, site, planned.admin_email, "/brand")
    problems = _watch_console(page)

    page.goto(f"{site.url}/brand/planning/coverage")

    expect(page.get_by_role("heading", name="Coverage across time zones")).to_be_visible()
    expect(page.locator("table.heatmap").first).to_be_visible()
    expect(page.get_by_text("the program's forecast of the week ahead").first).to_be_visible()
    check_fits(page, viewport)
    shoot(page, "brand-planning-coverage")
    recruit = page.get_by_role("button", name="Recruit for this language and region").first
    expect(recruit).to_be_visible()
    recruit.click()
    expect(page.locator(".notice, .flash, [role=status]").first).to_be_visible()
    shoot(page, "brand-planning-coverage-acted")
    assert problems == []
    context.close()


def test_the_cost_page_takes_a_baseline_and_charts_costs_per_contact(
    browser: Browser, site: Site, planned: Planned
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(PATIENCE_MS)
    page = sign_in(context, site, planned.admin_email, "/brand")
    problems = _watch_console(page)
    page.goto(f"{site.url}/brand/planning/cost?program_id={planned.program_id}")
    expect(page.get_by_role("heading", name="Cost and transition planning")).to_be_visible()

    page.get_by_label("Loaded hourly cost (USD)").fill("-5")
    page.get_by_role("button", name="Save baseline").click()
    expect(page.locator(".error").first).to_be_visible()
    shoot(page, "brand-planning-cost-refused")
    problems.clear()  # the refusal's own 400, which the browser logs
    for label, value in (
        ("Loaded hourly cost (USD)", "32.50"),
        ("Utilisation (%)", "85"),
        ("Shrinkage (%)", "30"),
        ("Average handle time (seconds)", "420"),
        ("Service-level target (%)", "80"),
        ("Answered within (seconds)", "60"),
        ("Hours open a month", "360"),
        ("Share to the crowd in the blended figure (%)", "50"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save baseline").click()

    expect(page.locator("#chart-cost")).to_be_visible()
    page.wait_for_function("() => window.Chart && window.Chart.getChart('chart-cost')")
    assert _chart_drawn(page, "#chart-cost")
    check_fits(page, DESKTOP)
    shoot(page, "brand-planning-cost")
    assert problems == []
    context.close()


def test_a_simulated_day_compares_policies_in_charts(
    browser: Browser, site: Site, planned: Planned
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(PATIENCE_MS)
    page = sign_in(context, site, planned.admin_email, "/brand")
    problems = _watch_console(page)
    page.goto(f"{site.url}/brand/planning/simulations")
    expect(page.get_by_role("heading", name="Simulated days")).to_be_visible()

    page.get_by_label("Tickets in the day").fill("40")
    page.get_by_label("Simulated experts").fill("6")
    for name in ("Random", "Round robin", "Specialists first"):
        box = page.get_by_role("checkbox", name=name, exact=False)
        if box.count():
            box.first.uncheck()
    page.get_by_role("button", name="Simulate").click()
    page.wait_for_url(f"{site.url}/brand/planning/simulations/*")

    # The page looks again by itself until the job runner has played the day.
    expect(page.get_by_text("done", exact=True)).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length === 3")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => window.Chart && window.Chart.getChart(c))"
    )
    expect(page.get_by_role("heading", name="Policies side by side")).to_be_visible()
    check_fits(page, DESKTOP)
    shoot(page, "brand-planning-simulation")
    assert problems == []
    context.close()
