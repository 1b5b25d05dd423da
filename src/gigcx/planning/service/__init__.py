"""Planning use cases: forecasts, costs and moves, coverage and its actions, simulated days."""

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
from gigcx.planning.service._forecasts import FORECAST_JOB as FORECAST_JOB
from gigcx.planning.service._forecasts import HISTORY_WEEKS as HISTORY_WEEKS
from gigcx.planning.service._forecasts import HORIZON_HOURS as HORIZON_HOURS
from gigcx.planning.service._forecasts import PROGRAM_JOB as PROGRAM_JOB
from gigcx.planning.service._forecasts import Planning as Planning
from gigcx.planning.service._forecasts import Refresh as Refresh
from gigcx.planning.service._forecasts import backtest_series as backtest_series
from gigcx.planning.service._forecasts import planned_program as planned_program
from gigcx.planning.service._forecasts import planning as planning
from gigcx.planning.service._forecasts import programs_to_forecast as programs_to_forecast
from gigcx.planning.service._forecasts import queue_refresh as queue_refresh
from gigcx.planning.service._forecasts import refresh_all as refresh_all
from gigcx.planning.service._forecasts import refresh_program as refresh_program
from gigcx.planning.service._forecasts import request_refresh as request_refresh
from gigcx.planning.service._simulations import (
    MAX_EXPERTS,
    MAX_TICKETS,
    SimulationNotFound,
    get_run,
    list_runs,
    parse_policies,
    recorded_arrivals,
    request_simulation,
    run_simulation,
    scenario_for,
)

__all__ = [
    "MAX_EXPERTS",
    "MAX_TICKETS",
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
    "SimulationNotFound",
    "announce_surge_for_gap",
    "baseline_of",
    "brand_coverage",
    "compute_coverage",
    "cost_plan",
    "expert_forecast",
    "get_run",
    "invitations_for",
    "invite_for_gap",
    "list_runs",
    "parse_policies",
    "program_coverage",
    "recent_actions",
    "recorded_arrivals",
    "recruit_for_gap",
    "recruitment_notes",
    "request_simulation",
    "run_simulation",
    "save_baseline",
    "scenario_for",
    "terms_of",
]
