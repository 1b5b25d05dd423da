"""Erase a person, then look in every column of every table for anything that names them."""

import json
import uuid
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Brand
from gigcx.db.base import Base
from gigcx.payments.models import Earning
from gigcx.privacy import orm
from gigcx.rights import service as rights_service
from gigcx.rights.enums import RequestKind, RequestStatus, SubjectKind
from gigcx.rights.models import PrivacyRequest
from gigcx.tickets.models import Customer, Message, Ticket
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.rights.builders import customer_everywhere, expert_everywhere
from tests.rights.helpers import run_privacy_jobs

EMAIL = "Quentin.Zarathustra-Vole@Example.org"
NAME = "Quentin Zarathustra-Vole"
PHONE = "+44 7700 913572"


def _blind_index_forms(session: Session, email: str) -> list[str]:
    """The keyed blind-index values ``email`` has (one per brand's index key, and the platform's),
    so the scan finds a leftover index as surely as the address itself."""
    brand_ids: list[uuid.UUID | None] = [None, *session.scalars(select(Brand.id))]
    return [orm.email_index(session, brand_id, email) for brand_id in brand_ids]


def _needles(*values: str) -> list[str]:
    found = set()
    for value in values:
        found.add(value.lower())
    return sorted(found)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").lower() + " " + value.hex()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str).lower()
    return str(value).lower()


def _raw_traces(connection: Connection, needles: list[str]) -> list[str]:
    found = []
    for table in Base.metadata.sorted_tables:
        for row in connection.execute(text(f'SELECT * FROM "{table.name}"')).mappings():
            for column, value in row.items():
                seen = _as_text(value)
                found += [f"{table.name}.{column}: {n}" for n in needles if n in seen]
    return found


def _orm_traces(session: Session, needles: list[str]) -> list[str]:
    session.expire_all()
    found = []
    for mapper in Base.registry.mappers:
        model = mapper.class_
        for row in session.scalars(select(model)):
            for attribute in mapper.column_attrs:
                seen = _as_text(getattr(row, attribute.key))
                found += [f"{model.__name__}.{attribute.key}: {n}" for n in needles if n in seen]
    return found


def _scan(session: Session, needles: list[str]) -> list[str]:
    session.flush()
    return sorted(set(_raw_traces(session.connection(), needles) + _orm_traces(session, needles)))


def test_an_erased_customer_leaves_no_trace_in_any_table(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    person = customer_everywhere(session, program, email=EMAIL, name=NAME, phone=PHONE)
    admin = brand_admin(brand)
    export = rights_service.request(session, admin, kind=RequestKind.EXPORT, email=EMAIL)
    run_privacy_jobs(session)
    needles = _needles(
        EMAIL, NAME, PHONE, "7700913572", "zarathustra", *_blind_index_forms(session, EMAIL)
    )
    assert _scan(session, needles) != []  # the scan sees the person before the erasure
    ledger_before = session.scalars(select(Earning.id)).all()

    erasure = rights_service.request(session, admin, kind=RequestKind.ERASURE, email=EMAIL.upper())
    assert run_privacy_jobs(session) == 1

    assert _scan(session, needles) == []
    session.refresh(erasure)
    session.refresh(export)
    assert erasure.status == RequestStatus.DONE
    assert export.status == RequestStatus.EXPIRED and export.archive is None
    customer = session.get_one(Customer, erasure.subject_id)
    assert customer.email == f"erased-{customer.id.hex}@erased.invalid"
    assert customer.name == ""
    tickets = session.scalars(select(Ticket).where(Ticket.customer_id == customer.id)).all()
    assert {t.subject for t in tickets} == {"[erased]"}
    assert len(tickets) == len(person.tickets) == 2
    bodies = [
        m.body
        for m in session.scalars(
            select(Message).where(Message.ticket_id.in_([t.id for t in tickets]))
        )
    ]
    assert set(bodies) == {"[erased]"} and len(bodies) == 4
    assert session.scalars(select(Earning.id)).all() == ledger_before
    assert erasure.counts["attachments"] == 2 and erasure.counts["webhook_payloads"] == 2


def test_an_erased_expert_leaves_no_trace_but_the_ledger_stays(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    person = customer_everywhere(
        session,
        program,
        email="someone@example.net",
        name="Some One",
        phone="+1 202 555 0100",
        tickets=1,
    )
    email, name = "Ximena.Okonkwo-Brill@experts.example", "Ximena Okonkwo-Brill"
    expert = expert_everywhere(session, program, person.tickets[0], email=email, name=name)
    needles = _needles(
        email, name, "okonkwo", "DE89370400440532013000", *_blind_index_forms(session, email)
    )
    assert _scan(session, needles) != []

    row = rights_service.request(
        session, SYSTEM, kind=RequestKind.ERASURE, email=email, subject_kind=SubjectKind.EXPERT
    )
    run_privacy_jobs(session)

    assert _scan(session, needles) == []
    session.refresh(row)
    assert row.status == RequestStatus.DONE
    session.refresh(expert)
    assert expert.display_name == "Erased expert" and expert.country == "DE"
    [earning] = session.scalars(select(Earning).where(Earning.expert_id == expert.id)).all()
    assert earning.amount == 3.5 and earning.currency == "USD"
    assert session.scalar(select(PrivacyRequest.email_hash).where(PrivacyRequest.id == row.id)) == (
        rights_service.email_hash(email)
    )
    assert uuid.UUID(str(row.subject_id)) == expert.id
