"""Stated weekly hours: through the API and the profile page, checked before anything is kept."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.experts.models import ExpertAvailability
from tests.api.helpers import build_marketplace
from tests.web.helpers import post_form, web_sign_in


def stored(session: Session) -> list[tuple[int, int, int]]:
    return [
        (row.weekday, row.start_hour, row.end_hour)
        for row in session.scalars(
            select(ExpertAvailability).order_by(
                ExpertAvailability.weekday, ExpertAvailability.start_hour
            )
        )
    ]


def test_an_expert_states_and_reads_their_hours_through_the_api(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    me = market.experts[0]
    blocks = [
        {"weekday": 0, "start_hour": 9, "end_hour": 13},
        {"weekday": 0, "start_hour": 14, "end_hour": 18},
        {"weekday": 5, "start_hour": 20, "end_hour": 24},
    ]

    saved = client.put("/api/v1/experts/me/availability", json={"blocks": blocks}, headers=me)
    read = client.get("/api/v1/experts/me/availability", headers=me)

    assert saved.status_code == 200, saved.text
    assert read.json() == {"timezone": "Europe/Lisbon", "blocks": blocks}
    assert stored(session) == [(0, 9, 13), (0, 14, 18), (5, 20, 24)]


def test_the_api_refuses_hours_that_cannot_be_and_keeps_the_old_ones(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    me = market.experts[0]
    client.put(
        "/api/v1/experts/me/availability",
        json={"blocks": [{"weekday": 1, "start_hour": 8, "end_hour": 12}]},
        headers=me,
    )

    backwards = client.put(
        "/api/v1/experts/me/availability",
        json={"blocks": [{"weekday": 2, "start_hour": 15, "end_hour": 9}]},
        headers=me,
    )
    overlapping = client.put(
        "/api/v1/experts/me/availability",
        json={
            "blocks": [
                {"weekday": 3, "start_hour": 8, "end_hour": 12},
                {"weekday": 3, "start_hour": 11, "end_hour": 14},
            ]
        },
        headers=me,
    )
    out_of_range = client.put(
        "/api/v1/experts/me/availability",
        json={"blocks": [{"weekday": 7, "start_hour": 8, "end_hour": 25}]},
        headers=me,
    )

    assert (backwards.status_code, backwards.json()["detail"]) == (
        400,
        "Wednesday: the hours must end after they start (15:00 to 09:00)",
    )
    assert (overlapping.status_code, overlapping.json()["detail"]) == (
        400,
        "Thursday: 08:00-12:00 and 11:00-14:00 overlap",
    )
    assert out_of_range.status_code == 422
    assert stored(session) == [(1, 8, 12)]
    staff = client.get("/api/v1/experts/me/availability", headers=market.brand_admin)
    assert staff.status_code == 403


def test_the_profile_page_saves_hours_per_weekday(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.expert_emails[0])

    saved = post_form(
        client,
        "/expert/profile/availability",
        {
            "from-0-0": "9",
            "to-0-0": "17",
            "from-4-0": "9",
            "to-4-0": "12",
            "from-4-1": "14",
            "to-4-1": "18",
        },
    )
    page = client.get("/expert/profile?saved=2")

    assert (saved.status_code, saved.headers["location"]) == (
        303,
        "/expert/profile?saved=2#availability-h",
    )
    assert stored(session) == [(0, 9, 17), (4, 9, 12), (4, 14, 18)]
    assert "Your hours are saved." in page.text
    assert '<option value="17" selected>17:00</option>' in page.text
    assert 'id="f-from-4-1" name="from-4-1"' in page.text


def test_the_profile_page_refuses_bad_hours_with_a_plain_message(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.expert_emails[0])

    backwards = post_form(client, "/expert/profile/availability", {"from-2-0": "15", "to-2-0": "9"})
    half = post_form(client, "/expert/profile/availability", {"from-3-0": "8"})
    nonsense = post_form(client, "/expert/profile/availability", {"from-1-0": "x", "to-1-0": "99"})
    overlap = post_form(
        client,
        "/expert/profile/availability",
        {"from-5-0": "8", "to-5-0": "12", "from-5-1": "10", "to-5-1": "14"},
    )
    nul = post_form(client, "/expert/profile/availability", {"from-1-0": "9\x00", "to-1-0": "10"})

    assert backwards.status_code == 400
    assert "The end must come after the start." in backwards.text
    assert half.status_code == 400
    assert "Give both the start and the end, or neither." in half.text
    assert nonsense.status_code == 400
    assert "Pick the hours from the lists." in nonsense.text
    assert overlap.status_code == 400
    assert "Saturday: 08:00-12:00 and 10:00-14:00 overlap." in overlap.text
    assert nul.status_code == 400
    assert "Traceback" not in nul.text
    assert session.scalar(select(func.count()).select_from(ExpertAvailability)) == 0
