"""Offer alerts on the profile and feed, announcements and feedback pages, for experts and staff."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.channels.community.models import Announcement, Feedback
from gigcx.channels.email.models import OutboundEmail
from tests.api.helpers import build_marketplace, ticket_body
from tests.web.helpers import post_form, web_sign_in


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_expert_opts_in_to_offer_alerts_on_the_profile(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.expert_emails[0])

    before = client.get("/expert/profile")
    dashboard_before = client.get("/expert")
    saved = post_form(
        client,
        "/expert/alerts",
        {"is_browser_on": "true", "is_sound_on": "true", "digest": "daily"},
    )
    after = client.get("/expert/profile?alerts=saved")
    dashboard = client.get("/expert")

    assert before.status_code == 200
    assert 'id="f-is_browser_on" name="is_browser_on" value="true" >' in before.text
    assert "Turn on offer alerts" in dashboard_before.text
    assert (saved.status_code, saved.headers["location"]) == (
        303,
        "/expert/profile?alerts=saved#alerts-h",
    )
    assert "Your offer alerts are saved." in after.text
    assert 'name="is_browser_on" value="true" checked' in after.text
    assert 'name="is_email_on" value="true" >' in after.text
    assert '<option value="daily" selected>Daily</option>' in after.text
    assert 'data-browser="on" data-sound="on"' in dashboard.text
    assert "Allow offer notifications" in dashboard.text
    assert client.get("/api/v1/me/alerts", headers=market.experts[0]).json() == {
        "is_browser_on": True,
        "is_sound_on": True,
        "is_email_on": False,
        "digest": "daily",
    }


def test_announcements_are_posted_edited_and_retired_in_the_console_and_read_by_experts(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.brand_admin_email)

    page = client.get("/brand/announcements")
    empty_title = post_form(
        client,
        "/brand/announcements",
        {"program_id": market.program_id, "title": "  ", "body": "Hello"},
    )
    posted = post_form(
        client,
        "/brand/announcements",
        {
            "program_id": market.program_id,
            "title": "New returns policy",
            "body": "Returns now take 60 days.",
            "is_emailed": "true",
        },
    )
    [announcement] = session.scalars(select(Announcement)).all()
    edit_page = client.get(f"/brand/announcements/{announcement.id}")
    edited = post_form(
        client,
        f"/brand/announcements/{announcement.id}",
        {"title": "New returns policy (60 days)", "body": "Returns now take 60 days."},
    )
    bad_edit = post_form(
        client, f"/brand/announcements/{announcement.id}", {"title": "x", "body": ""}
    )
    listing = client.get(f"/brand/announcements?program_id={market.program_id}")

    assert page.status_code == 200 and "Post an announcement" in page.text
    program_list = client.get("/brand/programs").text
    assert f'href="/brand/announcements?program_id={market.program_id}"' in program_list
    assert empty_title.status_code == 400
    assert "Nothing was posted" in empty_title.text
    assert posted.status_code == 303
    assert edit_page.status_code == 200 and "Edit announcement" in edit_page.text
    assert edited.status_code == 303
    assert bad_edit.status_code == 400 and "Nothing was saved" in bad_edit.text
    assert "New returns policy (60 days)" in listing.text
    assert "emailed to 1 expert" in listing.text
    mails = session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "announcement"))
    assert [m.to_address for m in mails] == market.expert_emails

    web_sign_in(client, market.expert_emails[0])
    dashboard = client.get("/expert")
    unread = client.get("/expert/announcements")
    marked = post_form(client, f"/expert/announcements/{announcement.id}/read")
    read = client.get("/expert/announcements")

    assert "1 new announcement from your programs." in dashboard.text
    programs = client.get("/expert/programs")
    assert f'<a href="/expert/announcements#a-{announcement.id}">' in programs.text
    assert "New returns policy (60 days)" in unread.text and "1 unread" in unread.text
    assert marked.status_code == 303
    assert "0 unread" in read.text and "Mark read" not in read.text
    assert "new announcement" not in client.get("/expert").text

    web_sign_in(client, market.brand_admin_email)
    retired = post_form(
        client, f"/brand/announcements/{announcement.id}/retire", {"is_retired": "true"}
    )
    assert retired.status_code == 303
    assert "Show again" in client.get("/brand/announcements").text
    web_sign_in(client, market.expert_emails[0])
    assert "No announcements from your programs yet." in client.get("/expert/announcements").text


def test_feedback_from_the_workspace_is_answered_in_the_console_and_the_expert_is_told(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    [expert] = market.experts
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    ticket_id = created.json()["id"]
    [offer] = client.get("/api/v1/offers", headers=expert).json()
    client.post(f"/api/v1/offers/{offer['id']}/accept", headers=expert)
    web_sign_in(client, market.expert_emails[0])

    workspace = client.get(f"/expert/tickets/{ticket_id}")
    empty = post_form(
        client, "/expert/feedback", {"ticket_id": ticket_id, "kind": "other", "body": " "}
    )
    sent = post_form(
        client,
        "/expert/feedback",
        {
            "ticket_id": ticket_id,
            "kind": "answer_out_of_date",
            "body": "The refund answer still says 14 days.",
        },
    )
    on_program = post_form(
        client,
        "/expert/feedback",
        {
            "program_id": market.program_id,
            "kind": "guideline_unclear",
            "body": "When may we offer a voucher?",
        },
    )
    mine = client.get("/expert/feedback?sent=1")

    assert "Feedback to the brand" in workspace.text
    assert empty.status_code == 400 and "Nothing was sent" in empty.text
    assert (sent.status_code, on_program.status_code) == (303, 303)
    assert "Sent. The brand's answer will show here." in mine.text
    assert "The refund answer still says 14 days." in mine.text
    assert count(session, Feedback) == 2

    web_sign_in(client, market.brand_admin_email)
    inbox = client.get("/brand/feedback")
    feedback = session.scalars(select(Feedback).where(Feedback.ticket_id.is_not(None))).one()
    item = client.get(f"/brand/feedback/{feedback.id}")
    no_reply = post_form(client, f"/brand/feedback/{feedback.id}/answer", {"reply": ""})
    answered = post_form(
        client, f"/brand/feedback/{feedback.id}/answer", {"reply": "Fixed: it says 30 days now."}
    )
    closed = post_form(client, f"/brand/feedback/{feedback.id}/close")
    closed_list = client.get("/brand/feedback?status=closed")
    open_list = client.get("/brand/feedback?status=open")

    assert "This answer is out of date" in inbox.text
    assert "A guideline is unclear" in inbox.text
    assert "The refund answer still says 14 days." in item.text
    assert no_reply.status_code == 400 and 'id="e-reply"' in no_reply.text
    assert (answered.status_code, closed.status_code) == (303, 303)
    assert "This answer is out of date" in closed_list.text
    assert "This answer is out of date" not in open_list.text
    assert "Fixed: it says 30 days now." in client.get(f"/brand/feedback/{feedback.id}").text

    web_sign_in(client, market.expert_emails[0])
    dashboard = client.get("/expert")
    answer_page = client.get("/expert/feedback")
    seen = post_form(client, f"/expert/feedback/{feedback.id}/seen")

    assert "The brand answered your feedback" in dashboard.text
    assert "Fixed: it says 30 days now." in answer_page.text
    assert seen.status_code == 303
    assert "The brand answered your feedback" not in client.get("/expert").text


def test_an_expert_cannot_send_feedback_on_a_ticket_they_never_held(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    created = client.post("/api/v1/tickets", json=ticket_body(market), headers=market.api_key)
    web_sign_in(client, market.expert_emails[0])

    workspace = client.get(f"/expert/tickets/{created.json()['id']}")
    refused = post_form(
        client,
        "/expert/feedback",
        {"ticket_id": created.json()["id"], "kind": "other", "body": "Peeking."},
    )

    assert "Feedback to the brand" not in workspace.text
    assert refused.status_code == 404
    assert "no such ticket among those you worked" in refused.text.lower()
    assert count(session, Feedback) == 0
