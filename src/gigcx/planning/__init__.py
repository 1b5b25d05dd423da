"""Planning: forecasts, staffing, coverage, simulation and cost."""
