"""The brand console's webhook pages: add, change, test, rotate, replay, disable, notices."""

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.channels.webhooks import service
from gigcx.channels.webhooks.enums import DisabledReason, EndpointStatus
from gigcx.channels.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api.helpers import PASSWORD, Marketplace, build_marketplace
from tests.channels.webhooks.receiver import Answer, Receiver
from tests.factories.tickets import run_jobs
from tests.web.helpers import post_form, web_sign_in

SECRET = re.compile(r'id="new-secret" class="key" type="text" readonly value="(whsec_[^"]+)"')


def signed_in(client: TestClient, session: Session) -> Marketplace:
    market = build_marketplace(client, session, experts=0)
    web_sign_in(client, market.brand_admin_email)
    return market


def only_endpoint(session: Session, market: Marketplace) -> WebhookEndpoint:
    session.expire_all()
    return session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.brand_id == uuid.UUID(market.brand_id))
    ).one()


def test_an_admin_adds_an_endpoint_sees_the_secret_once_and_tests_it(
    client: TestClient, session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    market = signed_in(client, session)

    empty = client.get("/brand/webhooks")
    created = client.post(
        "/brand/webhooks",
        data={
            "url": receiver.url(),
            "description": "CRM sync",
            "event_types": ["ticket.created", "ticket.resolved"],
            "csrf_token": client.cookies["gigcx_csrf"],
        },
        follow_redirects=False,
    )
    found = SECRET.search(created.text)
    endpoint = only_endpoint(session, market)
    page = f"/brand/webhooks/{endpoint.id}"
    assert found is not None
    receiver.secrets.append(found.group(1))
    tested = post_form(client, f"{page}/test")
    run_jobs(factory)
    detail = client.get(page)
    listing = client.get("/brand/webhooks")

    assert empty.status_code == 200 and "No endpoints yet." in empty.text
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    assert endpoint.event_types == ["ticket.created", "ticket.resolved"]
    assert tested.status_code == 303
    [request] = receiver.requests
    assert not isinstance(request.verified[found.group(1)], Exception)
    assert detail.status_code == 200 and found.group(1) not in detail.text
    assert request.headers["webhook-id"] in detail.text and "webhook.test" in detail.text
    assert "Messages (1)" in detail.text and "succeeded" in detail.text
    assert receiver.url() in listing.text and "CRM sync" in listing.text


def test_an_admin_edits_rotates_replays_disables_and_enables(
    client: TestClient, session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    market = signed_in(client, session)
    post_form(client, "/brand/webhooks", {"url": receiver.url()})
    endpoint = only_endpoint(session, market)
    page = f"/brand/webhooks/{endpoint.id}"
    post_form(client, f"{page}/test")
    run_jobs(factory)
    message_id = receiver.requests[0].headers["webhook-id"]

    edited = post_form(
        client,
        page,
        {"url": receiver.url("/v2"), "description": "new", "event_types": "offer.accepted"},
    )
    rotated = post_form(client, f"{page}/rotate")
    replayed = post_form(client, f"{page}/replay", {"message_id": message_id})
    run_jobs(factory)
    ranged = post_form(client, f"{page}/replay", {"since": "2000-01-01T00:00"})
    run_jobs(factory)
    disabled = post_form(client, f"{page}/disable")
    disabled_page = client.get(page)
    enabled = post_form(client, f"{page}/enable")

    assert edited.status_code == 303
    assert rotated.status_code == 200 and SECRET.search(rotated.text) is not None
    assert (replayed.status_code, ranged.status_code) == (303, 303)
    assert [r.path for r in receiver.requests] == ["/hook", "/v2", "/v2"]
    assert {r.headers["webhook-id"] for r in receiver.requests} == {message_id}
    assert receiver.requests[1].headers["webhook-signature"].count("v1,") == 2
    assert disabled.status_code == 303 and "turned off by a brand admin" in disabled_page.text
    assert enabled.status_code == 303
    endpoint = only_endpoint(session, market)
    assert (endpoint.url, endpoint.description) == (receiver.url("/v2"), "new")
    assert endpoint.event_types == ["offer.accepted"]
    assert endpoint.status == EndpointStatus.ACTIVE


def test_bad_forms_are_shown_again_with_plain_errors_and_change_nothing(
    client: TestClient, session: Session, receiver: Receiver
) -> None:
    market = signed_in(client, session)

    insecure = post_form(client, "/brand/webhooks", {"url": "http://example.com/hook"})
    too_long = post_form(client, "/brand/webhooks", {"url": "https://example.com/" + "a" * 10_000})
    with_nul = post_form(client, "/brand/webhooks", {"url": "https://example.com/\x00"})
    unknown = post_form(
        client, "/brand/webhooks", {"url": "https://example.com/", "event_types": "ticket.exploded"}
    )

    assert insecure.status_code == 400
    assert "Webhooks go over HTTPS only: write https://." in insecure.text
    assert too_long.status_code == 400 and "Use at most 2000 characters." in too_long.text
    assert with_nul.status_code == 400 and "NUL" in with_nul.text
    assert unknown.status_code == 400
    assert '<p class="error" role="alert">Choose one of the options.</p>' in unknown.text
    session.expire_all()
    assert (
        session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.brand_id == uuid.UUID(market.brand_id))
        ).all()
        == []
    )

    post_form(client, "/brand/webhooks", {"url": receiver.url()})
    endpoint = only_endpoint(session, market)
    page = f"/brand/webhooks/{endpoint.id}"
    bad_edit = post_form(client, page, {"url": "https://169.254.169.254/"})
    bad_time = post_form(client, f"{page}/replay", {"since": "yesterday"})
    backwards = post_form(
        client, f"{page}/replay", {"since": "2026-02-01T00:00", "until": "2026-01-01T00:00"}
    )

    assert bad_edit.status_code == 400 and "a cloud metadata address" in bad_edit.text
    assert bad_time.status_code == 400 and "From &#39;yesterday&#39; is not a time" in bad_time.text
    assert backwards.status_code == 400 and "The range is empty" in backwards.text
    assert only_endpoint(session, market).url == receiver.url()
    session.expire_all()
    assert (
        session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        ).all()
        == []
    )


def test_a_disabled_endpoint_shows_a_notice_and_strangers_get_nothing(
    client: TestClient, session: Session, receiver: Receiver
) -> None:
    market = signed_in(client, session)
    post_form(client, "/brand/webhooks", {"url": receiver.url()})
    endpoint = only_endpoint(session, market)
    service.disable(session, endpoint, DisabledReason.FAILING)
    session.commit()
    receiver.default = Answer(204)

    listing = client.get("/brand/webhooks")
    other = build_marketplace(client, session, experts=0)
    web_sign_in(client, other.brand_admin_email)
    strange_page = client.get(f"/brand/webhooks/{endpoint.id}")
    strange_test = post_form(client, f"/brand/webhooks/{endpoint.id}/enable")
    auth_service.create_user(
        session,
        email="agent.webhooks@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    web_sign_in(client, "agent.webhooks@example.com")
    agent_page = client.get("/brand/webhooks")

    assert "every attempt failed for five days" in listing.text
    assert "Enable it and replay what it missed" in listing.text
    assert (strange_page.status_code, strange_test.status_code) == (404, 404)
    assert agent_page.status_code == 403
    assert only_endpoint(session, market).status == EndpointStatus.DISABLED
