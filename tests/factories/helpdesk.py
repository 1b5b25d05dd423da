from typing import Any

from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.channels.helpdesk import service as helpdesk_service
from gigcx.channels.helpdesk.models import HelpdeskConnection
from gigcx.channels.helpdesk.schemas import ZendeskSettings
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.servers.zendesk import AGENT_ID, EMAIL, TOKEN

TAG = "gigcx"
HANDBACK_GROUP = 360_000_111


def helpdesk_program(session: Session, brand: Brand | None = None, **overrides: Any) -> Program:
    """A program that takes helpdesk (API channel) tickets.

    Offers and waits last a day unless told otherwise: a pull of many tickets on a loaded
    machine, or a test moving the clock on for retries, must not expire what an expert holds.
    """
    overrides.setdefault("offer_ttl_seconds", 86_400)
    overrides.setdefault("max_wait_seconds", 86_400)
    program = make_program(session, brand or make_brand(session), **overrides)
    program.channels = ["chat", "email", "api"]
    session.flush()
    return program


def connect(session: Session, program: Program, **overrides: Any) -> HelpdeskConnection:
    """The program's brand connected to the fake Zendesk, taking tickets tagged ``gigcx``."""
    fields: dict[str, Any] = {
        "program_id": program.id,
        "category": "billing",
        "subdomain": "acme",
        "email": EMAIL,
        "api_token": TOKEN,
        "agent_id": AGENT_ID,
        "tags": [TAG],
        "handback_group_id": HANDBACK_GROUP,
        "requests_per_minute": 600,
    }
    fields.update(overrides)
    admin = brand_admin(session.get_one(Brand, program.brand_id))
    return helpdesk_service.connect_zendesk(session, admin, ZendeskSettings(**fields))
