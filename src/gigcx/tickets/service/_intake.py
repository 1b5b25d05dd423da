"""Tickets come in: intake with idempotency, and customers' follow-ups."""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import QueryableAttribute, Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Complexity
from gigcx.brands.errors import ProgramNotFound
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.db.dialect import insert_new
from gigcx.errors import PermissionDenied
from gigcx.jobs import events
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.kit.ids import new_id
from gigcx.privacy import orm, pii
from gigcx.tickets import queries
from gigcx.tickets.enums import AuthorKind, Priority, TicketStatus
from gigcx.tickets.errors import (
    CategoryMissing,
    IdempotencyKeyReused,
    InvalidTicket,
    TicketClosed,
)
from gigcx.tickets.models import Customer, Message, Ticket
from gigcx.tickets.schemas import CustomerIn, TicketCreate
from gigcx.tickets.service._sla import schedule_sla_checks, schedule_wait_check
from gigcx.tickets.service._state import lock_ticket, transition
from gigcx.tickets.service._work import announce_message

SUBJECT_FROM_BODY = 80
# Picks a category for a message (the program's intent model), or None when it cannot.
CategoryGuess = Callable[[str], str | None]


def request_hash(data: TicketCreate) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IntakeRules:
    """What a program takes in: an inquiry is checked against these."""

    program_id: uuid.UUID
    brand_id: uuid.UUID
    slug: str
    languages: tuple[str, ...]
    channels: tuple[str, ...]
    categories: tuple[str, ...]

    @classmethod
    def of(cls, program: Program) -> "IntakeRules":
        return cls(
            program_id=program.id,
            brand_id=program.brand_id,
            slug=program.slug,
            languages=tuple(program.languages),
            channels=tuple(program.channels),
            categories=tuple(c.key for c in program.categories),
        )


def check_intake(
    rules: IntakeRules, data: TicketCreate, *, may_lack_category: bool = False
) -> None:
    """Raise a 4xx error saying what to change when ``data`` is not for this program."""
    if data.language not in rules.languages:
        raise InvalidTicket(
            f"program {rules.slug!r} does not serve language {data.language!r}; "
            f"it serves: {', '.join(rules.languages)}"
        )
    if data.channel not in rules.channels:
        raise InvalidTicket(
            f"program {rules.slug!r} does not take the {data.channel} channel; "
            f"it takes: {', '.join(rules.channels)}"
        )
    keys = ", ".join(rules.categories)
    if data.category is None:
        if may_lack_category:
            return
        raise CategoryMissing(
            f"send a category: program {rules.slug!r} picks one from the message only once it "
            f"has an intent model (gigcx ai train); its categories are: {keys}"
        )
    if data.category not in rules.categories:
        raise InvalidTicket(
            f"program {rules.slug!r} has no category {data.category!r}; categories are: {keys}"
        )


def _customer(session: Session, brand_id: uuid.UUID, data: CustomerIn) -> Customer:
    """The brand's customer with this email, added if new: one statement for a new customer
    (an insert that a concurrent one cannot fail), two for a known one."""
    email = data.email.strip().lower()
    customer_id = new_id()

    def sealed(attribute: QueryableAttribute[str], value: str) -> str:
        return str(orm.seal_column(session, attribute, customer_id, value, brand_id=brand_id))

    inserted = session.scalars(
        insert_new(session, Customer)
        .values(
            id=customer_id,
            brand_id=brand_id,
            email=sealed(Customer.email, email),
            email_index=orm.email_index(session, brand_id, email),
            name=sealed(Customer.name, data.name),
            created_at=clock.now(),
        )
        .returning(Customer)
    ).first()
    if inserted is not None:
        return inserted
    customer = queries.customer_by_email(session, brand_id=brand_id, email=email)
    if customer is None:  # pragma: no cover - the conflicting row is committed by then
        raise LookupError(f"customer {customer_id} neither inserted nor found")
    if data.name and customer.name != data.name:
        customer.name = data.name
    return customer


def readable_program(session: Session, principal: Principal, program_id: uuid.UUID) -> Program:
    """The program the principal may read, with its categories (one statement), or raise."""
    statement = (
        readable_programs(principal)
        .where(Program.id == program_id)
        .options(joinedload(Program.categories))
    )
    program = session.scalars(statement).unique().first()
    if program is None:
        raise ProgramNotFound()
    return program


@dataclass(frozen=True, slots=True)
class _Follow:
    """What the jobs queued with a new ticket are to do."""

    route_after_triage: bool
    route_in_runner: bool
    is_category_chosen: bool


def _find_by_key(session: Session, brand_id: uuid.UUID, key: str) -> Ticket | None:
    return session.scalar(
        select(Ticket).where(Ticket.brand_id == brand_id, Ticket.idempotency_key == key)
    )


