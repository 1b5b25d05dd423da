import html
import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.experts.enums import EnrollmentStatus, Tier
from gigcx.experts.models import Enrollment
from gigcx.quality.enums import DisputeStatus, ReviewStatus, WarningKind
from gigcx.quality.models import Calibration, Dispute, Review, Scorecard, TierWarning
from gigcx.training.models import Course
from tests.api.helpers import Marketplace, build_marketplace, ticket_body
from tests.web.helpers import post_form, web_sign_in

CRITERIA = "accuracy | The answer is right | 3 | no\ntone | Warm tone | 1 | no"


def error_of(page: str, name: str) -> str:
    found = re.search(rf'<p id="e-{re.escape(name)}" class="error" role="alert">([^<]*)</p>', page)
    assert found is not None, f"no message next to {name}"
    return html.unescape(found.group(1))


def set_up_course(client: TestClient, session: Session, market: Marketplace) -> Course:
    web_sign_in(client, market.brand_admin_email)
    created = post_form(
        client,
        f"/brand/quality/programs/{market.program_id}/courses/new",
        {"title": "Onboarding", "pass_mark": "100", "max_attempts": "3", "valid_days": "30"},
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    post_form(client, f"{path}/modules", {"module_title": "Voice", "module_body": "Be warm."})
    post_form(
        client,
        f"{path}/questions",
        {"prompt": "Refunds?", "kind": "single", "options": "14 days\n30 days", "correct": "2"},
    )
    assert post_form(client, f"{path}/publish").status_code == 303
    return session.scalars(select(Course).where(Course.title == "Onboarding")).one()


def test_brand_staff_build_a_course_and_refused_input_shows_at_the_field(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    course = set_up_course(client, session, market)

    bad_new = post_form(
        client,
        f"/brand/quality/programs/{market.program_id}/courses/new",
        {"title": "", "pass_mark": "150"},
    )
    bad_question = post_form(
        client,
        f"/brand/quality/courses/{course.id}/questions",
        {"prompt": "Pick", "kind": "single", "options": "a\nb", "correct": "1,2"},
    )
    page = client.get(f"/brand/quality/courses/{course.id}")
    recert = post_form(
        client,
        f"/brand/quality/courses/{course.id}/recertification",
        {"note": "New refund rules", "grace_days": "7"},
    )

    assert bad_new.status_code == 400
    assert "pass_mark" in bad_new.text and "Enter 100 or less." in bad_new.text
    assert bad_question.status_code == 400
    assert error_of(bad_question.text, "correct") == (
        "question 2: a single-choice question has exactly one answer"
    )
    assert len(course.questions) == 1
    assert page.status_code == 200
    assert "30 days <strong>· right</strong>" in page.text
    assert recert.status_code == 303
    session.refresh(course)
    assert course.version == 2


def test_an_expert_takes_the_quiz_on_the_training_pages(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    course = set_up_course(client, session, market)
    web_sign_in(client, market.expert_emails[0])
    (question,) = course.questions

    listing = client.get("/expert/training")
    before = client.get("/expert")
    unanswered = post_form(client, f"/expert/training/{course.id}/attempt")
    passed = post_form(client, f"/expert/training/{course.id}/attempt", {f"q-{question.id}": "1"})

    assert listing.status_code == 200
    assert "not certified yet" in listing.text
    assert unanswered.status_code == 400
    assert "answer every question; missing: 1" in unanswered.text
    assert passed.status_code == 200
    assert "Passed" in passed.text and "Certified until" in passed.text
    assert "valid until" in client.get("/expert/training").text
    assert "pass its course to get tickets there" in before.text
    assert "pass its course" not in client.get("/expert").text


def resolved_ticket(client: TestClient, market: Marketplace, rating: int) -> str:
    expert = market.experts[0]
    ticket = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket_id = str(ticket.json()["id"])
    (offer,) = client.get("/api/v1/offers", headers=expert).json()
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "Done."}, headers=expert)
    client.post(f"/api/v1/tickets/{ticket_id}/resolve", headers=expert)
    client.post(
        f"/api/v1/tickets/{ticket_id}/rating",
        json={"score": rating, "reason": "rude"},
        headers=market.api_key,
    )
    return ticket_id


def test_scorecard_review_appeal_and_decision_through_the_web(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.brand_admin_email)
    bad = post_form(
        client,
        f"/brand/quality/programs/{market.program_id}/scorecard",
        {"name": "QA", "criteria": "accuracy | right | three | no"},
    )
    assert bad.status_code == 400
    assert error_of(bad.text, "criteria").startswith("line 1: write key | label | weight")
    assert session.scalars(select(Scorecard)).all() == []
    assert client.get(f"/brand/quality/programs/{market.program_id}/scorecard").status_code == 200
    saved = post_form(
        client,
        f"/brand/quality/programs/{market.program_id}/scorecard",
        {"name": "QA", "criteria": CRITERIA, "sample_percent_new": "0"},
    )
    assert saved.status_code == 303, saved.text
    ticket_id = resolved_ticket(client, market, rating=1)

    overview = client.get("/brand/quality")
    review = session.scalars(select(Review)).one()
    review_page = client.get(f"/brand/quality/reviews/{review.id}")
    done = post_form(client, f"/brand/quality/reviews/{review.id}/complete", {"c-accuracy": "met"})

    assert overview.status_code == 200
    assert "low csat" in overview.text
    assert review_page.status_code == 200
    assert "Done." in review_page.text
    assert done.status_code == 303
    session.refresh(review)
    assert (review.status, str(review.score)) == (ReviewStatus.COMPLETED, "75.00")

    web_sign_in(client, market.expert_emails[0])
    quality = client.get("/expert/quality")
    assert quality.status_code == 200
    # (5 x 75 + 0 + 2 x 75) / 8 = 65.63
    assert "(5 \N{MULTIPLICATION SIGN} 75 + 150.00) / (5 + 3) = 65.63" in html.unescape(
        quality.text
    )
    assert f'<input type="hidden" name="subject_id" value="{review.id}">' in quality.text
    appealed = post_form(
        client,
        "/expert/quality/disputes",
        {"subject_type": "review", "subject_id": str(review.id), "reason": "The answer was right."},
    )
    assert appealed.status_code == 303

    web_sign_in(client, market.brand_admin_email)
    dispute = session.scalars(select(Dispute)).one()
    decided = post_form(
        client,
        f"/brand/quality/disputes/{dispute.id}/decide",
        {"decision": "overturn", "reason": "Policy allowed it."},
    )
    assert decided.status_code == 303
    session.refresh(dispute)
    assert (dispute.status, dispute.decision_reason) == (
        DisputeStatus.OVERTURNED,
        "Policy allowed it.",
    )

    enrollment = session.scalars(
        select(Enrollment).where(Enrollment.expert_id == uuid.UUID(market.expert_ids[0]))
    ).one()
    expert_page = client.get(f"/brand/quality/enrollments/{enrollment.id}")
    assert expert_page.status_code == 200
    # the overturned review no longer counts: (5 x 75 + 0) / (5 + 1) = 62.50
    assert "(5 \N{MULTIPLICATION SIGN} 75 + 0) / (5 + 1) = 62.50" in html.unescape(expert_page.text)
    overview_after = client.get("/brand/quality").text
    assert "62.50" in overview_after
    assert "75.00 (overturned)" in overview_after
    started = post_form(
        client, "/brand/quality/calibrations", {"ticket_id": ticket_id, "reviewers": "2"}
    )
    assert started.status_code == 303
    calibration = session.scalars(select(Calibration)).one()
    report = client.get(f"/brand/quality/calibrations/{calibration.id}")
    assert report.status_code == 200
    assert "0 of 2 reviewers done" in report.text


def test_senior_experts_see_peer_review_tasks_and_warnings_show_with_a_date(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=2)
    web_sign_in(client, market.brand_admin_email)
    post_form(
        client,
        f"/brand/quality/programs/{market.program_id}/scorecard",
        {"name": "QA", "criteria": CRITERIA, "sample_percent_new": "0"},
    )
    # Only the first expert is available, so the ticket goes to them.
    ticket_id = resolved_ticket(client, market, rating=2)
    assert ticket_id
    senior_id = uuid.UUID(market.expert_ids[1])
    senior = session.scalars(select(Enrollment).where(Enrollment.expert_id == senior_id)).one()
    senior.tier = Tier.SENIOR
    worked = session.scalars(
        select(Enrollment).where(Enrollment.expert_id == uuid.UUID(market.expert_ids[0]))
    ).one()
    session.add(
        TierWarning(
            enrollment_id=worked.id,
            expert_id=worked.expert_id,
            program_id=worked.program_id,
            kind=WarningKind.DEMOTION,
            tier=Tier.ESTABLISHED,
            improve="Raise your quality score from 60.00 to 70 or more by 2026-12-14.",
            score=60,
            target_score=70,
            due_at=worked.created_at,
        )
    )
    session.flush()
    review = session.scalars(select(Review)).one()

    web_sign_in(client, market.expert_emails[1])
    tasks = client.get("/expert/reviews")
    task = client.get(f"/expert/reviews/{review.id}")
    done = post_form(
        client, f"/expert/reviews/{review.id}/complete", {"c-accuracy": "met", "c-tone": "met"}
    )
    web_sign_in(client, market.expert_emails[0])
    quality = client.get("/expert/quality")
    paused = post_form(client, f"/expert/quality/enrollments/{worked.id}/pause")

    assert tasks.status_code == 200 and f"/expert/reviews/{review.id}" in tasks.text
    assert task.status_code == 200 and "Submit review" in task.text
    assert done.status_code == 303
    assert "from 60.00 to 70 or more by 2026-12-14" in quality.text
    assert paused.status_code == 303
    session.refresh(worked)
    assert (worked.status, worked.tier) == (EnrollmentStatus.PAUSED, Tier.NEW)
