"""Planning: forecasts of arrivals, staffing, coverage, simulation and cost."""
