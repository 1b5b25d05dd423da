"""Two transactions that change the same expert leave the routing roster as the tables say.

The expert goes available in one transaction (its roster rows are written but not committed)
while another changes the expert's skills. The second rewrite waits for the first to commit and
then reads what it committed; without that wait it would miss the uncommitted rows and leave the
old skill levels in the roster.
"""

import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.db.session import make_engine, unit_of_work
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.experts.schemas import ExpertProfile
from gigcx.routing import roster
from gigcx.routing.models import RoutingRoster
from tests.concurrency.conftest import wait_until_blocked
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert


def rows(session: Session, statement: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in session.execute(statement))


@pytest.mark.postgres
def test_concurrent_changes_to_one_expert_leave_the_roster_in_step(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url, pool_size=3)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        # Given an away expert with billing at level 2
        with unit_of_work(factory) as session:
            program = make_program(session, make_brand(session))
            expert = make_expert(
                session, programs=[program], skills={"billing": 2}, presence=Presence.AWAY
            )
        principal = as_expert(expert)
        errors: list[BaseException] = []

        def change_skills() -> None:
            try:
                with unit_of_work(factory) as session:
                    profile = ExpertProfile(skills={"billing": 5})
                    experts_service.update_profile(session, principal, profile)
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        # When the expert goes available, and before that commits, the skills change elsewhere
        going_available = factory()
        experts_service.set_presence(going_available, principal, Presence.AVAILABLE)
        other = threading.Thread(target=change_skills)
        other.start()
        wait_until_blocked(factory, other)  # the other transaction waits on the expert's lock
        going_available.commit()
        going_available.close()
        other.join()

        # Then both committed and the roster holds the new level for the available expert
        assert errors == []
        with factory() as session:
            stored = rows(session, select(RoutingRoster.skill, RoutingRoster.level))
            assert stored == [("billing", 5)]
            columns = [getattr(RoutingRoster, name) for name in roster.COLUMNS]
            assert rows(session, select(*columns)) == rows(session, roster.roster_source())
    finally:
        engine.dispose()
