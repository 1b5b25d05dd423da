"""Take mail over LMTP from the local mail server (Postfix, Exim, ...), on 127.0.0.1 only.

``RCPT TO`` is accepted for the address of an active mailbox (``support+token@`` reaches
``support@``) and refused with 550 otherwise; after ``DATA`` each recipient gets its own answer
(LMTP), and each recipient's delivery is one unit of work. Mail over the size limit is refused
with 552 before it is read; unreadable mail with 550, so the sending server bounces it; a
database failure answers 451 and the sending server tries again later.
"""

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.email import inbound
from gigcx.channels.email.enums import InboundTransport
from gigcx.channels.email.errors import MailTooLarge, UnreadableMail
from gigcx.config import get_settings
from gigcx.db.session import get_sessionmaker, unit_of_work

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


def _find_mailbox(factory: sessionmaker[Session], address: str) -> bool:
    with unit_of_work(factory, writes=False) as session:
        return inbound.mailbox_for_address(session, address) is not None


def deliver(factory: sessionmaker[Session], recipient: str, raw: bytes) -> str:
    """Take one mail for one recipient in its own unit of work; the LMTP answer for it."""
    try:
        with unit_of_work(factory) as session:
            mailbox = inbound.mailbox_for_address(session, recipient)
            if mailbox is None:
                return f"550 5.1.1 <{recipient}>: no active GigCX mailbox has this address"
            result = inbound.ingest(
                session,
                mailbox,
                raw,
                transport=InboundTransport.LMTP,
                envelope_recipients=(recipient.lower(),),
            )
    except MailTooLarge as error:
        return f"552 5.3.4 {error.detail}"
    except UnreadableMail as error:
        return f"550 5.6.0 {error.detail}"
    except Exception:
        log.exception("LMTP delivery to %s failed", recipient)
        return "451 4.3.0 the mail could not be stored now; try again later"
    ticket = f" ticket {result.ticket_id}" if result.ticket_id else ""
    return f"250 2.0.0 <{recipient}> {result.outcome}{ticket}"


class InboundHandler:
    """aiosmtpd hooks: database work runs in a thread, never on the event loop."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, options: Any
    ) -> str:
        try:
            known = await asyncio.to_thread(_find_mailbox, self.factory, address)
        except Exception:
            log.exception("LMTP: looking up %s failed", address)
            return "451 4.3.0 cannot look the address up now; try again later"
        if not known:
            return f"550 5.1.1 <{address}>: no active GigCX mailbox has this address"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: SmtpSession, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        answers = []
        for recipient in envelope.rcpt_tos:
            answers.append(await asyncio.to_thread(deliver, self.factory, recipient, raw))
        return "\r\n".join(answers)


class LmtpController(Controller):
    """aiosmtpd's threaded controller speaking LMTP."""

    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def listener(port: int, factory: sessionmaker[Session] | None = None) -> LmtpController:
    """An LMTP listener on 127.0.0.1:``port`` (call ``start()`` and ``stop()``)."""
    return LmtpController(
        InboundHandler(factory or get_sessionmaker()),
        hostname=HOST,
        port=port,
        data_size_limit=get_settings().max_inbound_email_bytes,
        ident="GigCX LMTP",
    )
