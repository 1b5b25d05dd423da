"""The ``gigcx`` command: serve, run jobs, migrate, seed the demo, manage users, explain tickets."""

from typing import Annotated

import typer
from pydantic import EmailStr, TypeAdapter, ValidationError

from gigcx.audit import service as audit_service
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import SYSTEM
from gigcx.cli import (
    ai,
    audit,
    demo,
    jobs,
    keys,
    mail,
    payouts,
    plan_simulate,
    privacy,
    quality,
    serve,
    tax,
    tickets,
)
from gigcx.cli.output import console, domain_errors, fail, require_schema, safe_url
from gigcx.config import get_settings
from gigcx.db import migrate
from gigcx.db.session import unit_of_work

MIN_PASSWORD_LENGTH = 8

app = typer.Typer(
    name="gigcx",
    help="GigCX: open, self-hostable gig customer experience.",
    no_args_is_help=True,
    add_completion=False,
    # Tracebacks never print local variables: they may hold passwords.
    pretty_exceptions_show_locals=False,
)
app.command("serve")(serve.serve)
app.add_typer(jobs.app, name="jobs")
app.add_typer(demo.app, name="demo")
app.add_typer(tickets.app, name="tickets")
app.add_typer(quality.app, name="quality")
app.add_typer(quality.training_app, name="training")
app.add_typer(payouts.app, name="payouts")
app.add_typer(ai.app, name="ai")
app.add_typer(mail.app, name="mail")
app.add_typer(privacy.app, name="privacy")
app.add_typer(audit.app, name="audit")
app.add_typer(tax.app, name="tax")
app.add_typer(keys.app, name="keys")
plan_app = typer.Typer(help="Planning: simulated days.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")
plan_app.command("simulate")(plan_simulate.simulate)

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")


@db_app.command("upgrade")
def upgrade() -> None:
    """Bring the database schema to the newest revision."""
    url = get_settings().database_url
    migrate.upgrade(url)
    console().print(f"database {safe_url(url)} is up to date")


@users_app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's email, used to sign in.")],
    password: Annotated[
        str | None, typer.Option(help="Leave out to type it in hidden.", show_default=False)
    ] = None,
) -> None:
    """Create a platform admin."""
    try:
        email = TypeAdapter(EmailStr).validate_python(email)
    except ValidationError:
        raise fail(f"{email!r} is not an email address one can sign in with") from None
    require_schema()
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    with domain_errors(), unit_of_work() as session:
        user = auth_service.create_user(
            session,
            email=email,
            password=password,
            role=Role.PLATFORM_ADMIN,
            display_name="Platform admin",
        )
        audit_service.record(
            session,
            actor=SYSTEM,
            action="admin.created",
            subject_type="user",
            subject_id=user.id,
            brand_id=None,
            data={"role": Role.PLATFORM_ADMIN.value, "via": "cli"},
        )
    console().print(f"created platform admin {user.email}")
