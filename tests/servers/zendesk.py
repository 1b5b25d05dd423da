"""A fake Zendesk for tests: a real HTTP server on a free local port, in a thread.

It answers the few endpoints the connector uses with the payload shapes recorded from Zendesk's
API reference (tests/fixtures/zendesk/), keeps tickets, users and comments in memory, checks
basic auth (``{email}/token:{api_token}``), and fails on demand: a 500 or a 429 with
Retry-After before doing anything, or a write applied and then the connection dropped without an
answer (the "crash in the middle" seen from our side).
"""

import base64
import copy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "zendesk"
EMAIL = "gigcx@acme.example.com"
TOKEN = "zd-token-6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv"
AGENT_ID = 900_001


def fixture(name: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / name).read_text())
    assert isinstance(data, dict)
    return data


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{seq}||gigcx".encode()).decode()


def _seq(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split("||")[0])
    except ValueError:
        return -1


@dataclass
class Comment:
    id: int
    author_id: int
    body: str
    public: bool
    created_at: str


@dataclass
class Ticket:
    id: int
    subject: str
    description: str
    requester_id: int
    status: str = "new"
    priority: str | None = "normal"
    group_id: int | None = None
    form_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    created_ts: float = 0.0
    updated_at: str = ""
    seq: int = 0


