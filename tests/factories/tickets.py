import itertools
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.jobs.runner import RunStats, run_until_idle
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Ticket
from gigcx.tickets.schemas import TicketCreate
from tests.factories.brands import brand_api

_numbers = itertools.count(1)


def ticket_data(program: Program, **overrides: Any) -> TicketCreate:
    n = next(_numbers)
    fields: dict[str, Any] = {
        "program_id": program.id,
        "customer": {"email": f"customer{n}@example.com", "name": f"Casey Customer{n}"},
        "language": "en",
        "category": "billing",
        "body": "I was charged twice for my order, please help.",
    }
    fields.update(overrides)
    return TicketCreate.model_validate(fields)


def make_ticket(
    session: Session, program: Program, *, route: bool = True, **overrides: Any
) -> Ticket:
    """A ticket taken in through intake and, unless told otherwise, routed at once."""
    principal = brand_api_for(session, program)
    ticket, _ = tickets_service.create_ticket(
        session, principal, ticket_data(program, **overrides), idempotency_key=None
    )
    if route:
        routing_service.route_locked(session, ticket)
    return ticket


def brand_api_for(session: Session, program: Program) -> Principal:
    return brand_api(session.get_one(Brand, program.brand_id))


def run_jobs(factory: sessionmaker[Session]) -> RunStats:
    """Run every due job, each in its own unit of work, as the job runner would."""
    return run_until_idle(factory)