def create_ticket(
    session: Session,
    principal: Principal,
    data: TicketCreate,
    *,
    idempotency_key: str | None,
    route_after_triage: bool = False,
    route_in_runner: bool = False,
    guess_category: CategoryGuess | None = None,
    ticket_id: uuid.UUID | None = None,
) -> tuple[Ticket, bool]:
    """Take in a customer's inquiry; return the ticket and whether it is new.

    The same Idempotency-Key with the same body returns the ticket made the first time. Triage
    runs as a job right after; with ``route_after_triage`` that job routes the ticket (or lets the
    bot answer it). Otherwise, with ``route_in_runner`` a ``routing.route`` job routes it once
    this commits, and without, the caller routes it at once. A ticket sent without a category
    gets the one ``guess_category`` picks from its body. ``ticket_id`` is the id an inquiry
    promised (``take_in_inquiry``).
    """
    if not principal.can_speak_for_customers:
        raise PermissionDenied("tickets are created with a brand API key or by brand staff")
    program = readable_program(session, principal, data.program_id)
    digest = request_hash(data)
    # A replayed Idempotency-Key is found by the ticket's insert below, not looked up first:
    # replays are rare, and every new ticket would pay for the look.
    is_category_chosen = data.category is not None
    if data.category is None and guess_category is not None:
        data = data.model_copy(update={"category": guess_category(data.body)})
    check_intake(IntakeRules.of(program), data)
    now = clock.now()
    customer = _customer(session, program.brand_id, data.customer)
    ticket = Ticket(
        # Known before the flush, so the ticket and all that comes with it flush together.
        id=ticket_id or new_id(),
        brand_id=program.brand_id,
        program_id=program.id,
        program=program,
        # Held by the ticket, so the answer's view of it reads nothing again.
        customer=customer,
        customer_id=customer.id,
        channel=data.channel.value,
        language=data.language,
        category=data.category,
        complexity=data.complexity or Complexity.MEDIUM,
        priority=int(data.priority or Priority.NORMAL),
        subject=data.subject or pii.shorten(pii.redact_cards(data.body), SUBJECT_FROM_BODY),
        status=TicketStatus.NEW,
        created_at=now,
        status_changed_at=now,
        first_response_due_at=now + timedelta(seconds=program.first_response_seconds),
        resolution_due_at=now + timedelta(seconds=program.resolution_seconds),
        idempotency_key=idempotency_key,
        request_hash=digest,
    )
    jobs = _Follow(
        route_after_triage=route_after_triage,
        route_in_runner=route_in_runner,
        is_category_chosen=is_category_chosen,
    )
    if not idempotency_key:
        _add_new(session, principal, ticket, program, data, jobs)
        session.flush()
        return ticket, True
    try:
        # The key's unique constraint finds a replay; the savepoint drops what came with it.
        with session.begin_nested():
            _add_new(session, principal, ticket, program, data, jobs)
            session.flush()
    except IntegrityError:
        existing = _find_by_key(session, program.brand_id, idempotency_key)
        if existing is None:
            raise
        if existing.request_hash != digest:
            raise IdempotencyKeyReused() from None
        return existing, False
    return ticket, True


def _add_new(
    session: Session,
    principal: Principal,
    ticket: Ticket,
    program: Program,
    data: TicketCreate,
    jobs: _Follow,
) -> None:
    """Add a new ticket, its first message, its audit event and the jobs that follow it."""
    session.add(ticket)
    message = Message(ticket_id=ticket.id, author_kind=AuthorKind.CUSTOMER, body=data.body)
    session.add(message)
    # A new ticket's conversation is this one message: the answer need not read it back.
    set_committed_value(ticket, "messages", [message])
    audit_service.record(
        session,
        actor=principal,
        action="ticket.created",
        subject_type="ticket",
        subject_id=ticket.id,
        brand_id=ticket.brand_id,
        data={"channel": ticket.channel, "language": ticket.language, "category": ticket.category},
    )
    schedule_sla_checks(session, ticket, program)
    jobs_service.enqueue(
        session,
        "assist.triage",
        {
            "ticket_id": str(ticket.id),
            "route": jobs.route_after_triage,
            "set_priority": data.priority is None,
            "set_complexity": data.complexity is None,
            # A topic the customer chose stays unless the model is very sure of another.
            "is_category_chosen": jobs.is_category_chosen,
        },
    )
    if jobs.route_in_runner and not jobs.route_after_triage:
        jobs_service.enqueue(session, "routing.route", {"ticket_id": str(ticket.id)})
    schedule_wait_check(session, ticket, program)
    events.emit(
        session,
        brand_id=ticket.brand_id,
        event_type=events.EventType.TICKET_CREATED,
        data={
            "ticket_id": str(ticket.id),
            "program_id": str(ticket.program_id),
            "channel": ticket.channel,
            "language": ticket.language,
            "category": ticket.category,
        },
    )


def add_customer_message(
    session: Session, principal: Principal, ticket_id: uuid.UUID, body: str
) -> Message:
    """Add the customer's follow-up: it wakes a waiting ticket or reopens a resolved one."""
    if not principal.can_speak_for_customers:
        raise PermissionDenied("customer messages come in with the brand's API key")
    ticket = lock_ticket(session, principal, ticket_id)
    if ticket.status in {TicketStatus.CLOSED, TicketStatus.CANCELED}:
        raise TicketClosed(ticket.status)
    message = Message(ticket_id=ticket.id, author_kind=AuthorKind.CUSTOMER, body=body)
    session.add(message)
    if ticket.status == TicketStatus.WAITING_ON_CUSTOMER:
        transition(
            session, ticket, TicketStatus.ASSIGNED, actor=principal, reason="customer replied"
        )
    elif ticket.status == TicketStatus.RESOLVED:
        transition(
            session, ticket, TicketStatus.QUEUED, actor=principal, reason="customer follow-up"
        )
        jobs_service.enqueue(session, "routing.route", {"ticket_id": str(ticket.id)})
        # A follow-up on a ticket the bot answered says the answer did not help.
        jobs_service.enqueue(session, "assist.bot_answer_rejected", {"ticket_id": str(ticket.id)})
    session.flush()
    announce_message(session, ticket, message)
    return message
