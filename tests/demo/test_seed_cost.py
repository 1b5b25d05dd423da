"""The demo programs come with an in-house cost baseline, so cost planning shows figures."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.demo.seed import DemoSummary
from gigcx.planning import service as planning_service
from tests.demo.test_seed import factory, seeded, session

__all__ = ["factory", "seeded", "session"]


def test_every_demo_program_has_a_cost_plan_with_proposals(
    seeded: tuple[DemoSummary, object], session: Session
) -> None:
    programs = session.scalars(select(Program).order_by(Program.name)).all()

    plans = [
        planning_service.cost_plan(
            session, Principal(role=Role.BRAND_ADMIN, brand_id=p.brand_id), p.id
        )
        for p in programs
    ]

    assert len(plans) == 3
    for plan in plans:
        assert plan is not None
        assert [line.volume_source for line in plan.categories] == ["entered"] * len(
            plan.categories
        )
        assert len(plan.proposals) + len(plan.kept) == len(plan.categories)
        assert plan.proposals
