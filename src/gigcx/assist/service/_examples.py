"""Examples to learn from or score on: a CSV, or a program's own tickets."""

import csv
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.ai import intent
from gigcx.assist.errors import InvalidTrainingData
from gigcx.privacy import orm
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Message, Ticket


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[str]
    source: str
    unlabelled: list[str] = field(default_factory=list)  # texts that help when labels are few


def read_csv(path: Path) -> Examples:
    """Read examples from a CSV with the columns ``text,label``; a row without a label is an
    unlabelled text."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InvalidTrainingData(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidTrainingData(f"{path} is not UTF-8 text; save the CSV as UTF-8") from None
    reader = csv.DictReader(io.StringIO(content))
    fields = reader.fieldnames or []
    label_field = "label" if "label" in fields else "category" if "category" in fields else None
    if "text" not in fields or label_field is None:
        raise InvalidTrainingData(
            f"{path} needs the columns text,label (it has: {', '.join(fields) or 'none'})"
        )
    texts, labels, unlabelled = [], [], []
    for row in reader:
        text, label = (row.get("text") or "").strip(), (row.get(label_field) or "").strip()
        if text and label:
            texts.append(text)
            labels.append(label)
        elif text:
            unlabelled.append(text)
    return Examples(texts, labels, source=path.name, unlabelled=unlabelled)


def examples_from_tickets(session: Session, program_id: uuid.UUID) -> Examples:
    """The program's resolved tickets: each first customer message labelled with its category;
    the first messages of its other tickets, newest first, as unlabelled texts."""
    first_message = (
        select(Message.id)
        .where(Message.ticket_id == Ticket.id, Message.author_kind == AuthorKind.CUSTOMER)
        .order_by(Message.created_at)
        .limit(1)
        .scalar_subquery()
    )
    done = Ticket.status.in_([TicketStatus.RESOLVED, TicketStatus.CLOSED])
    rows = session.execute(
        select(first_message, Ticket.category).where(Ticket.program_id == program_id, done)
    ).all()
    other_ids = session.scalars(
        select(first_message)
        .where(Ticket.program_id == program_id, ~done)
        .order_by(Ticket.created_at.desc())
        .limit(intent.MAX_UNLABELLED)
    ).all()
    bodies = _bodies(session, [row[0] for row in rows if row[0]] + [i for i in other_ids if i])
    pairs = [
        (bodies[message_id], str(category))
        for message_id, category in rows
        if bodies.get(message_id)
    ]
    others = [bodies[message_id] for message_id in other_ids if bodies.get(message_id)]
    return Examples(
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        source="resolved tickets",
        unlabelled=others,
    )


def _bodies(session: Session, message_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Message bodies by id, opened (they are encrypted at rest)."""
    found: dict[uuid.UUID, str] = {}
    for start in range(0, len(message_ids), 500):
        for message_id, body in session.execute(
            select(Message.id, Message.body).where(Message.id.in_(message_ids[start : start + 500]))
        ):
            found[message_id] = str(orm.open_column(session, Message.body, message_id, body))
    return found
