"""Raw mail in over HTTP: for a provider's inbound route or a mail server's pipe."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from gigcx.api.deps import INTAKE_SCOPE, BrandStaff, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.auth.principal import Principal
from gigcx.channels.email import inbound
from gigcx.channels.email.enums import InboundTransport
from gigcx.channels.email.errors import MailboxNotFound, MailTooLarge
from gigcx.channels.email.models import Mailbox
from gigcx.channels.email.parsing import parse
from gigcx.channels.email.schemas import InboundEmailRead
from gigcx.config import get_settings
from gigcx.errors import DomainError

router = APIRouter(tags=["inbound mail"], responses=ERROR_RESPONSES)

INBOUND_EMAIL_PATH = "/api/v1/inbound/email"
MEDIA_TYPE = "message/rfc822"


class NotRawMail(DomainError):
    status_code = 415

    def __init__(self, content_type: str) -> None:
        super().__init__(
            f"send the mail's raw bytes with Content-Type: {MEDIA_TYPE} (got {content_type!r})"
        )


async def raw_mail(request: Request) -> bytes:
    """The request body, read whole (the request guard caps its size)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != MEDIA_TYPE:
        raise NotRawMail(content_type)
    return await request.body()


def _mailbox(session: Session, principal: Principal, address: str | None, raw: bytes) -> Mailbox:
    if address is not None:
        found = inbound.mailbox_for_address(session, address)
        if found is None or not principal.can_see_brand(found.brand_id):
            raise MailboxNotFound(address)
        return found
    mail = parse(raw)
    for recipient in mail.recipients:
        found = inbound.mailbox_for_address(session, recipient)
        if found is not None and principal.can_see_brand(found.brand_id):
            return found
    raise MailboxNotFound(None)


@router.post(
    "/inbound/email",
    status_code=202,
    responses={
        413: {"description": "The mail is larger than GIGCX_MAX_INBOUND_EMAIL_BYTES"},
        415: {"description": "The body is not sent as message/rfc822"},
    },
    openapi_extra={
        **INTAKE_SCOPE,
        "requestBody": {
            "required": True,
            "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
    },
)
def receive_email(
    session: SessionDep,
    principal: BrandStaff,
    raw: Annotated[bytes, Depends(raw_mail)],
    mailbox: Annotated[
        str | None,
        Query(
            max_length=254,
            description="the mailbox's address; left out, the first of the mail's recipients "
            "(Delivered-To, X-Original-To, To, Cc) that is a mailbox of your brand",
            examples=["support@brand.example"],
        ),
    ] = None,
) -> InboundEmailRead:
    """Take one mail, sent as its raw RFC 822 bytes, into one of your brand's mailboxes.

    The answer says what became of it: a new ticket, a reply added to its ticket (``threaded``),
    a ``duplicate`` of a mail that came before (same Message-ID: nothing is stored again), kept
    without a ticket (``ignored``: auto-replies, bounces, floods) or ``refused`` (a forged reply
    address). Mail that cannot be read is answered with 400, mail over
    ``GIGCX_MAX_INBOUND_EMAIL_BYTES`` with 413. Authenticate with the brand's API key.
    """
    limit = get_settings().max_inbound_email_bytes
    if len(raw) > limit:
        raise MailTooLarge(len(raw), limit)
    found = _mailbox(session, principal, mailbox, raw)
    recipients = (mailbox.lower(),) if mailbox else ()
    result = inbound.ingest(
        session, found, raw, transport=InboundTransport.HTTP, envelope_recipients=recipients
    )
    return InboundEmailRead(
        inbound_id=result.inbound_id,
        outcome=result.outcome,
        reason=result.reason,
        detail=result.detail,
        ticket_id=result.ticket_id,
        message_id=result.message_id,
        may_acknowledge=result.may_acknowledge,
        refused_files=list(result.refused_files),
    )