@dataclass
class Zendesk:
    """The fake's state, and the switches that make it fail."""

    url: str = ""
    email: str = EMAIL
    token: str = TOKEN
    tickets: dict[int, Ticket] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    # Answer the next N requests (whose path contains the text) with a 500 / the 429 fixture.
    fail_500: list[str] = field(default_factory=list)
    fail_429: list[str] = field(default_factory=list)
    # Apply the next N ticket updates, then drop the connection without answering.
    drop_after_write: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    next_id: int = 10_000
    seq: int = 0

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def reset(self) -> None:
        with self.lock:
            self.tickets.clear()
            self.users.clear()
            self.requests.clear()
            self.fail_500.clear()
            self.fail_429.clear()
            self.drop_after_write = 0

    def _touch(self, ticket: Ticket) -> None:
        self.seq += 1
        ticket.seq = self.seq
        ticket.updated_at = _now()

    def add_user(self, name: str, email: str | None) -> int:
        with self.lock:
            user = copy.deepcopy(fixture("user.json")["user"])
            user.update(id=self._id(), name=name, email=email)
            self.users[user["id"]] = user
            return int(user["id"])

    def add_ticket(
        self,
        *,
        subject: str,
        description: str,
        requester_id: int,
        tags: list[str] | None = None,
        group_id: int | None = None,
        form_id: int | None = None,
        status: str = "new",
        priority: str | None = "normal",
    ) -> Ticket:
        with self.lock:
            ticket = Ticket(
                id=self._id(),
                subject=subject,
                description=description,
                requester_id=requester_id,
                status=status,
                priority=priority,
                group_id=group_id,
                form_id=form_id,
                tags=list(tags or []),
                created_ts=datetime.now(UTC).timestamp(),
            )
            ticket.comments.append(Comment(self._id(), requester_id, description, True, _now()))
            self._touch(ticket)
            self.tickets[ticket.id] = ticket
            return ticket

    def customer_writes(self, ticket_id: int, body: str) -> Comment:
        """The requester adds a public comment (by mail or the help center)."""
        with self.lock:
            ticket = self.tickets[ticket_id]
            comment = Comment(self._id(), ticket.requester_id, body, True, _now())
            ticket.comments.append(comment)
            if ticket.status in {"pending", "solved"}:
                ticket.status = "open"
            self._touch(ticket)
            return comment

    def comments_by(self, ticket_id: int, author_id: int) -> list[Comment]:
        return [c for c in self.tickets[ticket_id].comments if c.author_id == author_id]

    def ticket_json(self, ticket: Ticket) -> dict[str, Any]:
        data: dict[str, Any] = copy.deepcopy(fixture("ticket.json")["ticket"])
        data.update(
            url=f"{self.url}/api/v2/tickets/{ticket.id}.json",
            id=ticket.id,
            subject=ticket.subject,
            raw_subject=ticket.subject,
            description=ticket.description,
            status=ticket.status,
            priority=ticket.priority,
            requester_id=ticket.requester_id,
            submitter_id=ticket.requester_id,
            assignee_id=ticket.assignee_id,
            group_id=ticket.group_id,
            ticket_form_id=ticket.form_id,
            tags=sorted(ticket.tags),
            updated_at=ticket.updated_at,
        )
        return data

    def comment_json(self, comment: Comment) -> dict[str, Any]:
        data: dict[str, Any] = copy.deepcopy(fixture("comments.json")["comments"][0])
        data.update(
            id=comment.id,
            author_id=comment.author_id,
            body=comment.body,
            plain_body=comment.body,
            html_body=f'<div class="zd-comment"><p dir="auto">{comment.body}</p></div>',
            public=comment.public,
            created_at=comment.created_at,
        )
        return data


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    @property
    def zendesk(self) -> Zendesk:
        return self.server.zendesk

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _is_authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == f"{self.zendesk.email}/token" and password == self.zendesk.token

    def _take_failure(self, queue: list[str], path: str) -> bool:
        for index, needle in enumerate(queue):
            if needle in path:
                del queue[index]
                return True
        return False

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        zendesk = self.zendesk
        with zendesk.lock:
            zendesk.requests.append((method, path))
            if not self._is_authorized():
                self._send(401, {"error": "Couldn't authenticate you"})
                return
            if self._take_failure(zendesk.fail_429, path):
                recorded = fixture("rate_limited.json")
                self._send(429, recorded["body"], recorded["headers"])
                return
            if self._take_failure(zendesk.fail_500, path):
                self._send(500, {"error": "InternalError", "description": "Something went wrong"})
                return
            if method == "GET" and path == "/api/v2/incremental/tickets/cursor.json":
                self._export(query)
            elif method == "GET" and path.endswith("/comments.json"):
                self._comments(path, query)
            elif method == "GET" and path.startswith("/api/v2/tickets/"):
                ticket = self._ticket(path)
                if ticket is not None:
                    self._send(200, {"ticket": zendesk.ticket_json(ticket)})
            elif method == "PUT" and path.startswith("/api/v2/tickets/"):
                self._update(path, raw)
            else:
                self._send(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _ticket(self, path: str) -> Ticket | None:
        name = path.removeprefix("/api/v2/tickets/").split("/")[0].removesuffix(".json")
        ticket = self.zendesk.tickets.get(int(name)) if name.isdigit() else None
        if ticket is None:
            self._send(404, {"error": "RecordNotFound", "description": "Not found"})
        return ticket

    def _export(self, query: dict[str, list[str]]) -> None:
        zendesk = self.zendesk
        per_page = min(int(query.get("per_page", ["1000"])[0]), 1000)
        if "cursor" in query:
            after = _seq(query["cursor"][0])
            if after < 0:
                self._send(400, {"error": "InvalidCursor"})
                return
            changed = [t for t in zendesk.tickets.values() if t.seq > after]
        elif "start_time" in query:
            start = int(query["start_time"][0])
            after = 0
            changed = [t for t in zendesk.tickets.values() if t.created_ts >= start - 1]
        else:
            self._send(400, {"error": "InvalidValue", "description": "start_time or cursor"})
            return
        changed.sort(key=lambda t: t.seq)
        page = changed[:per_page]
        last = page[-1].seq if page else after
        body = fixture("incremental_export.json")
        body["tickets"] = [zendesk.ticket_json(t) for t in page]
        if "users" in query.get("include", [""])[0]:
            ids = {t.requester_id for t in page}
            body["users"] = [zendesk.users[i] for i in sorted(ids) if i in zendesk.users]
        body["after_cursor"] = _cursor(last)
        body["after_url"] = (
            f"{zendesk.url}/api/v2/incremental/tickets/cursor.json?cursor={_cursor(last)}"
        )
        body["end_of_stream"] = len(changed) <= per_page
        self._send(200, body)

    def _comments(self, path: str, query: dict[str, list[str]]) -> None:
        ticket = self._ticket(path)
        if ticket is None:
            return
        per_page = min(int(query.get("per_page", ["100"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        chosen = ticket.comments[(page - 1) * per_page : page * per_page]
        body = fixture("comments.json")
        body["comments"] = [self.zendesk.comment_json(c) for c in chosen]
        more = len(ticket.comments) > page * per_page
        url = f"{self.zendesk.url}/api/v2/tickets/{ticket.id}/comments.json"
        body["next_page"] = f"{url}?page={page + 1}&per_page={per_page}" if more else None
        body["previous_page"] = f"{url}?page={page - 1}" if page > 1 else None
        body["count"] = len(ticket.comments)
        self._send(200, body)

    def _update(self, path: str, raw: bytes) -> None:
        zendesk = self.zendesk
        ticket = self._ticket(path)
        if ticket is None:
            return
        try:
            changes = json.loads(raw)["ticket"]
        except (ValueError, KeyError, TypeError):
            self._send(400, {"error": "InvalidValue", "description": 'send {"ticket": {...}}'})
            return
        if ticket.status == "closed":
            self._send(422, fixture("closed_ticket_update.json"))
            return
        audit = fixture("update_ticket.json")["audit"]
        audit.update(id=zendesk._id(), ticket_id=ticket.id, created_at=_now())
        events: list[dict[str, Any]] = []
        comment = changes.get("comment")
        if isinstance(comment, dict) and comment.get("body"):
            made = Comment(
                zendesk._id(),
                int(comment.get("author_id") or AGENT_ID),
                str(comment["body"]),
                bool(comment.get("public", True)),
                _now(),
            )
            ticket.comments.append(made)
            event = copy.deepcopy(fixture("update_ticket.json")["audit"]["events"][0])
            event.update(
                id=made.id,
                author_id=made.author_id,
                body=made.body,
                plain_body=made.body,
                public=made.public,
                audit_id=audit["id"],
            )
            events.append(event)
        for name in ("status", "priority"):
            if name in changes:
                setattr(ticket, name, changes[name])
        if "group_id" in changes:
            ticket.group_id = changes["group_id"]
        if "assignee_id" in changes:
            ticket.assignee_id = changes["assignee_id"]
        if "tags" in changes:
            ticket.tags = list(changes["tags"])
        for tag in changes.get("additional_tags") or []:
            if tag not in ticket.tags:
                ticket.tags.append(tag)
        for tag in changes.get("remove_tags") or []:
            if tag in ticket.tags:
                ticket.tags.remove(tag)
        zendesk._touch(ticket)
        audit["events"] = events
        if zendesk.drop_after_write > 0:
            zendesk.drop_after_write -= 1
            # The update is applied; the answer never leaves.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(200, {"ticket": zendesk.ticket_json(ticket), "audit": audit})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    zendesk: Zendesk


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def _zendesk_server() -> Iterator[Zendesk]:
    zendesk = Zendesk()
    server = _Server(("127.0.0.1", _free_port()), _Handler)
    server.zendesk = zendesk
    zendesk.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-zendesk", daemon=True)
    thread.start()
    yield zendesk
    server.shutdown()
    server.server_close()


@dataclass
class FakeClock:
    """The rate limiter's clock in tests: waiting moves it on at once, and is counted."""

    time: float = 1000.0
    slept: float = 0.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds
        self.slept += seconds


@pytest.fixture
def limiter_clock() -> Iterator[FakeClock]:
    from gigcx.channels.helpdesk import ratelimit

    fake = FakeClock()
    ratelimit.use_clock(ratelimit.Clock(now=fake.now, sleep=fake.sleep))
    yield fake
    ratelimit.use_clock(ratelimit.Clock())


@pytest.fixture
def zendesk(
    _zendesk_server: Zendesk, monkeypatch: pytest.MonkeyPatch, limiter_clock: FakeClock
) -> Zendesk:
    """The fake Zendesk, emptied; GIGCX_ZENDESK_BASE_URL points at it, the limiter's clock is
    a fake one."""
    from gigcx.config import get_settings

    _zendesk_server.reset()
    monkeypatch.setattr(get_settings(), "zendesk_base_url", _zendesk_server.url)
    return _zendesk_server
