"""The JSON API under /api/v1, with OpenAPI at /docs."""

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DBAPIError

from gigcx.api.routes import (
    assist,
    auth,
    brands,
    chat,
    community,
    compliance,
    earnings,
    experts,
    inbound,
    offers,
    pay,
    programs,
    quality,
    sso,
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
        compliance,
    ):
        router.include_router(module.router)
    return router


# Served from the packaged front-end libraries (``make vendor``), so the docs work offline.
VENDOR = "/static/vendor"
FAVICON = "/static/favicon.svg"


def install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc, loading nothing from outside the server."""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR}/swagger-ui.css",
            swagger_favicon_url=FAVICON,
            # No badge that asks swagger.io to validate the schema.
            # Sections start folded: over a hundred operations unfolded at once are slow to
            # read and, past about 135 of them, the bundled Swagger UI stops rendering the rest.
            swagger_ui_parameters={"validatorUrl": None, "docExpansion": "none"},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            redoc_js_url=f"{VENDOR}/redoc.standalone.js",
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )


def install_api(app: FastAPI) -> None:
    app.include_router(api_router())
    install_docs(app)

    @app.get("/healthz", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness probe: the process answers. Public."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "Not ready"}})
    def ready(request: Request) -> Response:
        """Readiness probe: the database answers and its schema is the code's. Public."""
        try:
            with request.app.state.sessionmaker() as session:
                current = migrate.current_revision(session)
        except DBAPIError:
            detail = "the database does not answer; check GIGCX_DATABASE_URL and the server"
            return JSONResponse({"detail": detail}, status_code=503)
        head = migrate.head_revision()
        if current != head:
            where = f"is at revision {current}" if current else "has no schema yet"
            detail = f"the database {where}, the code needs {head}; run `gigcx db upgrade`"
            return JSONResponse({"detail": detail}, status_code=503)
        return JSONResponse({"status": "ready", "revision": current})
