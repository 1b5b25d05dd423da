"""The JSON API under /api/v1, with OpenAPI at /docs."""

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gigcx.api.metrics import install_metrics
from gigcx.api.routes import (
    account_security,
    assist,
    audit,
    auth,
    brands,
    chat,
    community,
    compliance,
    decisions,
    earnings,
    experts,
    forecasts,
    inbound,
    offers,
    pay,
    privacy,
    programs,
    quality,
    sso,
    tax,
    ticket_emails,
    tickets,
    training,
    webhooks,
)
from gigcx.db import migrate


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    for module in (
        auth,
        brands,
        programs,
        experts,
        tickets,
        ticket_emails,
        offers,
        earnings,
        pay,
        training,
        quality,
        assist,
        inbound,
        webhooks,
        chat,
        community,
        sso,
        privacy,
        audit,
        account_security,
        decisions,
        tax,
        compliance,
        forecasts,
    ):
        router.include_router(module.router)
    return router


# Served from the packaged front-end libraries (``make vendor``), so the docs work offline.
VENDOR = "/static/vendor"
FAVICON = "/static/favicon.svg"


# The docs pages run no inline script (their set-up is a static file), but Swagger UI and ReDoc
# style their elements inline and ReDoc searches in a worker: their own, looser policy. They
# show the schema only, never anyone's data.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{vendor}/swagger-ui.css">
<link rel="icon" href="{favicon}" type="image/svg+xml">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{vendor}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""

REDOC_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{favicon}" type="image/svg+xml">
</head>
<body>
<redoc spec-url="{openapi_url}"></redoc>
<script src="{vendor}/redoc.standalone.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc, loading nothing from outside the server."""
    openapi_url = app.openapi_url or "/openapi.json"
    names = {
        "title": f"{app.title} API",
        "vendor": VENDOR,
        "favicon": FAVICON,
        "openapi_url": openapi_url,
    }

    # Swagger UI's settings (no validator badge that calls swagger.io; sections folded, since
    # past about 135 unfolded operations the bundled Swagger UI stops rendering the rest) are
    # in /static/api-docs.js.
    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        headers = {"Content-Security-Policy": DOCS_POLICY}
        return HTMLResponse(SWAGGER_PAGE.format(**names), headers=headers)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        headers = {"Content-Security-Policy": DOCS_POLICY}
        return HTMLResponse(REDOC_PAGE.format(**names), headers=headers)


def install_api(app: FastAPI) -> None:
    app.include_router(api_router())
    install_docs(app)
    install_metrics(app)

    @app.get("/healthz", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness probe: the process answers. Public."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "Not ready"}})
    def ready(request: Request) -> Response:
        """Readiness probe: the database answers, its schema is the code's, the job runner runs.

        Public. The job runner counts only where it runs in the server's process.
        """
        try:
            with request.app.state.sessionmaker() as session:
                session.execute(text("SELECT 1"))
                current = migrate.current_revision(session)
        except DBAPIError:
            detail = "the database does not answer; check GIGCX_DATABASE_URL and the server"
            return JSONResponse({"detail": detail}, status_code=503)
        head = migrate.head_revision()
        if current != head:
            where = f"is at revision {current}" if current else "has no schema yet"
            detail = f"the database {where}, the code needs {head}; run `gigcx db upgrade`"
            return JSONResponse({"detail": detail}, status_code=503)
        job_runner = getattr(request.app.state, "job_runner", None)
        if job_runner is not None and not job_runner.is_alive():
            detail = "the job runner of this process has stopped; restart the process"
            return JSONResponse({"detail": detail}, status_code=503)
        return JSONResponse({"status": "ready", "revision": current})
