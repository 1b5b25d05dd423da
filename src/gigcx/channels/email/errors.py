from gigcx.errors import InvalidInput, NotFound


class UnreadableMail(InvalidInput):
    """Bytes that are not a mail GigCX can take (HTTP 400, LMTP 550, kept as ignored by IMAP)."""

    def __init__(self, why: str) -> None:
        super().__init__(f"the mail cannot be read: {why}")
        self.why = why


class MailTooLarge(InvalidInput):
    status_code = 413

    def __init__(self, size: int | None, limit: int) -> None:
        what = f"the mail is {size:,} bytes" if size is not None else "the mail is too large"
        super().__init__(
            f"{what}; GigCX takes mail of at most {limit:,} bytes "
            "(GIGCX_MAX_INBOUND_EMAIL_BYTES): ask the sender to send large files as links"
        )


class MailboxNotFound(NotFound):
    def __init__(self, address: str | None) -> None:
        if address:
            super().__init__(
                f"no active mailbox of your brand has the address {address!r}; add it in the "
                "brand console (Mailboxes) or name another with ?mailbox="
            )
        else:
            super().__init__(
                "the mail is addressed to no active mailbox of your brand; name the mailbox "
                "with ?mailbox=<address>"
            )


class InvalidMailbox(InvalidInput):
    pass
