"""What the brand console's pages share: who may manage, option lists, query parsing."""

import uuid
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.errors import InvalidInput
from gigcx.tickets.enums import Priority
from gigcx.web.access import Area, allows, require

PRIORITY_NAMES = {int(p): p.name.lower() for p in Priority}


def require_manager(user: Principal) -> uuid.UUID:
    """Return the brand a brand admin manages; in-house agents may look but not change."""
    require(user, Area.MANAGE)
    assert user.brand_id is not None
    return user.brand_id


def programs_of(session: Session, user: Principal) -> list[Program]:
    return list(session.scalars(readable_programs(user).order_by(Program.name, Program.id)))


def optional_uuid(value: str, *, label: str) -> uuid.UUID | None:
    """Parse an optional id from a query string; an empty value means "all"."""
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"{label} {value!r} is not an id; pick one from the list") from None


def whole_number(value: str, *, default: int, low: int, high: int) -> int:
    """Parse a whole number from a query string, kept within ``low``..``high``."""
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return min(max(number, low), high)


def page_context(user: Principal, **values: Any) -> dict[str, Any]:
    return {"user": user, "can_manage": allows(user, Area.MANAGE), **values}


def form_text(form: FormData, name: str) -> str:
    """A submitted text field, stripped; empty when missing or a file."""
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""
