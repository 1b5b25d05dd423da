"""Tenant isolation: every route that takes an id in its path, called with brand A's ids by
everyone who has no business with them, is refused (401, 403, 404, or a web page's redirect to
sign-in); never a success, never a server error.

Routes are found by walking the application, so a new route is covered the day it is added.
Routes that are public on purpose are listed below with the reason.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import routing
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.web.deps import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE
from tests.security.world import BrandWorld, build_brand

# path -> why anyone may call it with someone else's id.
PUBLIC = {
    "/support/{brand_slug}/{program_slug}": "a brand's public contact form",
    "/c/{token}": "the customer's private link: the secret token is the credential",
    "/c/{token}/stream": "the customer's private link: the secret token is the credential",
    "/c/{token}/reply": "the customer's private link: the secret token is the credential",
    "/c/{token}/bot-answer": "the customer's private link: the secret token is the credential",
    "/c/{token}/rating": "the customer's private link: the secret token is the credential",
    "/api/v1/chat/{path:path}": "CORS preflight of the chat widget; answers no data",
}
# Path parameters for which the two brands hold no row: a random id stands in (a refusal is
# still expected). Shrink this list as the world grows; a new parameter name must be added
# to the world (tests/security/world.py) or here.
WITHOUT_ROWS = {
    "earning_id",
    "payout_id",
    "review_id",
    "calibration_id",
    "dispute_id",
    "run_id",
}
BYSTANDER = "an expert of brand A not on the ticket"
# (path, caller) pairs allowed through, with the reason: the open marketplace of programs, and
# what an expert enrolled in brand A's program shares with every other expert of it.
ALLOWED = {
    ("/api/v1/programs/{program_id}", BYSTANDER): "the expert's own program",
    ("/api/v1/programs/{program_id}/bonus-rules", BYSTANDER): "the own program's bonus rules",
    ("/api/v1/programs/{program_id}/courses", BYSTANDER): "the own program's courses",
    ("/api/v1/programs/{program_id}/announcements", BYSTANDER): "announcements to the program",
    ("/api/v1/me/announcements/{announcement_id}/read", BYSTANDER): "an announcement to them",
    ("/expert/announcements/{announcement_id}/read", BYSTANDER): "an announcement to them",
    ("/api/v1/programs/{program_id}/enrollments", BYSTANDER): "already enrolled: 409",
    ("/expert/programs/{program_id}/apply", BYSTANDER): "already enrolled: 409",
    ("/api/v1/programs/{program_id}", "an expert of brand B only"): "experts browse open programs",
    ("/api/v1/programs/{program_id}/bonus-rules", "an expert of brand B only"): (
        "an open program's bonus rules are part of its offer to experts"
    ),
    ("/api/v1/programs/{program_id}/announcements", "an expert of brand B only"): (
        "an open program's page; only enrolled experts get its announcements (an empty list)"
    ),
    ("/api/v1/programs/{program_id}/courses", "an expert of brand B only"): (
        "an open program's page; only enrolled experts get its courses (an empty list)"
    ),
    ("/api/v1/programs/{program_id}/enrollments", "an expert of brand B only"): (
        "any expert may apply to an open program"
    ),
    ("/expert/programs/{program_id}/apply", "an expert of brand B only"): (
        "any expert may apply to an open program (already applied: 409)"
    ),
    # An expert signs their own acceptance of a brand's published agreement, and attests their
    # own work authorisation, before or after applying: it reads nothing of the brand's data.
    ("/api/v1/experts/me/agreements/{agreement_id}/accept", BYSTANDER): "their own signature",
    ("/api/v1/experts/me/agreements/{agreement_id}/accept", "an expert of brand B only"): (
        "an open program's agreement, signed before applying"
    ),
    ("/expert/compliance/agreements/{agreement_id}/accept", BYSTANDER): "their own signature",
    ("/expert/compliance/agreements/{agreement_id}/accept", "an expert of brand B only"): (
        "an open program's agreement, signed before applying"
    ),
    ("/expert/compliance/authorisations/{brand_id}", BYSTANDER): "their own attestation",
    ("/expert/compliance/authorisations/{brand_id}", "an expert of brand B only"): (
        "their own attestation, given before applying"
    ),
}
# Web forms whose fields are checked before the row is looked up: send them filled.
FORMS = {
    "/brand/quality/disputes/{dispute_id}/decide": {"decision": "overturn", "reason": "Wrong."},
    "/brand/staff/{user_id}/role": {"role": "brand_admin"},
    "/brand/answers/{answer_id}/review": {"decision": "rejected"},
    "/brand/human-reviews/{review_id}/decide": {
        "outcome": "dismissed",
        "reason": "Checked by a person.",
    },
    "/expert/compliance/agreements/{agreement_id}/accept": {"full_name": "Pat Example"},
}
REFUSALS = {401, 403, 404}
API_PREFIX = "/api/"


@dataclass(frozen=True)
class Caller:
    headers: dict[str, str] = field(default_factory=dict)
    session_token: str = ""


def id_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) of the application whose path takes a parameter."""
    found = []
    for route in routing.iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = route.path or ""
        if "{" not in path:
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, path))
    return found


def bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def callers(a: BrandWorld, b: BrandWorld) -> dict[str, Caller]:
    bystander = a.market.experts[0]  # enrolled in brand A's program, never offered the ticket
    return {
        "an expert of brand A not on the ticket": Caller(bystander, bearer(bystander)),
        "brand B admin": Caller(b.market.brand_admin, bearer(b.market.brand_admin)),
        "brand B agent": Caller(b.agent, bearer(b.agent)),
        "brand B API key": Caller(b.market.api_key),
        "an expert of brand B only": Caller(b.market.experts[1], bearer(b.market.experts[1])),
        "a chat visitor of brand B": Caller({"X-Visitor-Token": b.chat["visitor_token"]}),
        "nobody": Caller(),
    }


def fill(path: str, ids: dict[str, str], *, token: str) -> str:
    """The path with brand A's ids (a customer link token of brand B where the path takes one:
    that customer tries to reach A's rows through their own link)."""
    values = {**ids, "token": token}
    filled = path.replace("{path:path}", "sessions")
    for name in [part.split("}")[0] for part in filled.split("{")[1:]]:
        raw = name.split(":")[0]
        value = values.get(raw, str(uuid.uuid4()))
        filled = filled.replace("{" + name + "}", value)
    return filled


def is_refusal(status: int, location: str, caller: Caller) -> bool:
    if status in REFUSALS:
        return True
    # A web page asks whoever has no web session to sign in.
    return status == 303 and location.startswith("/login") and not caller.session_token


def example(schema: dict[str, Any], spec: dict[str, Any], ids: dict[str, str], name: str) -> Any:
    """The smallest value the schema accepts, with brand A's ids for id fields."""
    if "$ref" in schema:
        return example(
            spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], spec, ids, name
        )
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return example(options[0], spec, ids, name)
    if "allOf" in schema:
        return example(schema["allOf"][0], spec, ids, name)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: example(properties[key], spec, ids, key) for key in schema.get("required", [])}
    if kind == "array":
        item = example(schema.get("items", {}), spec, ids, name)
        return [item] * max(1, schema.get("minItems", 0))
    if kind == "string":
        if schema.get("format") == "uuid":
            return ids.get(name, str(uuid.uuid4()))
        if schema.get("format") == "email":
            return "someone@example.com"
        if schema.get("format") == "date-time":
            return "2026-12-01T00:00:00Z"
        if "pattern" in schema:  # keys and slugs: lower-case letters pass every pattern here
            return "a" * max(1, schema.get("minLength", 0))
        return "Words enough." + "x" * max(0, schema.get("minLength", 0) - 13)
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    return None


def valid_bodies(spec: dict[str, Any], ids: dict[str, str]) -> dict[tuple[str, str], Any]:
    """A body for each API operation that its schema accepts."""
    bodies = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = content["application/json"]["schema"]
                bodies[(method.upper(), path)] = example(schema, spec, ids, "")
    return bodies


@pytest.fixture
def worlds(client: TestClient, session: Session) -> tuple[BrandWorld, BrandWorld]:
    return build_brand(client, session), build_brand(client, session)


def test_every_id_route_refuses_everyone_outside_the_tenant(
    client: TestClient, worlds: tuple[BrandWorld, BrandWorld]
) -> None:
    a, b = worlds
    routes = id_routes(client)
    names = {
        part.split("}")[0].split(":")[0]
        for _, path in routes
        if path not in PUBLIC
        for part in path.split("{")[1:]
    }
    assert names - set(a.ids) == WITHOUT_ROWS, "give new path parameters a row in the world"
    assert {path for _, path in routes} >= set(PUBLIC), "a public route listed here is gone"

    bodies = valid_bodies(client.app.openapi(), a.ids)  # type: ignore[attr-defined]
    holes = []
    tried = 0
    for method, path in routes:
        if path in PUBLIC:
            continue
        url = fill(path, a.ids, token=b.link_token)
        for name, caller in callers(a, b).items():
            client.cookies.clear()
            client.cookies.set(CSRF_COOKIE, "matrix-csrf")
            if caller.session_token:
                client.cookies.set(SESSION_COOKIE, caller.session_token)
            kwargs: dict[str, object] = {"headers": caller.headers, "follow_redirects": False}
            if method in ("POST", "PUT", "PATCH") and not path.startswith(API_PREFIX):
                kwargs["data"] = {
                    CSRF_FIELD: "matrix-csrf",
                    "program_id": a.ids["program_id"],
                    **FORMS.get(path, {}),
                }
            elif method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = bodies.get((method, path), {})
            response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
            tried += 1
            location = response.headers.get("location", "")
            if (path, name) in ALLOWED and response.status_code < 500:
                continue
            if not is_refusal(response.status_code, location, caller):
                holes.append(
                    f"{method} {path} as {name}: {response.status_code} {response.text:.120}"
                )
    client.cookies.clear()

    assert tried > 500
    assert holes == [], "\n".join(holes)
