"""Planning use cases: costs and moves, coverage across time zones and its actions."""

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
from gigcx.planning.service._coverage import (
    LanguageCoverage,
    ProgramCoverage,
    brand_coverage,
    compute_coverage,
    program_coverage,
)
from gigcx.planning.service._coverage_actions import (
    ActionResult,
    announce_surge_for_gap,
    invite_for_gap,
    recent_actions,
    recruit_for_gap,
    recruitment_notes,
)
from gigcx.planning.service._coverage_forecast import (
    Band,
    ExpertForecast,
    ProgramForecast,
    expert_forecast,
    invitations_for,
)

__all__ = [
    "ActionResult",
    "Band",
    "CategoryCost",
    "CostPlan",
    "ExpertForecast",
    "History",
    "LanguageCoverage",
    "ProgramCoverage",
    "ProgramForecast",
    "Proposal",
    "SimulatedMove",
    "announce_surge_for_gap",
    "baseline_of",
    "brand_coverage",
    "compute_coverage",
    "cost_plan",
    "expert_forecast",
    "invitations_for",
    "invite_for_gap",
    "program_coverage",
    "recent_actions",
    "recruit_for_gap",
    "recruitment_notes",
    "save_baseline",
    "terms_of",
]
