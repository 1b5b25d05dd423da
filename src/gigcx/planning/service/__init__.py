"""Planning services: coverage across time zones and its actions."""

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
    "ExpertForecast",
    "LanguageCoverage",
    "ProgramCoverage",
    "ProgramForecast",
    "announce_surge_for_gap",
    "brand_coverage",
    "compute_coverage",
    "expert_forecast",
    "invitations_for",
    "invite_for_gap",
    "program_coverage",
    "recent_actions",
    "recruit_for_gap",
    "recruitment_notes",
]
