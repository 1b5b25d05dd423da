from enum import StrEnum


class OutboundStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    # Retries used up, or the server refused the address for good.
    FAILED = "failed"
    # No SMTP server is configured for the brand or the platform: nothing was tried.
    NOT_CONFIGURED = "not_configured"


class AutoSubmitted(StrEnum):
    """RFC 3834: how a mail came to be sent; anything but ``no`` is never answered by a robot."""

    NO = "no"
    AUTO_REPLIED = "auto-replied"
    AUTO_GENERATED = "auto-generated"


class InboundTransport(StrEnum):
    """How a mail reached GigCX."""

    IMAP = "imap"
    HTTP = "http"
    LMTP = "lmtp"


class InboundOutcome(StrEnum):
    """What became of a mail that came in."""

    NEW_TICKET = "new_ticket"
    THREADED = "threaded"
    # Only in answers: the same mail came before; nothing was stored again.
    DUPLICATE = "duplicate"
    # Kept, but no ticket: an auto-reply, a bounce, a flood, an unreadable or oversized mail.
    IGNORED = "ignored"
    # A reply address whose token does not verify: nothing was added to any ticket.
    REFUSED = "refused"


class InboundReason(StrEnum):
    """Why a mail was ignored or refused (or how a reply was threaded)."""

    AUTO_REPLY = "auto_reply"
    OWN_MAIL = "own_mail"
    FLOOD = "flood"
    BOUNCE = "bounce"
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"
    PROGRAM_REFUSED = "program_refused"
    FORGED_REPLY_ADDRESS = "forged_reply_address"
    REPLY_ADDRESS = "reply_address"
    REFERENCES = "references"
    SUBJECT_TAG = "subject_tag"
