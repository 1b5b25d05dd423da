from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.brands.enums import RoutingPolicy
from tests.web.test_brand_console import post_program, program_of, staff_market


def test_the_program_form_sets_a_routing_policy(client: TestClient, session: Session) -> None:
    market = staff_market(client, session)
    page = client.get(f"/brand/programs/{market.program_id}")

    saved = post_program(client, market, routing_policy="specialists_first")

    assert '<option value="score" selected>GigCX score</option>' in page.text
    assert saved.status_code == 303
    assert program_of(session, market).routing_policy == RoutingPolicy.SPECIALISTS_FIRST
    shown = client.get(f"/brand/programs/{market.program_id}")
    assert '<option value="specialists_first" selected>Specialists first</option>' in shown.text


def test_the_program_form_refuses_an_unknown_routing_policy(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session)

    response = post_program(client, market, routing_policy="fastest", name="Renamed")

    assert response.status_code == 400
    assert 'id="e-routing_policy"' in response.text
    program = program_of(session, market)
    assert (program.routing_policy, program.name) == (RoutingPolicy.SCORE, "Customer care")
