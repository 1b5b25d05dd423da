import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gigcx.brands.models import Program
from tests.api.helpers import Marketplace, build_marketplace
from tests.factories.planning import add_arrivals

# A Wednesday; the tests run with the clock here (the app reads the same clock).
NOW = datetime(2027, 3, 3, 12, 10, tzinfo=UTC)
THIS_HOUR = NOW.replace(minute=0)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def planned_market(client: TestClient, session: Session) -> tuple[Marketplace, Program]:
    """A brand's program (en and de, chat and email) with five tickets over nine days.

    Nine days of history: the forecast repeats the last week, so 15:00 today expects the two
    en chat tickets of 15:00 a week ago, 17:00 the de email one, and tomorrow nothing.
    """
    market = build_marketplace(client, session, experts=0, channels=["chat", "email"])
    program = session.get_one(Program, uuid.UUID(market.program_id))
    add_arrivals(
        session,
        program,
        [
            (THIS_HOUR - 9 * DAY + 20 * MINUTE, "en", "chat"),
            (THIS_HOUR - 7 * DAY + 3 * HOUR + 5 * MINUTE, "en", "chat"),
            (THIS_HOUR - 7 * DAY + 3 * HOUR + 35 * MINUTE, "en", "chat"),
            (THIS_HOUR - 7 * DAY + 5 * HOUR + 10 * MINUTE, "de", "email"),
            (THIS_HOUR - DAY + HOUR, "en", "email"),
        ],
    )
    session.commit()
    return market, program
