"""The ASGI application: API (and web UI) plus, in the embedded default, the job runner."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import URL, Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Scope

from gigcx import __version__, tasks
from gigcx.api.app import install_api
from gigcx.api.audit_trail import AuditTrail
from gigcx.api.errors import (
    UnreadableRequest,
    error_response,
    field_name,
    plain_validation_errors,
)
from gigcx.api.guard import BodyTooLarge, BodyTooLargeWhileReading, RequestGuard
from gigcx.api.request_context import RequestContext
from gigcx.api.routes.inbound import INBOUND_EMAIL_PATH
from gigcx.channels.email.errors import MailTooLarge
from gigcx.config import get_settings
from gigcx.db import fanout, notify
from gigcx.db.session import get_sessionmaker, is_pooled
from gigcx.errors import DomainError
from gigcx.jobs import runner
from gigcx.web import uploads
from gigcx.web.app import error_page, install_web
from gigcx.web.forms import plain_message
from gigcx.web.security_headers import SecurityHeaders

if TYPE_CHECKING:
    from gigcx.db.redis_bus import RedisListener

log = logging.getLogger(__name__)
assert tasks  # job handlers must be registered before the runner starts


# How often feeds look again where other processes' commits cannot notify this one.
FALLBACK_REFRESH_SECONDS = 2.0


def listen_url(engine: Engine) -> URL | None:
    """Where this process LISTENs for change notifications on PostgreSQL: the listen setting,
    else the engine's own address unless that goes through a pooler (None: nowhere)."""
    configured = get_settings().database_listen_url
    if configured:
        return make_url(configured)
    return None if is_pooled(engine) else engine.url


def listen_for_changes(
    factory: sessionmaker[Session],
) -> "fanout.PostgresListener | RedisListener | None":
    """Hear other processes' change notifications (one connection): on Redis where it is
    configured, else on PostgreSQL."""
    settings = get_settings()
    if settings.redis_url:
        # Loaded only where Redis is configured.
        from gigcx.db import redis_bus

        return redis_bus.RedisListener(
            settings.redis_url,
            channel=settings.redis_channel,
            handle=notify.handler(),
            fallback_seconds=FALLBACK_REFRESH_SECONDS,
        ).start()
    bind = factory.kw.get("bind")
    engine = bind.engine if isinstance(bind, Connection) else bind
    if not isinstance(engine, Engine):
        return None
    if engine.dialect.name != "postgresql":
        if get_settings().api_processes > 1:
            # SQLite tells only the process that commits: feeds fall back to looking again.
            fanout.hub().fallback_seconds = FALLBACK_REFRESH_SECONDS
        return None
    url = listen_url(engine)
    if url is None:
        log.warning(
            "live feeds look again every %.0f s: the database is reached through a pooler and "
            "GIGCX_DATABASE_LISTEN_URL (a direct PostgreSQL address for notifications) is not set",
            FALLBACK_REFRESH_SECONDS,
        )
        fanout.hub().fallback_seconds = FALLBACK_REFRESH_SECONDS
        return None
    return fanout.PostgresListener(url, channel=notify.CHANNEL, handle=notify.handler()).start()


def create_app(
    factory: sessionmaker[Session] | None = None, *, run_jobs: bool | None = None
) -> FastAPI:
    """Build the application; ``run_jobs`` starts a job runner thread alongside it."""
    settings = get_settings()
    should_run_jobs = settings.run_jobs_in_process if run_jobs is None else run_jobs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        job_runner = None
        if should_run_jobs:
            job_runner = runner.RunnerThread(
                app.state.sessionmaker, poll_seconds=settings.job_poll_seconds
            )
            job_runner.start()
            log.info("job runner started in process")
        # /readyz reports a runner that should run here and has stopped.
        app.state.job_runner = job_runner
        fallback = fanout.hub().fallback_seconds
        listener = listen_for_changes(app.state.sessionmaker)
        yield
        if listener is not None:
            listener.stop()
        fanout.hub().fallback_seconds = fallback
        # Requests have drained by now; let the job in progress finish too. One that outlasts
        # the grace period is taken over by another runner when its lease runs out.
        if job_runner is not None:
            log.info("stopping the job runner: the job in progress finishes, no new one starts")
            if not job_runner.shutdown(settings.shutdown_grace_seconds):
                log.warning("stopping with a job still running; another runner will retry it")

    app = FastAPI(
        title="GigCX",
        version=__version__,
        description="Gig customer experience: brands, programs, experts, tickets, routing, pay.",
        lifespan=lifespan,
        # Served by install_docs from packaged assets instead of a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.sessionmaker = factory or get_sessionmaker()
    install_api(app)
    install_web(app)

    def refuse(scope: Scope, error: DomainError) -> Response:
        """Answer with a domain error: JSON under /api/, a page elsewhere."""
        request = Request(scope)
        if isinstance(error, BodyTooLarge) and request.url.path == INBOUND_EMAIL_PATH:
            # Say it in the words of mail, with the setting that raises the limit.
            error = MailTooLarge(None, settings.max_inbound_email_bytes)
        if request.url.path.startswith("/api/"):
            return error_response(error)
        return error_page(request, error)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        return refuse(request.scope, error)

    @app.exception_handler(BodyTooLargeWhileReading)
    async def body_too_large(request: Request, error: BodyTooLargeWhileReading) -> Response:
        return refuse(request.scope, BodyTooLarge(error.limit))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = plain_validation_errors(error.errors())
        if request.url.path.startswith("/api/"):
            return JSONResponse(status_code=422, content={"detail": problems})
        sentences = " ".join(
            f"\N{LEFT DOUBLE QUOTATION MARK}{field_name(problem['loc'])}"
            f"\N{RIGHT DOUBLE QUOTATION MARK}: {plain_message(item)}"
            for problem, item in zip(problems, error.errors(), strict=True)
        )
        return error_page(
            request,
            UnreadableRequest(
                f"The form could not be read. {sentences} Fix it, then send the form again."
            ),
        )

    # Inside the guard: what the guard refuses never reached a route, so nothing was shown.
    app.add_middleware(AuditTrail, factory=lambda: app.state.sessionmaker)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        routes=lambda: app.routes,
        refuse=refuse,
        body_limits={
            INBOUND_EMAIL_PATH: settings.max_inbound_email_bytes,
            **dict.fromkeys(uploads.UPLOAD_PATHS, uploads.upload_body_limit()),
        },
        # The chat widget's API answers its own CORS preflights, per brand (api.routes.chat).
        cors_prefixes=("/api/v1/chat/",),
    )
    # Outside the guard, so the guard's refusals carry the headers too.
    app.add_middleware(SecurityHeaders)
    # Outermost: every response has a request id, every log line of the request carries it.
    app.add_middleware(RequestContext)
    return app
