import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.brands.models import Program, ProgramCategory
from tests.api.helpers import build_marketplace, ticket_body
from tests.web.helpers import post_form, web_sign_in

CATEGORIES = [
    {"key": "billing", "name": "Billing and refunds", "required_skill_level": 2},
    {"key": "legal", "name": "Legal", "is_gig_eligible": False},
]


def test_pages_show_the_category_name_never_its_key(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1, categories=CATEGORIES)
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket_id = created.json()["id"]
    web_sign_in(client, market.expert_emails[0])

    dashboard = client.get("/expert")
    offer_id = re.search(r"/expert/offers/([0-9a-f-]+)/accept", dashboard.text)
    assert offer_id is not None
    post_form(client, f"/expert/offers/{offer_id.group(1)}/accept")
    workspace = client.get(f"/expert/tickets/{ticket_id}")
    web_sign_in(client, market.brand_admin_email)
    staff_page = client.get(f"/brand/tickets/{ticket_id}")

    assert " · Customer care · Billing and refunds · EN · medium" in dashboard.text
    assert " · billing · " not in dashboard.text
    assert "Customer care · Billing and refunds · EN" in workspace.text
    assert " · billing · " not in workspace.text
    assert "<dt>Category</dt><dd>Billing and refunds</dd>" in staff_page.text


def test_a_key_without_a_category_reads_as_words() -> None:
    program = Program(categories=[ProgramCategory(key="billing", name="Billing and refunds")])

    assert program.category_name("billing") == "Billing and refunds"
    assert program.category_name("billing_dispute") == "Billing dispute"
    assert program.category_name(None) == ""
