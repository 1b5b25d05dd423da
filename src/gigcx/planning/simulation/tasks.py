"""Due work of planning: play a simulated day a brand asked for."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs.registry import handler
from gigcx.planning.service import _simulations


@handler("planning.simulate", timeout=timedelta(minutes=30))
def simulate(session: Session, payload: dict[str, Any]) -> None:
    """Play a queued simulation run and store its report."""
    _simulations.run_simulation(session, uuid.UUID(payload["run_id"]))
