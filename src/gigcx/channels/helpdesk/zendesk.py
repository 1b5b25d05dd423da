"""The Zendesk adapter: the incremental cursor export in, comments and updates out, over httpx.

Auth is HTTP basic with ``{email}/token:{api_token}``. Reads use the incremental ticket export
with users side-loaded (``include=users``) and the comments list; every write is one
``PUT /api/v2/tickets/{id}.json``: a comment (public or private, authored by the connection's
agent), a status, a group, plus tags. Zendesk has no idempotency key for ticket updates, so each
write adds a marker tag in the same update (one audit, all or nothing) and the next write on
the ticket removes the markers of writes already recorded.
"""

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from gigcx.channels.helpdesk import ratelimit
from gigcx.channels.helpdesk.connector import (
    ChangesPage,
    ExternalComment,
    ExternalTicket,
    ExternalUser,
    WriteResult,
)
from gigcx.channels.helpdesk.errors import (
    HelpdeskRateLimited,
    HelpdeskRefused,
    HelpdeskUnavailable,
)
from gigcx.config import get_settings

TIMEOUT_SECONDS = 20.0
PAGE_SIZE = 100
# Comment pages followed at most per ticket (100 comments each; Zendesk caps a ticket at 5000).
MAX_COMMENT_PAGES = 50
DEFAULT_RETRY_AFTER = 60.0
DETAIL_LIMIT = 300
HANDED_BACK_TAG = "gigcx_handed_back"
# Tags that mark our writes (see channels.helpdesk.service._push).
MARKER_PREFIX = "gigcx_w_"


def base_url_for(subdomain: str, override: str = "") -> str:
    """Where a Zendesk account answers: the connection's own URL, GIGCX_ZENDESK_BASE_URL, or
    https://<subdomain>.zendesk.com."""
    configured = override or get_settings().zendesk_base_url
    if configured:
        return configured.replace("{subdomain}", subdomain).rstrip("/")
    return f"https://{subdomain}.zendesk.com"


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _user(raw: Mapping[str, Any]) -> ExternalUser:
    email = raw.get("email")
    return ExternalUser(
        id=int(raw["id"]),
        name=str(raw.get("name") or "")[:120],
        email=email if isinstance(email, str) and email else None,
    )


def _ticket(raw: Mapping[str, Any], users: Mapping[int, ExternalUser]) -> ExternalTicket:
    requester_id = int(raw.get("requester_id") or 0)
    tags = raw.get("tags") or []
    return ExternalTicket(
        id=int(raw["id"]),
        subject=str(raw.get("subject") or raw.get("raw_subject") or ""),
        description=str(raw.get("description") or ""),
        status=str(raw.get("status") or ""),
        priority=raw.get("priority") if isinstance(raw.get("priority"), str) else None,
        requester=users.get(requester_id),
        requester_id=requester_id,
        group_id=_int_or_none(raw.get("group_id")),
        form_id=_int_or_none(raw.get("ticket_form_id")),
        tags=tuple(str(tag) for tag in tags if isinstance(tag, str)),
        updated_at=str(raw.get("updated_at") or ""),
    )


def _comment(raw: Mapping[str, Any]) -> ExternalComment:
    body = raw.get("plain_body") or raw.get("body") or ""
    return ExternalComment(
        id=int(raw["id"]),
        author_id=int(raw.get("author_id") or 0),
        body=str(body),
        is_public=bool(raw.get("public", True)),
        created_at=str(raw.get("created_at") or ""),
    )


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 1.0), 3600.0)


def _detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:DETAIL_LIMIT] or response.reason_phrase
    if isinstance(data, dict):
        parts = [data.get("error"), data.get("description"), data.get("details")]
        text = "; ".join(str(part) for part in parts if part)
        return (text or str(data))[:DETAIL_LIMIT]
    return str(data)[:DETAIL_LIMIT]


