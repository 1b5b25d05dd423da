"""Migration 0009 rewrites card numbers stored in clear before it, and triage spans' texts."""

import importlib.util
from importlib.resources import files
from types import ModuleType

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.models import Triage
from gigcx.privacy import reseal
from gigcx.quality.models import Rating
from gigcx.tickets.models import Message, Ticket
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import make_expert
from tests.factories.quality import add_rating
from tests.factories.tickets import make_ticket

CLEAR = "Card 4111 1111 1111 1111 was charged twice; call +49 30 1234567."


def migration() -> ModuleType:
    folder = files("gigcx") / "migrations" / "versions"
    path = next(p for p in folder.iterdir() if p.name.endswith("_0009_views.py"))
    spec = importlib.util.spec_from_file_location("migration_0009", str(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_redacts_stored_cards_and_drops_span_texts(session: Session) -> None:
    program = make_program(session, make_brand(session))
    ticket = make_ticket(session, program, route=False, body="placeholder")
    triage = assist_service.triage_ticket(session, ticket.id)
    rating = add_rating(session, program, make_expert(session), 2, at=ticket.created_at)
    # Rows as they were written before card numbers were redacted on the way in.
    session.execute(update(Message).where(Message.ticket_id == ticket.id).values(body=CLEAR))
    session.execute(update(Ticket).where(Ticket.id == ticket.id).values(subject=CLEAR))
    session.execute(update(Rating).where(Rating.id == rating.id).values(comment=CLEAR))
    legacy = [{"kind": "card", "start": 5, "end": 24, "text": "4111 1111 1111 1111"}]
    session.execute(update(Triage).where(Triage.id == triage.id).values(pii=legacy))
    module = migration()

    connection = session.connection()
    for table, columns in module.TEXTS.items():
        module._redact_table(connection, table, columns)
    module._respan_triages(connection)
    # Migration 0021 then encrypts what is stored in clear.
    resealer = reseal.Resealer(connection)
    for target in reseal.registered_targets():
        resealer.run(target, reseal.is_clear)
    session.expire_all()

    redacted = "Card [card ending 1111] was charged twice; call +49 30 1234567."
    bodies = [
        m.body for m in session.scalars(select(Message).where(Message.ticket_id == ticket.id))
    ]
    assert bodies == [redacted]
    assert session.get_one(Ticket, ticket.id).subject == redacted
    assert session.get_one(Rating, rating.id).comment == redacted
    assert session.get_one(Triage, triage.id).pii == [
        {"kind": "card", "start": 5, "end": 23},
        {"kind": "phone", "start": 48, "end": 62},
    ]
