"""Poll a mailbox over IMAP: fetch what came since the last UID, hand each mail to ingest.

The folder is opened read-only: GigCX never deletes, moves or flags the brand's mail. The
mailbox row keeps the folder's UIDVALIDITY and the last UID taken; when the server's
UIDVALIDITY changes (a rebuilt folder), the folder is read again from the start and the
Message-ID dedup of ingest keeps every mail once. Each mail is taken in its own savepoint, so
one broken mail never holds back the others; the poll ends with the UID of the last mail
taken, and a failure to reach the server is kept in ``last_error`` (the job itself succeeds).
"""

import contextlib
import imaplib
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.channels.email import inbound, parsing
from gigcx.channels.email.enums import InboundReason, InboundTransport
from gigcx.channels.email.errors import InvalidMailbox, MailTooLarge, UnreadableMail
from gigcx.channels.email.models import Mailbox
from gigcx.config import get_settings
from gigcx.db.dialect import claim
from gigcx.kit import clock

log = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 20.0
# Mails taken per poll; more are taken by the next poll, queued at once.
BATCH = 25
ERROR_LIMIT = 1000
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True, slots=True)
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    folder: str
    # "plain", "starttls" or "tls" (implicit, usually port 993).
    security: str


@dataclass(frozen=True, slots=True)
class PollResult:
    taken: int
    has_more: bool
    error: str | None


def parse_imap_url(url: str) -> ImapServer:
    """Read ``imap[s|+starttls]://user:password@host[:port]/FOLDER`` (INBOX by default)."""
    parts = urlsplit(url)
    schemes = {"imap": ("plain", 143), "imap+starttls": ("starttls", 143), "imaps": ("tls", 993)}
    if parts.scheme not in schemes or not parts.hostname or not parts.username:
        raise InvalidMailbox(
            f"cannot read the IMAP address {mask_url(url)!r}: write it as "
            "imaps://user:password@host:993/INBOX (or imap://, imap+starttls://)"
        )
    security, default_port = schemes[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise InvalidMailbox(f"the port of {mask_url(url)!r} is not a number") from None
    return ImapServer(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        security=security,
    )


def mask_url(url: str) -> str:
    """A server address with its password hidden, to show or log."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:****@{host}").geturl()


def _connect(server: ImapServer) -> imaplib.IMAP4:
    client: imaplib.IMAP4
    if server.security == "tls":
        client = imaplib.IMAP4_SSL(server.host, server.port, timeout=IMAP_TIMEOUT_SECONDS)
    else:
        client = imaplib.IMAP4(server.host, server.port, timeout=IMAP_TIMEOUT_SECONDS)
    try:
        if server.security == "starttls":
            client.starttls()
        client.login(server.username, server.password)
    except BaseException:
        client.shutdown()
        raise
    return client


def _check(response: tuple[str, Sequence[object]], what: str) -> Sequence[object]:
    status, data = response
    if status != "OK":
        detail = b" ".join(item for item in data if isinstance(item, bytes)).decode(
            "utf-8", "replace"
        )
        raise imaplib.IMAP4.error(f"{what} failed: {detail}")
    return data


def _literal(data: Sequence[object]) -> tuple[bytes, bytes] | None:
    """The (envelope line, literal) pair of a one-message FETCH answer."""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[0]), bytes(item[1])
    return None


def _new_uids(client: imaplib.IMAP4, after: int) -> list[int]:
    data = _check(client.uid("SEARCH", "UID", f"{after + 1}:*"), "UID SEARCH")
    found = data[0] if data and isinstance(data[0], bytes) else b""
    # "n:*" always matches the newest mail, even when its UID is below n.
    return sorted(uid for uid in (int(x) for x in found.split()) if uid > after)


def _take_one(session: Session, mailbox: Mailbox, client: imaplib.IMAP4, uid: int) -> None:
    limit = get_settings().max_inbound_email_bytes
    sized = _literal(
        _check(client.uid("FETCH", str(uid), "(RFC822.SIZE BODY.PEEK[HEADER])"), "FETCH")
    )
    if sized is None:
        return
    line, header = sized
    size_found = _SIZE.search(line)
    size = int(size_found.group(1)) if size_found else 0
    if size > limit:
        message_id = parsing.header_message_id(header)
        inbound.record_unusable(
            session,
            mailbox,
            header,
            transport=InboundTransport.IMAP,
            reason=InboundReason.TOO_LARGE,
            detail=MailTooLarge(size, limit).detail + " (only its header was kept)",
            key=parsing.dedup_key(message_id, header),
        )
        return
    fetched = _literal(_check(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH"))
    if fetched is None:
        return
    raw = fetched[1]
    try:
        with session.begin_nested():
            inbound.ingest(session, mailbox, raw, transport=InboundTransport.IMAP)
    except (UnreadableMail, MailTooLarge) as error:
        inbound.record_unusable(
            session,
            mailbox,
            raw,
            transport=InboundTransport.IMAP,
            reason=InboundReason.TOO_LARGE
            if isinstance(error, MailTooLarge)
            else InboundReason.UNREADABLE,
            detail=error.detail,
        )


def poll(session: Session, mailbox_id: uuid.UUID) -> PollResult | None:
    """Take the mailbox's new mail; None when it is not polled or another poll holds it."""
    mailbox = session.scalars(
        claim(session, select(Mailbox).where(Mailbox.id == mailbox_id))
    ).first()
    if mailbox is None or not mailbox.is_active or not mailbox.imap_url:
        return None
    taken, has_more, error = 0, False, None
    try:
        server = parse_imap_url(mailbox.imap_url)
        client = _connect(server)
        try:
            _check(client.select(_quoted(server.folder), readonly=True), f"SELECT {server.folder}")
            validity_data = client.response("UIDVALIDITY")[1]
            validity = int(validity_data[0]) if validity_data and validity_data[0] else 0
            if mailbox.imap_uid_validity != validity:
                if mailbox.imap_uid_validity is not None:
                    log.info(
                        "mailbox %s: UIDVALIDITY changed; reading the folder again", mailbox.id
                    )
                mailbox.imap_uid_validity = validity
                mailbox.imap_last_uid = 0
            uids = _new_uids(client, mailbox.imap_last_uid)
            for uid in uids[:BATCH]:
                _take_one(session, mailbox, client, uid)
                mailbox.imap_last_uid = uid
                taken += 1
            has_more = len(uids) > BATCH
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()
    except (OSError, imaplib.IMAP4.error, InvalidMailbox, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"[:ERROR_LIMIT]
        log.warning("mailbox %s: polling failed: %s", mailbox.id, error)
    mailbox.last_polled_at = clock.now()
    mailbox.last_error = error
    session.flush()
    return PollResult(taken=taken, has_more=has_more, error=error)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
