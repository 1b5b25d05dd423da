"""The files of a ticket's conversation as one viewer may see them.

A file goes with a message; whoever sees the message (``views.policy``: internal notes for the
brand and the expert who held the ticket, nothing past an expert's window) sees its file, and may
download it through ``readable_attachment``. Files taken in without a message are the brand's.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.tickets import service as tickets_service
from gigcx.tickets.errors import AttachmentNotFound
from gigcx.tickets.models import Attachment, Message, Ticket
from gigcx.views.policy import Viewer, sight_of


@dataclass(frozen=True, slots=True)
class FileLine:
    """A file as listed under its message: enough to name it and link to its download."""

    id: uuid.UUID
    message_id: uuid.UUID | None
    filename: str
    content_type: str
    size: int

    @property
    def size_text(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        if self.size >= 1024:
            return f"{self.size / 1024:.0f} kB"
        return f"{self.size} bytes"


def file_line(attachment: Attachment) -> FileLine:
    return FileLine(
        id=attachment.id,
        message_id=attachment.message_id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
    )


def files_by_message(
    session: Session, ticket: Ticket, shown_message_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[FileLine]]:
    """The files of the messages a viewer is shown, by message (pass the shown ids only)."""
    shown = set(shown_message_ids)
    found: dict[uuid.UUID, list[FileLine]] = {}
    for attachment in tickets_service.attachments_of(session, ticket.id):
        if attachment.message_id is not None and attachment.message_id in shown:
            found.setdefault(attachment.message_id, []).append(file_line(attachment))
    return found


def readable_attachment(
    session: Session, principal: Principal, ticket_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    """A file the principal may download: of a ticket they read and a message they are shown."""
    attachment = tickets_service.get_attachment(session, principal, ticket_id, attachment_id)
    ticket = session.get_one(Ticket, attachment.ticket_id)
    sight = sight_of(session, principal, ticket)
    if attachment.message_id is None:
        if sight.viewer != Viewer.BRAND:
            raise AttachmentNotFound()
        return attachment
    if not sight.shows(session.get_one(Message, attachment.message_id)):
        raise AttachmentNotFound()
    return attachment
