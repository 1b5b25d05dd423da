import re

from fastapi.testclient import TestClient


def _referenced(html: str) -> list[str]:
    found = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    found += re.findall(r"""(?:url|spec-url)\s*[:=]\s*["']([^"']+)["']""", html)
    return sorted(set(found))


def test_the_api_docs_load_only_from_this_server(client: TestClient) -> None:
    swagger = client.get("/docs")
    redoc = client.get("/redoc")

    assert (swagger.status_code, redoc.status_code) == (200, 200)
    assert _referenced(swagger.text) == [
        "/openapi.json",
        "/static/api-docs.js",
        "/static/favicon.svg",
        "/static/vendor/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui.css",
    ]
    assert _referenced(redoc.text) == [
        "/openapi.json",
        "/static/favicon.svg",
        "/static/vendor/redoc.standalone.js",
    ]
    assert "http://" not in swagger.text + redoc.text
    assert "https://" not in swagger.text + redoc.text
    answers = {url: client.get(url).status_code for url in _referenced(swagger.text + redoc.text)}
    assert answers == {url: 200 for url in answers}


def test_the_favicon_is_served_and_every_page_links_it(client: TestClient) -> None:
    legacy = client.get("/favicon.ico", follow_redirects=False)
    icon = client.get("/favicon.ico")
    landing = client.get("/")

    assert legacy.status_code == 301
    assert legacy.headers["location"] == "/static/favicon.svg"
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/svg+xml"
    assert icon.text.startswith("<svg ")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in landing.text
