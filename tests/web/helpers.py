"""Sign in through the web forms as a browser would; read server-sent events as one would."""

from collections.abc import Iterator

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


def next_event(lines: Iterator[str]) -> dict[str, str]:
    """The next event's fields (``data`` lines joined); comments (pings) are skipped."""
    fields: dict[str, list[str]] = {}
    for line in lines:
        if line == "" and fields:
            break
        if line == "" or line.startswith(":"):
            continue
        name, _, value = line.partition(": ")
        fields.setdefault(name, []).append(value)
    return {name: "\n".join(values) for name, values in fields.items()}


def next_ping(lines: Iterator[str]) -> None:
    for line in lines:
        if line.startswith(": ping"):
            return
        assert not line.startswith(("event:", "data:")), line
