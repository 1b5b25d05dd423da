"""The brand's coverage page and its one-click actions; the expert's forecast of work."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.channels.email.models import OutboundEmail
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments.models import Surge
from gigcx.planning import coverage
from gigcx.planning.models import CoverageAction, CoverageInvitation
from tests.api.helpers import PASSWORD, Marketplace, build_marketplace
from tests.planning.coverage_helpers import gap_hour, settle, states
from tests.web.helpers import post_form, web_sign_in

PAGE = "/brand/planning/coverage"


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def hour() -> int:
    return gap_hour()


@pytest.fixture
def market(
    client: TestClient, session: Session, hour: int, monkeypatch: pytest.MonkeyPatch
) -> Marketplace:
    """Two experts who write German: one in UTC who states noon on the gap's day (0.5
    expected), one in Tokyo (21:00 then: not expected, not daytime). 12 German chats expected
    at the gap hour need 4 experts."""
    market = build_marketplace(client, session, experts=2)
    day, tokyo = (session.get_one(Expert, uuid.UUID(i)) for i in market.expert_ids)
    settle(session, day, timezone="UTC")
    states(session, day, hour // 24, 11, 14)
    settle(session, tokyo, timezone="Asia/Tokyo")
    session.commit()
    program_id = uuid.UUID(market.program_id)

    def arrivals(_session: Session, for_program: uuid.UUID, *, now: datetime) -> dict[Any, float]:
        return {("de", "chat", hour): 12.0} if for_program == program_id else {}

    monkeypatch.setattr(coverage, "arrivals_by_hour_of_week", arrivals)
    return market


def act(client: TestClient, market: Marketplace, kind: str, hour: int) -> Any:
    return post_form(
        client, f"{PAGE}/{market.program_id}/{kind}", {"language": "de", "hour": str(hour)}
    )


def test_brand_staff_see_needed_against_expected_and_the_worst_gaps(
    client: TestClient, market: Marketplace, hour: int
) -> None:
    web_sign_in(client, market.brand_admin_email)

    page = client.get(PAGE)

    label = coverage.week_label(hour)
    assert page.status_code == 200
    assert (
        f'title="{label}: 4 needed, 0.5 expected online">4<span class="cov-sep">/</span>0.5<'
        in (page.text)
    )
    assert f'<th scope="row">{label}</th>' in page.text
    # Each count includes the legend's sample.
    assert page.text.count('class="cov cov-gap"') == 1 + 1
    assert page.text.count('class="cov cov-idle"') == 2 * 168 - 1 + 1
    assert 'href="/brand/planning"' in page.text
    assert "style=" not in page.text


def test_a_surge_is_announced_ahead_by_the_published_rule_once(
    client: TestClient, session: Session, market: Marketplace, hour: int
) -> None:
    web_sign_in(client, market.brand_admin_email)

    first = act(client, market, "surge", hour)
    shown = client.get(first.headers["location"])
    again = act(client, market, "surge", hour)
    shown_again = client.get(again.headers["location"])

    surge = session.scalars(select(Surge)).one()
    # 4 needed, 0 whole experts expected: pressure 4, 1 + 0.25 x 3 = 1.75.
    assert str(surge.multiplier) == "1.75"
    assert (surge.waiting, surge.capacity) == (4, 0)
    assert coverage.hour_of_week(surge.starts_at) == hour
    assert surge.starts_at > clock.now() + timedelta(minutes=10)
    assert surge.ends_at - surge.starts_at == timedelta(hours=1)
    assert first.status_code == again.status_code == 303
    assert "Surge announced: 1.75x pay on German work" in shown.text
    assert "Already announced, nothing new: 1.75x pay on German work" in shown_again.text
    assert count(session, CoverageAction) == 1
    audits = session.scalars(select(AuditEvent).where(AuditEvent.action == "surge.announced"))
    assert [event.data["reason"] for event in audits] == ["expected coverage gap"]


def test_a_surge_below_the_published_threshold_is_refused_plainly(
    client: TestClient, session: Session, market: Marketplace, hour: int
) -> None:
    web_sign_in(client, market.brand_admin_email)

    refused = act(client, market, "surge", hour + 1 if hour % 24 != 23 else hour - 1)

    assert refused.status_code == 409
    assert "Nothing was done: 0 experts needed against 0 expected online is below" in refused.text
    assert count(session, Surge) == 0
    assert count(session, CoverageAction) == 0


def test_experts_whose_daytime_covers_the_gap_are_invited_once(
    client: TestClient, session: Session, market: Marketplace, hour: int
) -> None:
    web_sign_in(client, market.brand_admin_email)

    first = act(client, market, "invite", hour)
    shown = client.get(first.headers["location"])
    again = act(client, market, "invite", hour)
    shown_again = client.get(again.headers["location"])

    invited = session.scalars(select(CoverageInvitation.expert_id)).all()
    mails = [
        mail.to_address
        for mail in session.scalars(
            select(OutboundEmail).where(OutboundEmail.kind == "coverage_invitation")
        )
    ]
    assert [str(i) for i in invited] == [market.expert_ids[0]]
    assert mails == [market.expert_emails[0]]
    assert "Invited 1 expert writing German for" in shown.text
    assert "Already invited (1 expert," in shown_again.text
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[0])
    daytime = client.get("/expert/forecast")
    client.cookies.clear()
    web_sign_in(client, market.expert_emails[1])
    night = client.get("/expert/forecast")
    assert "expects more German work than experts online" in daytime.text
    assert "Invitations" not in night.text


def test_a_recruitment_note_shows_on_the_program_listing_once(
    client: TestClient, session: Session, market: Marketplace, hour: int
) -> None:
    other = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.brand_admin_email)

    first = act(client, market, "recruit", hour)
    again = act(client, market, "recruit", hour)
    shown_again = client.get(again.headers["location"])
    client.cookies.clear()
    web_sign_in(client, other.expert_emails[0])
    listing = client.get("/expert/programs")

    note = (
        "Looking for experts who write German in Europe and Africa (UTC+0 to UTC+3): "
        "we need more of you around 12:00 UTC."
    )
    assert first.status_code == again.status_code == 303
    assert count(session, CoverageAction) == 1
    assert "Already recruiting, nothing new" in shown_again.text
    assert listing.text.count(f"<strong>Experts wanted:</strong> {note}") == 1


def test_other_brands_and_in_house_agents_cannot_act_on_the_gap(
    client: TestClient, session: Session, market: Marketplace, hour: int
) -> None:
    other = build_marketplace(client, session, experts=0)
    agent = f"agent-{uuid.uuid4().hex[:8]}@example.com"
    auth_service.create_user(
        session,
        email=agent,
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        display_name="Ines",
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    web_sign_in(client, other.brand_admin_email)

    foreign_page = client.get(f"{PAGE}?program_id={market.program_id}")
    foreign = [
        act(client, market, kind, hour).status_code for kind in ("surge", "invite", "recruit")
    ]
    own_page = client.get(PAGE)
    client.cookies.clear()
    web_sign_in(client, agent)
    agent_page = client.get(PAGE)
    agent_acts = [act(client, market, kind, hour).status_code for kind in ("surge", "invite")]

    assert foreign_page.status_code == 404
    assert foreign == [404, 404, 404]
    assert own_page.status_code == 200
    assert market.program_id not in own_page.text
    assert agent_page.status_code == 200
    assert "Announce a surge ahead" not in agent_page.text
    assert agent_acts == [403, 403]
    assert count(session, Surge) == count(session, CoverageAction) == 0


def test_the_expert_forecast_shows_only_their_programs_in_their_time(
    client: TestClient, session: Session, market: Marketplace, hour: int
) -> None:
    other = build_marketplace(client, session, experts=0)
    web_sign_in(client, market.expert_emails[0])

    page = client.get("/expert/forecast")

    assert page.status_code == 200
    assert "(UTC)" in page.text
    assert f'id="f-{market.program_id}-h"' in page.text
    assert f'id="f-{other.program_id}-h"' not in page.text
    # 12 German tickets at noon UTC fall in the 12:00-16:00 band of the gap's day, short.
    assert "about 12.0 tickets, fewer experts than needed" in page.text
