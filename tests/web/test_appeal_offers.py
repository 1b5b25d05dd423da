from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.quality.models import Dispute, Rating
from tests.api.helpers import build_marketplace
from tests.web.helpers import post_form, web_sign_in
from tests.web.test_plain_form_errors import resolved_ticket


def test_an_appeal_is_offered_only_below_the_top_score(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    for score in (5, 2):
        ticket_id = resolved_ticket(client, market)
        client.post(
            f"/api/v1/tickets/{ticket_id}/rating",
            json={"score": score, "reason": "helpful"},
            headers=market.api_key,
        )
    scores = {r.score: r.id for r in session.scalars(select(Rating))}
    web_sign_in(client, market.expert_emails[0])

    page = client.get("/expert/quality")
    top = post_form(
        client,
        "/expert/quality/disputes",
        {"subject_type": "rating", "subject_id": str(scores[5]), "reason": "I want it higher."},
    )

    assert page.status_code == 200
    assert f'name="subject_id" value="{scores[2]}"' in page.text
    assert f'name="subject_id" value="{scores[5]}"' not in page.text
    assert page.text.count("Top score: nothing to appeal") == 1
    assert page.text.count('<button type="submit">Appeal</button>') == 1
    assert top.status_code == 409
    assert "this rating is the top score (5 of 5); there is nothing to appeal" in top.text
    assert session.scalar(select(func.count()).select_from(Dispute)) == 0
