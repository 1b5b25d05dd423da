"""Sign in through the web forms as a browser would."""

import httpx
from fastapi.testclient import TestClient

from tests.api.helpers import PASSWORD


def csrf_of(client: TestClient) -> str:
    if "gigcx_csrf" not in client.cookies:
        client.get("/login")
    return str(client.cookies["gigcx_csrf"])


def web_sign_in(client: TestClient, email: str) -> None:
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def post_form(client: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    response: httpx.Response = client.post(
        path, data={**(data or {}), "csrf_token": csrf_of(client)}, follow_redirects=False
    )
    return response
