from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import build_marketplace

INTERNAL = {"inhouse_cost_per_contact", "hourly_floor"}


def enrollment_of(client: TestClient, headers: dict[str, str]) -> str:
    listing = client.get("/api/v1/enrollments", headers=headers)
    return str(listing.json()["items"][0]["id"])


def set_status(client: TestClient, enrollment: str, status: str, headers: dict[str, str]) -> int:
    path = f"/api/v1/enrollments/{enrollment}"
    body = {"status": status, "reason": "Agreed on the phone"}
    response = client.patch(path, json=body, headers=headers)
    return int(response.status_code)


def test_a_brands_pause_is_lifted_by_the_brand_only(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    enrollment = enrollment_of(client, expert)

    paused = set_status(client, enrollment, "paused", market.brand_admin)
    by_expert = client.patch(
        f"/api/v1/enrollments/{enrollment}", json={"status": "active"}, headers=expert
    )
    still = client.get(f"/api/v1/enrollments?program_id={market.program_id}", headers=expert)
    by_brand = set_status(client, enrollment, "active", market.brand_admin)

    assert paused == 200
    assert by_expert.status_code == 403
    assert by_expert.json()["detail"] == (
        "the brand paused this enrollment; only the brand can resume it (ask its team)"
    )
    assert (still.json()["items"][0]["status"], still.json()["items"][0]["paused_by"]) == (
        "paused",
        "brand",
    )
    assert by_brand == 200


def test_an_experts_own_pause_is_lifted_by_the_expert_only(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    expert = market.experts[0]
    enrollment = enrollment_of(client, expert)

    paused = set_status(client, enrollment, "paused", expert)
    by_brand = client.patch(
        f"/api/v1/enrollments/{enrollment}", json={"status": "active"}, headers=market.brand_admin
    )
    by_expert = client.patch(
        f"/api/v1/enrollments/{enrollment}", json={"status": "active"}, headers=expert
    )
    removed_by_brand = (
        set_status(client, enrollment, "paused", expert),
        set_status(client, enrollment, "removed", market.brand_admin),
    )

    assert paused == 200
    assert by_brand.status_code == 403
    assert by_brand.json()["detail"] == (
        "the expert paused this enrollment themselves; only they can resume it"
    )
    assert (by_expert.status_code, by_expert.json()["paused_by"]) == (200, None)
    assert removed_by_brand == (200, 200)  # the brand may still end it


def test_experts_never_see_a_programs_internal_costs(client: TestClient, session: Session) -> None:
    market = build_marketplace(
        client, session, experts=1, inhouse_cost_per_contact="7.50", hourly_floor="12.00"
    )
    path = f"/api/v1/programs/{market.program_id}"

    for_brand = client.get(path, headers=market.brand_admin).json()
    for_expert = client.get(path, headers=market.experts[0]).json()
    listed = client.get("/api/v1/programs", headers=market.experts[0]).json()["items"]

    assert (for_brand["inhouse_cost_per_contact"], for_brand["hourly_floor"]) == ("7.50", "12.00")
    assert INTERNAL & set(for_expert) == set()
    assert [INTERNAL & set(program) for program in listed] == [set()]
    assert set(for_brand) - set(for_expert) == INTERNAL
