"""Planning use cases: simulated days (more arrive with forecasts and staffing)."""

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
    "SimulationNotFound",
    "get_run",
    "list_runs",
    "parse_policies",
    "recorded_arrivals",
    "request_simulation",
    "run_simulation",
    "scenario_for",
]
