"""gigcx plan: forecasts, staffing, simulated days and costs, for planning support capacity."""

import typer

from gigcx.cli import plan_cost, plan_forecast, plan_simulate, plan_staff

app = typer.Typer(
    help="Plan capacity: forecasts, staffing, simulated days, costs.", no_args_is_help=True
)
app.command("forecast")(plan_forecast.forecast)
app.command("staff")(plan_staff.staff)
app.command("simulate")(plan_simulate.simulate)
app.command("cost")(plan_cost.cost)