class ZendeskConnector:
    """One Zendesk account, its calls paced by the account's token bucket."""

    def __init__(
        self,
        *,
        base_url: str,
        email: str,
        api_token: str,
        agent_id: int,
        requests_per_minute: int,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.agent_id = agent_id
        self.bucket = ratelimit.bucket_for(base_url, requests_per_minute)
        self.client = httpx.Client(
            base_url=base_url,
            auth=(f"{email}/token", api_token),
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "GigCX helpdesk connector"},
            transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "ZendeskConnector":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
    ) -> dict[str, Any]:
        self.bucket.acquire()
        try:
            response = self.client.request(method, path, params=params, json=json)
        except httpx.HTTPError as error:
            raise HelpdeskUnavailable(f"{method} {path}: {type(error).__name__}: {error}") from None
        if response.status_code == 429:
            wait = _retry_after(response)
            self.bucket.pause(wait)
            raise HelpdeskRateLimited(wait)
        if response.status_code >= 500:
            raise HelpdeskUnavailable(
                f"{method} {path}: HTTP {response.status_code}: {_detail(response)}"
            )
        if response.status_code in {401, 403}:
            # Passing until the brand fixes its settings: writes wait for it.
            raise HelpdeskUnavailable(
                f"{method} {path}: Zendesk refused the sign-in (HTTP {response.status_code}); "
                "check the agent email and API token"
            )
        if response.status_code >= 300:
            raise HelpdeskRefused(response.status_code, f"{method} {path}: {_detail(response)}")
        try:
            data = response.json()
        except ValueError:
            raise HelpdeskUnavailable(f"{method} {path}: the answer is not JSON") from None
        if not isinstance(data, dict):
            raise HelpdeskUnavailable(f"{method} {path}: the answer is not a JSON object")
        return data

    def pull_changes(self, cursor: str | None, *, start_time: int) -> ChangesPage:
        """Tickets changed after ``cursor`` (or ``start_time``), with their requesters."""
        params: dict[str, str | int] = {"include": "users", "per_page": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        else:
            params["start_time"] = start_time
        data = self._call("GET", "/api/v2/incremental/tickets/cursor.json", params=params)
        users = {user.id: user for user in map(_user, data.get("users") or [])}
        tickets = [_ticket(raw, users) for raw in data.get("tickets") or []]
        after = data.get("after_cursor")
        return ChangesPage(
            tickets=tickets,
            next_cursor=after if isinstance(after, str) and after else cursor,
            is_end=bool(data.get("end_of_stream", True)),
        )

    def list_comments(self, ticket_id: int) -> list[ExternalComment]:
        """Every comment of the ticket, oldest first, following ``next_page``."""
        comments: list[ExternalComment] = []
        path = f"/api/v2/tickets/{ticket_id}/comments.json"
        params: dict[str, str | int] = {"sort_order": "asc", "per_page": PAGE_SIZE}
        for page in range(1, MAX_COMMENT_PAGES + 1):
            data = self._call("GET", path, params={**params, "page": page})
            comments.extend(_comment(raw) for raw in data.get("comments") or [])
            if not data.get("next_page"):
                break
        return comments

    def _update(
        self,
        ticket_id: int,
        fields: dict[str, Any],
        *,
        marker: str,
        forget: Sequence[str],
        tags: Sequence[str] = (),
    ) -> WriteResult:
        ticket: dict[str, Any] = {**fields, "additional_tags": [marker, *tags]}
        stale = [tag for tag in forget if tag != marker]
        if stale:
            ticket["remove_tags"] = stale
        data = self._call("PUT", f"/api/v2/tickets/{ticket_id}.json", json={"ticket": ticket})
        events = (data.get("audit") or {}).get("events") or []
        for event in events:
            if isinstance(event, dict) and event.get("type") == "Comment" and "id" in event:
                return WriteResult(comment_id=int(event["id"]))
        return WriteResult()

    def post_comment(
        self,
        ticket_id: int,
        body: str,
        *,
        is_public: bool,
        marker: str,
        forget: Sequence[str] = (),
    ) -> WriteResult:
        """Add a public reply or a private note, authored by the connection's agent."""
        comment = {"body": body, "public": is_public, "author_id": self.agent_id}
        return self._update(ticket_id, {"comment": comment}, marker=marker, forget=forget)

    def set_status(
        self, ticket_id: int, status: str, *, marker: str, forget: Sequence[str] = ()
    ) -> WriteResult:
        """Set the ticket's status (``solved`` when GigCX resolved it)."""
        return self._update(ticket_id, {"status": status}, marker=marker, forget=forget)

    def hand_back(
        self,
        ticket_id: int,
        group_id: int | None,
        note: str,
        *,
        marker: str,
        forget: Sequence[str] = (),
    ) -> WriteResult:
        """Reassign to the brand's group, with a private note and the tag gigcx_handed_back."""
        fields: dict[str, Any] = {
            "comment": {"body": note, "public": False, "author_id": self.agent_id},
            "status": "open",
            "assignee_id": None,
        }
        if group_id is not None:
            fields["group_id"] = group_id
        return self._update(
            ticket_id, fields, marker=marker, forget=forget, tags=(HANDED_BACK_TAG,)
        )

    def written_markers(self, ticket_id: int) -> set[str]:
        """Our marker tags on the ticket: the writes that landed."""
        data = self._call("GET", f"/api/v2/tickets/{ticket_id}.json")
        tags = (data.get("ticket") or {}).get("tags") or []
        return {tag for tag in tags if isinstance(tag, str) and tag.startswith(MARKER_PREFIX)}

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        """Check Zendesk's webhook signature: base64 HMAC-SHA256 of timestamp + body."""
        lowered = {name.lower(): value for name, value in headers.items()}
        signature = lowered.get("x-zendesk-webhook-signature", "")
        timestamp = lowered.get("x-zendesk-webhook-signature-timestamp", "")
        if not signature or not timestamp:
            return False
        digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), signature)
