"""The real application plus one bench-only endpoint; bench/intake.py serves it with uvicorn.

    uvicorn --factory _intake_app:create_bench_app --app-dir bench --workers 2

``POST /bench/insert`` is the floor to compare ticket intake with: the same FastAPI app, the same
request session dependency (one unit of work, committed once), SQLAlchemy and the same database,
but only one row written (an audit event) and no authentication. ``GET /bench/pid`` says which
worker process serves a connection; ``POST /bench/commit-order`` shows whether the request's
commit happens before or after its response is sent. ``GET /bench/statements`` says how many
requests of each path this process answered and how many SQL statements they sent.
"""

import contextvars
import os
import threading
import time
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from gigcx.api.deps import SessionDep
from gigcx.app import create_app
from gigcx.audit.models import AuditEvent
from gigcx.auth.enums import Role
from gigcx.kit.ids import new_id

BENCH_ACTION = "bench.insert"
COMMIT_HOLD_SECONDS = 0.5


class Inserted(BaseModel):
    id: str


# The counter of the request being served: context variables follow a request into the
# thread pool that runs its endpoint and dependencies.
_current: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "bench_statements", default=None
)
_lock = threading.Lock()
# path -> [requests, statements]
_totals: dict[str, list[int]] = {}


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(*_: Any) -> None:
    counter = _current.get()
    if counter is not None:
        counter[0] += 1


class _StatementCount:
    """Count each request's SQL statements, per method and path (plain ASGI: cheap)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        token = _current.set(counter)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
            with _lock:
                totals = _totals.setdefault(f"{scope['method']} {scope['path']}", [0, 0])
                totals[0] += 1
                totals[1] += counter[0]


def create_bench_app() -> FastAPI:
    """Build the application as the server does, and add the bench endpoint."""
    app = create_app()
    app.add_middleware(_StatementCount)

    @app.post("/bench/insert", status_code=201, tags=["bench"])
    def insert_one(session: SessionDep) -> Inserted:
        """Write one audit event through the request's unit of work. Public; bench only."""
        event = AuditEvent(
            id=new_id(),
            brand_id=None,
            actor_role=Role.SYSTEM,
            actor_id=None,
            action=BENCH_ACTION,
            subject_type="bench",
            subject_id=new_id(),
            data={},
        )
        session.add(event)
        return Inserted(id=str(event.id))

    @app.post("/bench/commit-order", tags=["bench"])
    def commit_order(session: SessionDep) -> dict[str, float]:
        """Hold this request's commit for a while: an answer sooner means it commits after."""
        event.listen(session, "before_commit", lambda _session: time.sleep(COMMIT_HOLD_SECONDS))
        return {"hold_seconds": COMMIT_HOLD_SECONDS}

    @app.get("/bench/statements", tags=["bench"])
    def statements() -> dict[str, Any]:
        """Requests answered and SQL statements sent, per method and path, by this process."""
        with _lock:
            return {"pid": os.getpid(), "paths": {k: list(v) for k, v in _totals.items()}}

    @app.get("/bench/pid", tags=["bench"])
    def worker_pid() -> dict[str, int]:
        """Which server process answers on this connection. Public; bench only."""
        return {"pid": os.getpid()}

    return app
