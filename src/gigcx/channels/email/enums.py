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
