"""Presence history before the replayed weeks, and the hours some experts state.

The replay writes presence spans as experts go on and off shift; coverage reads four weeks of
them. Copying the replayed fortnight two weeks back gives four weeks in one bulk insert, and a
third of the experts state their usual shift as weekly hours.
"""

from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gigcx.demo.world import World
from gigcx.experts.models import Expert, ExpertAvailability, PresenceSpan
from gigcx.kit.ids import new_id

STATED_EVERY = 3  # one expert in three states their hours


def seed_presence_history(session: Session, world: World) -> int:
    """Copy each replayed presence span two weeks earlier (when the expert had joined)."""
    session.flush()
    replay = timedelta(days=14)
    joined = {e: at for e, at in session.execute(select(Expert.id, Expert.created_at))}
    rows = [
        {
            "id": new_id(),
            "expert_id": expert_id,
            "started_at": started_at - replay,
            "ended_at": ended_at - replay,
        }
        for expert_id, started_at, ended_at in session.execute(
            select(PresenceSpan.expert_id, PresenceSpan.started_at, PresenceSpan.ended_at).where(
                PresenceSpan.ended_at.is_not(None),
                PresenceSpan.started_at >= world.start,
            )
        )
        if ended_at is not None and started_at - replay >= joined[expert_id]
    ]
    if rows:
        session.execute(insert(PresenceSpan), rows)
    return len(rows)


def seed_stated_hours(session: Session, world: World) -> int:
    """Some experts state their usual shift, on their working days, in their own zone."""
    rows = []
    for index, expert in enumerate(world.experts.values()):
        if index % STATED_EVERY or not expert.active_program_ids:
            continue
        start = int(expert.shift_start)
        end = min(24, round(start + expert.shift_hours))
        for weekday in range(expert.work_days):
            rows.append(
                {
                    "id": new_id(),
                    "expert_id": expert.id,
                    "weekday": weekday,
                    "start_hour": start,
                    "end_hour": end,
                }
            )
    if rows:
        session.execute(insert(ExpertAvailability), rows)
    return len(rows)
