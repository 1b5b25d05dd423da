"""The server-rendered web UI: same services as the API, pages instead of JSON."""

from importlib.resources import files

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from gigcx.errors import DomainError
from gigcx.web.deps import (
    SECURITY_PATH,
    LoginRequired,
    SecondFactorSetupRequired,
    login_redirect,
    refuse_unstorable_text,
    render,
)
from gigcx.web.routes import (
    account_security,
    admin_brands,
    brand_console,
    chat_widget,
    compliance_pages,
    customer,
    expert_account,
    expert_chat,
    expert_community,
    expert_compliance,
    expert_forecast,
    expert_pay,
    expert_profile,
    expert_quality,
    expert_rights,
    expert_work,
    passwords,
    pay_statements,
    public,
    sso,
    ticket_files,
)


def install_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(files("gigcx.web") / "static")), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """Browsers ask for /favicon.ico on their own; the icon is an SVG."""
        return RedirectResponse("/static/favicon.svg", status_code=301)

    for module in (
        public,
        sso,
        passwords,
        customer,
        chat_widget,
        expert_work,
        expert_chat,
        expert_profile,
        expert_account,
        expert_community,
        expert_forecast,
        expert_quality,
        expert_pay,
        expert_rights,
        brand_console,
        admin_brands,
        pay_statements,
        ticket_files,
        account_security,
        expert_compliance,
        compliance_pages,
    ):
        # Every form is checked for text no database can store before any route reads it.
        app.include_router(module.router, dependencies=[Depends(refuse_unstorable_text)])

    @app.exception_handler(LoginRequired)
    async def login_required(_request: Request, error: LoginRequired) -> Response:
        return login_redirect(error.next_path)

    @app.exception_handler(SecondFactorSetupRequired)
    async def second_factor_required(_request: Request, _error: Exception) -> Response:
        return RedirectResponse(f"{SECURITY_PATH}?required=1", status_code=303)


def error_page(request: Request, error: DomainError) -> Response:
    """Render a domain error as a page, with the same status the API would give."""
    context = {"status_code": error.status_code, "detail": error.detail, "user": None}
    return render(request, "error.html", context, status_code=error.status_code)
