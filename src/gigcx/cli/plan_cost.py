"""gigcx plan cost: cost per contact in house, in the crowd and blended, and what to move first."""

import json
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from sqlalchemy import select

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.cli.output import console, domain_errors, fail, require_schema
from gigcx.db.session import unit_of_work
from gigcx.kit.money import quantize
from gigcx.planning import service as planning_service


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(quantize(value))


def plan_as_dict(plan: planning_service.CostPlan) -> dict[str, Any]:
    """A cost plan as JSON-friendly values (money as strings of cents)."""
    return {
        "program": plan.program.slug,
        "currency": plan.currency,
        "categories": [
            {
                "category": line.key,
                "monthly_volume": str(line.monthly_volume.quantize(Decimal(1))),
                "volume_source": line.volume_source,
                "aht_seconds": line.inhouse.aht_seconds,
                "agents": line.inhouse.staffing.agents,
                "scheduled": line.inhouse.staffing.scheduled,
                "service_level": round(line.inhouse.staffing.service_level, 4),
                "inhouse_per_contact": _money(line.inhouse.per_contact),
                "gig_per_contact": _money(line.gig.per_contact) if line.is_gig_eligible else None,
                "blended_per_contact": _money(line.blended.per_contact if line.blended else None),
                "inhouse_monthly": _money(line.inhouse.monthly),
                "gig_monthly": _money(line.gig_monthly) if line.is_gig_eligible else None,
            }
            for line in plan.categories
        ],
        "proposals": [
            {
                "rank": p.rank,
                "category": p.category.key,
                "score": str(p.ranked.score.quantize(Decimal("0.0001"))),
                "factors": {
                    k: str(v.quantize(Decimal("0.0001"))) for k, v in p.ranked.factors.items()
                },
                "monthly_saving": _money(p.monthly_saving),
                "service_level_before": round(p.service_level_before, 4),
                "service_level_after": round(p.service_level_after, 4),
                "source": p.source,
            }
            for p in plan.proposals
        ],
        "kept": [{"category": line.key, "why": why} for line, why in plan.kept],
    }


def cost(
    brand: Annotated[str, typer.Option(help="The brand's slug.")],
    program: Annotated[
        str | None, typer.Option(help="One program's slug (default: every program).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print each category's cost per contact three ways and the categories to move first."""
    require_schema()
    with domain_errors(), unit_of_work() as session:
        brand_id = session.scalar(select(Brand.id).where(Brand.slug == brand))
        if brand_id is None:
            raise fail(f"no brand with the slug {brand!r}")
        statement = select(Program).where(Program.brand_id == brand_id).order_by(Program.name)
        if program is not None:
            statement = statement.where(Program.slug == program)
        programs = session.scalars(statement).all()
        if not programs:
            raise fail(f"no program {program!r} in {brand!r}" if program else "no programs")
        staff = Principal(role=Role.BRAND_ADMIN, brand_id=brand_id)
        plans = [planning_service.cost_plan(session, staff, p.id) for p in programs]
        found = [plan for plan in plans if plan is not None]
        missing = [p.slug for p, plan in zip(programs, plans, strict=True) if plan is None]
        if as_json:
            typer.echo(
                json.dumps({"plans": [plan_as_dict(p) for p in found], "without_baseline": missing})
            )
            return
        out = console()
        for plan in found:
            data = plan_as_dict(plan)
            table = Table(
                title=f"{plan.program.name} ({plan.currency} a contact)", box=box.SIMPLE_HEAD
            )
            for column in (
                "category",
                "a month",
                "agents (sched.)",
                "SL",
                "in house",
                "crowd",
                "blended",
            ):
                table.add_column(column)
            for line in data["categories"]:
                table.add_row(
                    line["category"],
                    f"{line['monthly_volume']} {line['volume_source']}",
                    f"{line['agents']} ({line['scheduled']})",
                    f"{line['service_level']:.1%}",
                    line["inhouse_per_contact"] or "-",
                    line["gig_per_contact"] or "-",
                    line["blended_per_contact"] or "-",
                )
            out.print(table)
            moves = Table(title="Move first", box=box.SIMPLE_HEAD)
            for column in ("#", "category", "score", "saving a month", "SL before", "SL after"):
                moves.add_column(column)
            for p in data["proposals"]:
                moves.add_row(
                    str(p["rank"]),
                    p["category"],
                    p["score"],
                    p["monthly_saving"],
                    f"{p['service_level_before']:.1%}",
                    f"{p['service_level_after']:.1%} ({p['source']})",
                )
            out.print(moves)
        for slug in missing:
            out.print(f"{slug}: no cost baseline yet; enter it at /brand/planning/cost")
