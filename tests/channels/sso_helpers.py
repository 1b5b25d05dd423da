"""Set up a brand's single sign-on through its console and sign in as a browser would."""

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.brands.models import Brand
from tests.factories.brands import make_brand
from tests.servers.oidc import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.web.helpers import post_form, web_sign_in


def admin_email_of(session: Session, brand: Brand) -> str:
    return session.scalars(
        select(User.email).where(User.brand_id == brand.id, User.role == Role.BRAND_ADMIN)
    ).one()


def sso_brand(
    client: TestClient,
    session: Session,
    provider: OidcProvider,
    *,
    new_staff_role: str = "inhouse_agent",
    is_required: bool = False,
    domains: str = "acme.example",
) -> Brand:
    """A brand whose admin set up single sign-on with the test provider, then signed out."""
    brand = make_brand(session)
    admin_email = admin_email_of(session, brand)
    session.commit()
    web_sign_in(client, admin_email)
    form = {
        "issuer": provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_domains": domains,
        "new_staff_role": new_staff_role,
        "is_enabled": "on",
    }
    if is_required:
        form["is_required"] = "on"
    saved = post_form(client, "/brand/sso", form)
    assert saved.status_code == 303, saved.text
    post_form(client, "/logout")
    client.cookies.clear()
    return brand


def start_sso(client: TestClient, company: str) -> httpx.Response:
    return post_form(client, "/login/sso", {"company": company})


def at_provider(start: httpx.Response) -> str:
    """Follow GigCX's redirect to the provider; return where the provider sends the browser."""
    assert start.status_code == 303, start.text
    answer = httpx.get(start.headers["location"], follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


def sso_sign_in(client: TestClient, company: str) -> httpx.Response:
    """Sign in with the company account; return GigCX's answer to the provider's redirect."""
    callback = at_provider(start_sso(client, company))
    response: httpx.Response = client.get(callback, follow_redirects=False)
    return response


def user_by_email(session: Session, email: str) -> User | None:
    session.expire_all()
    return session.scalars(select(User).where(User.email == email)).one_or_none()
