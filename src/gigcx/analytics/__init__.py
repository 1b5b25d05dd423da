"""Analytics: KPIs per brand and program, the live queue and expert performance."""
