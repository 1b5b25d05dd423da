"""The brand ticket page tells its audit trail in sentences, raw events behind a toggle."""

import ast
import html
import re
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import gigcx
from gigcx.experts.models import Expert
from gigcx.views.audit import KINDS
from tests.web.helpers import post_form
from tests.web.test_brand_console import new_ticket, staff_market


def trail_of(page: str) -> list[tuple[str, str]]:
    """Each audit row's sentence and who, in order."""
    section = page[page.index('<h2 id="audit-h">') :]
    rows = re.findall(
        r"<tr><td>.*?</td>\s*<td>(.*?)\s*<details.*?</details></td>\s*<td>(.*?)</td></tr>",
        section,
        re.S,
    )
    return [(html.unescape(sentence), html.unescape(who)) for sentence, who in rows]


def test_the_audit_trail_names_people_and_keeps_raw_events_behind_a_toggle(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=1)
    expert_name = session.get_one(Expert, uuid.UUID(market.expert_ids[0])).display_name
    ticket_id = new_ticket(client, market, subject="Charged twice")
    offers = client.get(f"/api/v1/tickets/{ticket_id}/offers", headers=market.brand_admin)
    offer_id = offers.json()[0]["id"]
    accepted = client.post(f"/api/v1/offers/{offer_id}/accept", headers=market.experts[0])
    escalated = post_form(
        client, f"/brand/tickets/{ticket_id}/escalate", {"reason": "Needs a manager"}
    )

    page = client.get(f"/brand/tickets/{ticket_id}")

    assert (accepted.status_code, escalated.status_code) == (200, 303)
    admin = market.brand_admin_email.replace("boss", "Brand ").split("@")[0] + " admin"
    assert trail_of(page.text) == [
        ("Opened by API key \u201cintake\u201d (chat, en, billing)", "API key \u201cintake\u201d"),
        ("In the queue for an expert", "GigCX"),
        (f"Offered to {expert_name}", "GigCX"),
        (f"Accepted by {expert_name}", expert_name),
        (f"Escalated to the in-house team by {admin}: Needs a manager", admin),
    ]
    raw = re.findall(r"<summary>Event record</summary>.*?<code>([a-z_.]+)</code>", page.text, re.S)
    assert raw == [
        "ticket.created",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.status_changed",
    ]
    assert f"<dt>expert_id</dt><dd><code>{market.expert_ids[0]}</code></dd>" in page.text
    api = client.get(f"/api/v1/tickets/{ticket_id}/audit", headers=market.brand_admin)
    assert [event["sentence"] for event in api.json()][2:4] == [
        f"Offered to {expert_name}",
        f"Accepted by {expert_name}",
    ]


def test_a_declined_offer_and_an_escalation_by_rule_read_as_sentences(
    client: TestClient, session: Session
) -> None:
    market = staff_market(client, session, experts=1)
    expert_name = session.get_one(Expert, uuid.UUID(market.expert_ids[0])).display_name
    ticket_id = new_ticket(client, market)
    offers = client.get(f"/api/v1/tickets/{ticket_id}/offers", headers=market.brand_admin)
    declined = client.post(
        f"/api/v1/offers/{offers.json()[0]['id']}/decline", headers=market.experts[0]
    )

    page = client.get(f"/brand/tickets/{ticket_id}")

    assert declined.status_code == 200
    assert [sentence for sentence, _ in trail_of(page.text)][-2:] == [
        f"Declined by {expert_name}; back in the queue",
        "Escalated to the in-house team: no eligible expert online",
    ]


# Kinds written with an f-string, and every value their placeholders take.
TEMPLATED_KINDS: dict[str, list[str] | list[tuple[str, str]]] = {
    "tier.{}": [
        "promoted",
        "warned",
        "warned_earlier",
        "demoted",
        "removal_proposed",
        "resolved",
    ],
    "assist.answer_{}": ["proposed", "approved", "rejected"],
    "sla.{}.at_risk": ["first_response", "resolution"],
    "sla.{}.breached": ["first_response", "resolution"],
    "privacy.{}_requested": ["export", "erasure"],
    "coverage.{}": ["surge", "invite", "recruit"],
    "privacy.{}_{}": [("export", "done"), ("erasure", "done"), ("erasure", "refused")],
}


def _text(node: ast.expr, constants: dict[str, str]) -> list[str]:
    """The kinds an ``action`` argument can be."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.JoinedStr):
        shape = "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
        assert shape in TEMPLATED_KINDS, f"list the kinds of {shape!r} in TEMPLATED_KINDS"
        values = TEMPLATED_KINDS[shape]
        return [shape.format(*v) if isinstance(v, tuple) else shape.format(v) for v in values]
    return []


def written_kinds() -> set[str]:
    """Every audit event kind the code writes, read from its source."""
    kinds: set[str] = set()
    for path in Path(gigcx.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        constants = {
            target.id: node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            # action = f"sla.{name}.at_risk": a local later passed as action=action
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.JoinedStr)
                and any(isinstance(t, ast.Name) and t.id == "action" for t in node.targets)
            ):
                kinds.update(_text(node.value, constants))
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            recorders = (
                "audit_service.record",
                "audit_service.note",
            )
            if name.endswith(recorders) or name in {"record", "PendingEvent"}:
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        kinds.update(_text(keyword.value, constants))
            # Helpers that take the kind as their fourth argument and pass it on to record.
            if name.endswith(("audit_course", "_audit")) and len(node.args) >= 4:
                kinds.update(_text(node.args[3], constants))
    return kinds


def test_every_audit_event_kind_the_code_writes_has_a_sentence() -> None:
    kinds = written_kinds()

    assert len(kinds) >= 40
    assert {"ticket.created", "ticket.escalation_legitimate", "sla.resolution.breached"} <= kinds
    assert "certification.granted" in kinds and "staff.role_changed" in kinds
    assert sorted(kinds - set(KINDS)) == []
    assert sorted(set(KINDS) - kinds) == []
