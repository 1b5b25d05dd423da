"""The brand's Zendesk page: connect, the token masked once saved, plain errors, who may change."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.brands.models import Program
from gigcx.channels.helpdesk.models import HelpdeskConnection
from tests.api.helpers import PASSWORD, Marketplace, build_marketplace
from tests.web.helpers import post_form, web_sign_in

TOKEN = "zd-token-abcdefghijklmnopqrstuvwxyz0123456789WXYZ"


def form(market: Marketplace, **changes: str) -> dict[str, str]:
    values = {
        "subdomain": "Acme",
        "email": "gigcx@acme.example.com",
        "api_token": TOKEN,
        "agent_id": "900001",
        "tags": "gigcx, Billing",
        "group_ids": "360001",
        "form_ids": "",
        "handback_group_id": "360002",
        "program_id": market.program_id,
        "category": "",
        "poll_seconds": "120",
        "requests_per_minute": "300",
        "is_active": "true",
    }
    values.update(changes)
    return values


def takes_helpdesk_tickets(session: Session, market: Marketplace) -> None:
    program = session.get_one(Program, uuid.UUID(market.program_id))
    program.channels = [*program.channels, "api"]
    session.commit()


def test_a_brand_admin_connects_zendesk_and_the_token_is_never_shown_again(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    takes_helpdesk_tickets(session, market)
    web_sign_in(client, market.brand_admin_email)

    empty = client.get("/brand/zendesk")
    saved = post_form(client, "/brand/zendesk", form(market))
    page = client.get("/brand/zendesk")

    assert empty.status_code == 200 and "Connect your Zendesk" in empty.text
    assert saved.status_code == 303
    connection = session.scalars(select(HelpdeskConnection)).one()
    assert (connection.subdomain, connection.api_token, connection.agent_id) == (
        "acme",
        TOKEN,
        900001,
    )
    assert (connection.tags, connection.group_ids, connection.form_ids) == (
        ["gigcx", "billing"],
        [360001],
        [],
    )
    assert page.status_code == 200
    assert TOKEN not in page.text
    assert "Saved: ••••••••WXYZ. Leave empty to keep it." in page.text
    assert "Tickets taken in</dt><dd>0</dd>" in page.text

    # Saving other settings with the token left empty keeps the saved one.
    again = post_form(client, "/brand/zendesk", form(market, api_token="", poll_seconds="600"))
    session.refresh(connection)
    assert again.status_code == 303
    assert (connection.api_token, connection.poll_seconds) == (TOKEN, 600)


def test_wrong_settings_are_refused_plainly_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    web_sign_in(client, market.brand_admin_email)

    no_channel = post_form(client, "/brand/zendesk", form(market))
    takes_helpdesk_tickets(session, market)
    bad_ids = post_form(client, "/brand/zendesk", form(market, group_ids="sales, 12"))
    nothing_chosen = post_form(client, "/brand/zendesk", form(market, tags="", group_ids=""))
    bad_tag = post_form(client, "/brand/zendesk", form(market, tags="gig cx!"))
    bad_subdomain = post_form(client, "/brand/zendesk", form(market, subdomain="acme.evil.com"))
    nul = post_form(client, "/brand/zendesk", form(market, subdomain="ac\x00me"))

    assert no_channel.status_code == 400
    assert "does not take helpdesk tickets: add the &#39;api&#39; channel" in no_channel.text
    assert bad_ids.status_code == 400
    assert "Write ids as whole numbers separated by commas" in bad_ids.text
    assert nothing_chosen.status_code == 400
    assert "at least one ticket form, group or tag" in nothing_chosen.text
    assert bad_tag.status_code == 400 and "Write tags in lower case" in bad_tag.text
    assert (
        bad_subdomain.status_code == 400 and "Check the format of this value." in bad_subdomain.text
    )
    assert nul.status_code == 400
    assert TOKEN not in bad_ids.text
    assert session.scalars(select(HelpdeskConnection)).all() == []


def test_an_in_house_agent_sees_the_sync_but_cannot_change_it(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    takes_helpdesk_tickets(session, market)
    web_sign_in(client, market.brand_admin_email)
    assert post_form(client, "/brand/zendesk", form(market)).status_code == 303
    auth_service.create_user(
        session,
        email="zendesk-agent@example.com",
        password=PASSWORD,
        role=Role.INHOUSE_AGENT,
        brand_id=uuid.UUID(market.brand_id),
    )
    session.commit()
    client.cookies.clear()
    web_sign_in(client, "zendesk-agent@example.com")

    page = client.get("/brand/zendesk")
    changed = post_form(client, "/brand/zendesk", form(market, subdomain="other"))
    pulled = post_form(client, "/brand/zendesk/pull")

    assert page.status_code == 200 and "Last pull" in page.text
    assert 'action="/brand/zendesk"' not in page.text
    assert (changed.status_code, pulled.status_code) == (403, 403)
    assert session.scalars(select(HelpdeskConnection.subdomain)).one() == "acme"
