"""Audit what a request showed or was refused, once its answer is ready and before it is sent.

- Every answer with status 403, from the API and the web pages alike, is a failed
  authorisation: who (the principal the request signed in as, or nobody) was refused which path
  (never its query or body).
- Views of unmasked personal data are noted by the view policy while the request reads
  (``audit.service.note_view``); they are written here, one event per customer per request.

Both are written in a short transaction of their own: a reading request's transaction never
writes, and a refused request's is rolled back. The answer waits for that commit, so a view
is never shown without its audit event.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.db.session import unit_of_work

PRINCIPAL = "principal"
UNIT_OF_WORK = "unit_of_work"


def remember_principal(state: Any, principal: Principal) -> None:
    """Keep who the request signed in as, for the audit of a refusal."""
    state.principal = principal


def _has_pending(scope: Scope) -> bool:
    session = (scope.get("state") or {}).get(UNIT_OF_WORK)
    return isinstance(session, Session) and audit_service.has_pending(session)


class AuditTrail:
    def __init__(self, app: ASGIApp, *, factory: Callable[[], sessionmaker[Session]]) -> None:
        self.app = app
        self.factory = factory

    def _write(self, scope: Scope, status: int) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        session: Session | None = state.get(UNIT_OF_WORK)
        pending = audit_service.take_pending(session) if session is not None else []
        if status >= 500:
            pending = []
        if status == 403:
            principal = state.get(PRINCIPAL)
            pending.append(
                audit_service.refusal(
                    principal if isinstance(principal, Principal) else None,
                    method=str(scope.get("method", "")),
                    path=str(scope.get("path", "")),
                    status=status,
                )
            )
        if not pending:
            return
        with unit_of_work(self.factory()) as audit_session:
            audit_service.record_pending(audit_session, pending)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})

        async def audited_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if status == 403 or _has_pending(scope):
                    await run_in_threadpool(self._write, scope, status)
            await send(message)

        await self.app(scope, receive, audited_send)
