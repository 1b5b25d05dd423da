from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from gigcx.brands.models import Program
from gigcx.kit import clock
from tests.factories.tickets import make_ticket


def weekly_series(weeks: int = 8, *, level: float = 12.0, seed: int = 7) -> np.ndarray:
    """Poisson counts per hour with a known daily shape (peak mid-afternoon, trough at night)
    and weekly shape (weekends at 60 %), starting on a Monday at midnight."""
    hours = np.arange(weeks * 168)
    daily = 1 + 0.8 * np.sin(2 * np.pi * (hours % 24 - 9) / 24)
    weekly = np.where((hours // 24) % 7 >= 5, 0.6, 1.0)
    rng = np.random.default_rng(seed)
    return rng.poisson(level * daily * weekly).astype(np.float64)


def add_arrivals(
    session: Session, program: Program, arrivals: list[tuple[datetime, str, str]]
) -> None:
    """Tickets taken in at each (time, language, channel), through intake, not routed."""
    for at, language, channel in arrivals:
        with clock.travel_to(at):
            make_ticket(session, program, route=False, language=language, channel=channel)
