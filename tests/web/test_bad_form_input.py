import re
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.auth.models import ApiKey
from gigcx.brands.models import Brand, Program
from gigcx.tickets.models import Ticket
from tests.api.helpers import build_marketplace
from tests.web.helpers import post_form, web_sign_in


def web_post_routes(routes: Sequence[Any], prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    """Every form route of the web UI with the form fields it reads."""
    for route in routes:
        if hasattr(route, "original_router"):
            inner = prefix + route.include_context.prefix
            yield from web_post_routes(route.original_router.routes, inner)
        elif (
            isinstance(route, APIRoute)
            and "POST" in (route.methods or set())
            and not (prefix + route.path).startswith("/api/")
        ):
            fields = [param.alias for param in route.dependant.body_params]
            yield prefix + route.path, fields


def fill(path: str) -> str:
    """The path with its parameters filled in: slugs, a token, or ids."""

    def value(match: re.Match[str]) -> str:
        name = match[1]
        return "t" if name == "token" else "s" if name.endswith("slug") else str(uuid.uuid4())

    return re.sub(r"\{(\w+)\}", value, path)


def test_a_nul_character_in_any_form_gets_a_plain_400_page(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.brand_admin_email)
    routes = sorted(web_post_routes(client.app.routes))  # type: ignore[attr-defined]

    answers = {}
    for path, fields in routes:
        form = {name: "x\x00y" for name in [*fields, "note"] if name != "csrf_token"}
        response = post_form(client, fill(path), form)
        answers[path] = (response.status_code, "then send the form again" in response.text)

    assert len(routes) >= 40
    assert answers == {path: (400, True) for path, _ in routes}


def test_nul_characters_in_the_contact_form_sign_up_and_key_names_store_nothing(
    client: TestClient, session: Session
) -> None:
    market = build_marketplace(client, session, experts=0)
    program = session.get_one(Program, uuid.UUID(market.program_id))
    brand = session.get_one(Brand, program.brand_id)
    keys = session.scalar(select(func.count()).select_from(ApiKey))

    contact = post_form(
        client,
        f"/support/{brand.slug}/{program.slug}",
        {"name": "Carla", "email": "c@example.com", "language": "en", "body": "Hi\x00"},
    )
    sign_up = post_form(
        client, "/expert/signup", {"email": "n@example.com", "display_name": "N\x00"}
    )
    web_sign_in(client, market.brand_admin_email)
    key = post_form(client, "/brand/api-keys", {"name": "in\x00take"})

    assert contact.status_code == 400
    assert (
        "The field \u201cbody\u201d contains a NUL character (U+0000), which text cannot hold; "
        "remove it, then send the form again." in contact.text.replace("&#34;", '"')
    )
    assert (sign_up.status_code, key.status_code) == (400, 400)
    assert "The field \u201cdisplay_name\u201d contains a NUL character" in sign_up.text
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert session.scalar(select(func.count()).select_from(ApiKey)) == keys


def test_a_far_page_of_earnings_is_an_empty_page(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=1)
    web_sign_in(client, market.expert_emails[0])

    page = client.get("/expert/earnings?page=99999999999999999999")

    assert page.status_code == 200
