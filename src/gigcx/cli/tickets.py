"""gigcx tickets: look into tickets from the command line."""

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.brands.models import Program
from gigcx.cli.output import console, domain_errors, require_schema
from gigcx.db.session import unit_of_work
from gigcx.experts.models import Expert
from gigcx.routing import scoring
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.models import Offer, Ticket

app = typer.Typer(help="Tickets.", no_args_is_help=True)


@app.command("explain")
def explain(
    ticket_id: Annotated[uuid.UUID, typer.Argument(help="The ticket's id.")],
) -> None:
    """Show why each expert was offered the ticket: every offer's score, term by term."""
    out = console()
    require_schema()
    with domain_errors(), unit_of_work() as session:
        ticket = tickets_service.get_ticket(session, SYSTEM, ticket_id)
        offers = routing_service.explain(session, SYSTEM, ticket_id)
        _print_ticket(out, session, ticket)
        if not offers:
            out.print("No offers were made for this ticket.")
            return
        out.print(_offers_table(offers, _expert_names(session, offers)))
        out.print(f"[dim]{scoring.FORMULA}; contribution = weight * value / sum(weights)[/]")


def _print_ticket(out: Console, session: Session, ticket: Ticket) -> None:
    program = session.get_one(Program, ticket.program_id)
    out.print(f"[bold]Ticket[/] {ticket.id}")
    out.print(
        f"status [bold]{ticket.status}[/] · program {program.name} · category {ticket.category} "
        f"· language {ticket.language} · channel {ticket.channel} · offers {ticket.offer_count}"
    )
    if ticket.escalation_reason:
        out.print(f"escalation reason: [bold]{ticket.escalation_reason}[/]")


def _expert_names(session: Session, offers: Sequence[Offer]) -> dict[uuid.UUID, str]:
    ids = {offer.expert_id for offer in offers}
    rows = session.execute(select(Expert.id, Expert.display_name).where(Expert.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


def _offers_table(offers: Sequence[Offer], names: dict[uuid.UUID, str]) -> Table:
    table = Table(
        title="Routing decision (# = order offered; rank = place in its routing round)",
        title_justify="left",
    )
    for column in ("#", "rank", "expert", "offer", "score", "term"):
        table.add_column(column)
    for column in ("value", "weight", "contribution"):
        table.add_column(column, justify="right")
    for number, offer in enumerate(offers, start=1):
        terms: dict[str, Any] = offer.breakdown.get("terms", {})
        status = str(offer.status)
        if offer.breakdown.get("previous_expert"):
            status += " (previous expert)"
        for n, term in enumerate(scoring.TERMS):
            parts = terms.get(term, {})
            lead = (
                (
                    str(number),
                    str(offer.rank),
                    names.get(offer.expert_id, "?"),
                    status,
                    f"{offer.score:.4f}",
                )
                if n == 0
                else ("",) * 5
            )
            table.add_row(
                *lead,
                term,
                _number(parts.get("value")),
                _number(parts.get("weight")),
                _number(parts.get("contribution")),
                end_section=n == len(scoring.TERMS) - 1,
            )
    return table


def _number(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else "-"
