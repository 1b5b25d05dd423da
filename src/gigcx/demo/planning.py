"""The demo brands' in-house cost baselines, so cost planning has figures to work with."""

from decimal import Decimal

from sqlalchemy.orm import Session

from gigcx.brands.models import Program
from gigcx.demo.world import World
from gigcx.planning import service as planning_service
from gigcx.planning.cost_schemas import CategoryBaselineIn, CostBaselineIn

# Contacts a month for a program's categories in their order; the demo's two weeks of history
# are a sample of a larger operation.
VOLUMES = (6400, 3800, 2200, 1400, 900, 600, 400)
HANDLE_SECONDS = (300, 420, 540, 360, 600, 480, 720)


def seed_cost_baselines(session: Session, world: World) -> None:
    """Give every demo program a plausible in-house team to compare the crowd with."""
    for ref in world.programs:
        program = session.get_one(Program, ref.id)
        categories = {
            category.key: CategoryBaselineIn(
                monthly_volume=VOLUMES[n % len(VOLUMES)],
                aht_seconds=HANDLE_SECONDS[n % len(HANDLE_SECONDS)],
            )
            for n, category in enumerate(program.categories)
        }
        planning_service.save_baseline(
            session,
            ref.brand.admin,
            program.id,
            CostBaselineIn(
                hourly_cost=Decimal("34.00"),
                utilisation=Decimal("0.85"),
                shrinkage=Decimal("0.32"),
                aht_seconds=420,
                service_level_target=Decimal("0.80"),
                answer_within_seconds=60,
                hours_open_per_month=220,
                gig_share=Decimal("0.40"),
                categories=categories,
            ),
        )
