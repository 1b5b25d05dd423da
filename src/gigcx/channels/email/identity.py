"""How GigCX names its mail so replies find their ticket: signed reply addresses, Message-IDs
that carry the ticket, and a subject tag.

A reply address is ``<local>+<token>@<domain>`` of the brand's mailbox; the token is the ticket
id and an HMAC of it, so nobody can aim mail at a ticket by guessing or changing an id.
"""

import base64
import hashlib
import hmac
import re
import uuid
from email.utils import parseaddr

from gigcx.channels.email.outbound import mail_domain
from gigcx.config import get_secret_key
from gigcx.errors import InvalidInput

MAC_BYTES = 8
TOKEN_LENGTH = 39  # base32 of 16 id bytes + 8 MAC bytes, unpadded
SUBJECT_TAG = re.compile(r"\[#([0-9a-f]{12})\]")
TICKET_MESSAGE_ID = re.compile(r"^<?t([0-9a-f]{32})\.")


class ForgedReplyAddress(InvalidInput):
    def __init__(self, address: str) -> None:
        super().__init__(
            f"the reply address {address!r} does not carry a valid ticket token; reply to the "
            "address of the mail you received, or write to the brand's support address"
        )


def _mac(ticket_id: uuid.UUID) -> bytes:
    key = get_secret_key().encode()
    return hmac.new(key, b"reply-address:" + ticket_id.bytes, hashlib.sha256).digest()[:MAC_BYTES]


def reply_token(ticket_id: uuid.UUID) -> str:
    raw = ticket_id.bytes + _mac(ticket_id)
    return base64.b32encode(raw).decode().rstrip("=").lower()


def reply_address(mailbox_address: str, ticket_id: uuid.UUID) -> str:
    """The address a customer's reply to this ticket goes to."""
    local, _, domain = mailbox_address.partition("@")
    return f"{local}+{reply_token(ticket_id)}@{domain}"


def ticket_id_from_address(address: str) -> uuid.UUID | None:
    """The ticket a ``local+token@`` address names; None without a token; refuse a forged one."""
    _, bare = parseaddr(address)
    local = bare.partition("@")[0]
    if "+" not in local:
        return None
    token = local.rsplit("+", 1)[1].upper()
    if len(token) != TOKEN_LENGTH:
        raise ForgedReplyAddress(bare)
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8))
    except ValueError:
        raise ForgedReplyAddress(bare) from None
    ticket_id = uuid.UUID(bytes=raw[:16])
    if not hmac.compare_digest(raw[16:], _mac(ticket_id)):
        raise ForgedReplyAddress(bare)
    return ticket_id


def ticket_message_id(ticket_id: uuid.UUID) -> str:
    """A new Message-ID for mail about a ticket: ``<t<ticket hex>.<random>@<domain>>``."""
    return f"<t{ticket_id.hex}.{uuid.uuid4().hex}@{mail_domain()}>"


def is_our_message_id(message_id: str) -> bool:
    """Whether a Message-ID was made by GigCX (its domain is ours)."""
    return message_id.strip().rstrip(">").endswith("@" + mail_domain())


def subject_tag(ticket_id: uuid.UUID) -> str:
    """A short tag for subjects, ``[#1a2b3c4d5e6f]``: a hint, checked against the brand."""
    return f"[#{ticket_id.hex[:12]}]"


def tag_in_subject(subject: str) -> str | None:
    """The hex prefix of a ticket id tagged in a subject, if any."""
    found = SUBJECT_TAG.search(subject)
    return found.group(1) if found else None
