"""The brand's mailboxes: its support addresses, where their mail comes from and goes out.

Brand admins add and edit them; every page shows when each was last polled and the last
error. Passwords in server addresses are never shown back: the form keeps a stored password
when the address is sent again with ``****`` in its place.
"""

import uuid
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep, refuse
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Channel
from gigcx.channels.email import mailboxes as mailboxes_service
from gigcx.channels.email.imap import mask_url
from gigcx.channels.email.models import Mailbox
from gigcx.channels.email.schemas import MAX_POLL_SECONDS, MIN_POLL_SECONDS, MailboxIn
from gigcx.errors import DomainError
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes.brand_common import page_context, programs_of, require_manager

router = APIRouter(include_in_schema=False)

MASK = "****"


def _shown(mailbox: Mailbox) -> dict[str, Any]:
    return {
        "id": mailbox.id,
        "address": mailbox.address,
        "display_name": mailbox.display_name,
        "program_id": mailbox.program_id,
        "smtp_url": mask_url(mailbox.smtp_url),
        "imap_url": mask_url(mailbox.imap_url),
        "poll_seconds": mailbox.poll_seconds,
        "is_active": mailbox.is_active,
        "last_polled_at": mailbox.last_polled_at,
        "last_error": mailbox.last_error,
    }


def _values(mailbox: Mailbox | None) -> dict[str, Any]:
    if mailbox is None:
        return {"poll_seconds": 60, "is_active": True}
    return _shown(mailbox)


def _unmasked(sent: str, stored: str) -> str:
    """The address as sent, with a masked password put back from the stored one."""
    if MASK not in sent or not stored:
        return sent
    stored_password = urlsplit(stored).password or ""
    return sent.replace(f":{MASK}@", f":{stored_password}@", 1)


def _page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    editing: Mailbox | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    brand_id = require_manager(user)
    email_programs = [p for p in programs_of(session, user) if Channel.EMAIL in p.channels]
    context = page_context(
        user,
        mailboxes=[_shown(m) for m in mailboxes_service.brand_mailboxes(session, brand_id)],
        programs=[(str(p.id), p.name) for p in email_programs],
        program_names={p.id: p.name for p in programs_of(session, user)},
        editing=editing,
        values=values if values is not None else _values(editing),
        errors=errors or {},
        min_poll=MIN_POLL_SECONDS,
        max_poll=MAX_POLL_SECONDS,
    )
    return render(request, "brand/mailboxes.html", context, status_code=status_code)


@router.get("/brand/mailboxes", response_class=HTMLResponse)
def mailboxes(request: Request, session: SessionDep, user: WebStaff, edit: str = "") -> Response:
    """The brand's mailboxes, and the form to add one (or edit the one named by ``edit``)."""
    require_manager(user)
    editing = None
    if edit:
        try:
            editing = mailboxes_service.get_mailbox(session, user, uuid.UUID(edit))
        except ValueError:
            editing = None
    return _page(request, session, user, editing=editing)


@router.post("/brand/mailboxes", dependencies=[CsrfChecked])
def save_mailbox(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    mailbox_id: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    program_id: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    smtp_url: Annotated[str, Form()] = "",
    imap_url: Annotated[str, Form()] = "",
    poll_seconds: Annotated[str, Form()] = "60",
    is_active: Annotated[str, Form()] = "",
) -> Response:
    """Add a mailbox, or change the one named by ``mailbox_id``."""
    require_manager(user)
    editing = None
    if mailbox_id:
        try:
            editing = mailboxes_service.get_mailbox(session, user, uuid.UUID(mailbox_id))
        except ValueError:
            editing = None
    smtp_url, imap_url = smtp_url.strip(), imap_url.strip()
    if editing is not None:
        smtp_url = _unmasked(smtp_url, editing.smtp_url)
        imap_url = _unmasked(imap_url, editing.imap_url)
    values: dict[str, Any] = {
        "address": address.strip(),
        "program_id": program_id,
        "display_name": display_name,
        "smtp_url": smtp_url,
        "imap_url": imap_url,
        "poll_seconds": poll_seconds,
        "is_active": is_active == "true",
    }
    shown = {**values, "smtp_url": mask_url(smtp_url), "imap_url": mask_url(imap_url)}
    try:
        data = MailboxIn.model_validate(values)
        mailboxes_service.save_mailbox(
            session, user, data, mailbox_id=editing.id if editing is not None else None
        )
    except ValidationError as error:
        refuse(request)
        return _page(
            request,
            session,
            user,
            editing=editing,
            values=shown,
            errors=field_errors(error),
            status_code=400,
        )
    except DomainError as error:
        refuse(request)
        return _page(
            request,
            session,
            user,
            editing=editing,
            values=shown,
            errors={"form": error.detail},
            status_code=error.status_code,
        )
    return redirect("/brand/mailboxes")
