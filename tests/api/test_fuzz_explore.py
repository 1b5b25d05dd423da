import random
import uuid
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy.orm import Session

from tests.api.helpers import build_marketplace, ticket_body


def test_explore(client: TestClient, session: Session) -> None:
    market = build_marketplace(client, session, experts=2)
    for n in range(3):
        client.post("/api/v1/tickets", json=ticket_body(market, body=f"Q {n}"), headers=market.api_key)
    app = client.app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    principals = [market.brand_admin, market.experts[0], market.api_key, market.admin]
    failures: list[str] = []
    statuses: dict[str, dict[int, int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/auth/logout":
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode), who=st.sampled_from(principals))
            @settings(max_examples=8, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any, who: dict[str, str]) -> None:
                try:
                    response = case.call(headers=who)
                except Exception as error:  # noqa: BLE001
                    failures.append(f"{mode} {operation.label}: EXC {error!r}")
                    return
                statuses.setdefault(f"{mode} {operation.label}", {}).setdefault(response.status_code, 0)
                statuses[f"{mode} {operation.label}"][response.status_code] += 1
                if response.status_code >= 500 or (mode == GenerationMode.POSITIVE and response.status_code == 422):
                    failures.append(f"{mode} {operation.label}: {response.status_code} {case.path_parameters} {case.query} {str(case.body)[:300]!r} -> {response.text[:300]}")
            try:
                run()
            except Exception as error:  # noqa: BLE001
                failures.append(f'{mode} {operation.label}: RUN {type(error).__name__}')
    with open("/tmp/input-work/fuzz.txt", "w") as out:
        for line in failures:
            out.write(line + "\n")
        out.write("\n\n")
        for k, v in statuses.items():
            out.write(f"{k}: {v}\n")
    assert not failures
