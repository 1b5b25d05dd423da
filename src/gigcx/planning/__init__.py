"""Planning: forecasts, staffing, coverage across time zones, simulation and cost."""
