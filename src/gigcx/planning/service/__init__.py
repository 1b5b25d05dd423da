"""Planning use cases."""

from gigcx.planning.service._cost import (
    CategoryCost,
    CostPlan,
    History,
    Proposal,
    SimulatedMove,
    baseline_of,
    cost_plan,
    save_baseline,
    terms_of,
)

__all__ = [
    "CategoryCost",
    "CostPlan",
    "History",
    "Proposal",
    "SimulatedMove",
    "baseline_of",
    "cost_plan",
    "save_baseline",
    "terms_of",
]
