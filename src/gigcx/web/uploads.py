"""Files sent with a reply form, and files handed back for download."""

from urllib.parse import quote

from fastapi import UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gigcx.config import get_settings
from gigcx.errors import InvalidInput
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Attachment, Message, Ticket

MAX_REPLY_FILES = 5
# Paths of the forms that take files: their bodies may carry MAX_REPLY_FILES files.
UPLOAD_PATHS = ("/expert/tickets/", "/brand/tickets/")


class TooManyFiles(InvalidInput):
    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} files were attached; send at most {MAX_REPLY_FILES} with one reply"
        )


def upload_body_limit() -> int:
    """The largest body a reply form with files may have."""
    settings = get_settings()
    return settings.max_body_bytes + MAX_REPLY_FILES * settings.max_attachment_bytes


def checked_uploads(files: list[UploadFile]) -> list[tuple[str, bytes]]:
    """The files of a form, each read and checked (size, type); raise why one is refused.

    A file input left empty sends a part without a name: it is no file.
    """
    uploads = [(upload.filename or "", upload.file.read()) for upload in files if upload.filename]
    if len(uploads) > MAX_REPLY_FILES:
        raise TooManyFiles(len(uploads))
    for filename, data in uploads:
        tickets_service.check_attachment(filename, data)
    return uploads


def store_uploads(
    session: Session, ticket: Ticket, message: Message, uploads: list[tuple[str, bytes]]
) -> None:
    for filename, data in uploads:
        tickets_service.add_attachment(
            session, ticket=ticket, message=message, filename=filename, data=data
        )


def plain(detail: str) -> str:
    """An error's detail as a sentence on a form."""
    return detail[:1].upper() + detail[1:] + ("" if detail.endswith(".") else ".")


def download(attachment: Attachment) -> Response:
    """The file as a download (never shown inline: its bytes are the sender's)."""
    name = quote(attachment.filename, safe="")
    return Response(
        content=attachment.data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
