"""Text columns that never hold a card number in clear, however they are written by the ORM."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import QueryableAttribute

from gigcx.privacy import pii


def _redact(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    return pii.redact_cards(value) if isinstance(value, str) else value


def redact_cards_on_set(*attributes: QueryableAttribute[Any]) -> None:
    """Store card numbers written to these attributes as ``[card ending 1234]``.

    The value is replaced when it is set (constructor or assignment), so the object in memory,
    the row written and everything computed from it (triage offsets) agree.
    """
    for attribute in attributes:
        event.listen(attribute, "set", _redact, retval=True)
