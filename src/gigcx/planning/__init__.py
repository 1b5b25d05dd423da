"""Planning: forecasts, staffing, coverage and the simulated day."""
