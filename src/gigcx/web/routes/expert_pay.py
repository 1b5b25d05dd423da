"""What the expert's pages show about pay beyond the ledger: payouts, surges and bonus rules."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.kit import clock
from gigcx.payments import service as payments_service
from gigcx.payments.models import Earning, PayoutLine


@dataclass(frozen=True, slots=True)
class PublishedBonus:
    program_name: str
    name: str
    text: str


def surge_notices(
    session: Session, principal: Principal, expert_id: uuid.UUID
) -> list[payments_service.SurgeNotice]:
    return list(payments_service.surges_for_expert(session, principal, expert_id))


def earnings_context(
    session: Session, principal: Principal, expert_id: uuid.UUID, entries: list[Earning]
) -> dict[str, Any]:
    """Payouts with their statements, each entry's status, surges and the published bonuses."""
    now = clock.now()
    settled = set(
        session.scalars(
            select(PayoutLine.earning_id).where(PayoutLine.earning_id.in_([e.id for e in entries]))
        ).all()
    )
    statuses = {
        e.id: payments_service.earning_status(e.created_at, is_settled=e.id in settled, now=now)
        for e in entries
    }
    programs = session.execute(
        select(Program.id, Program.name, Program.currency)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(Enrollment.expert_id == expert_id, Enrollment.status == EnrollmentStatus.ACTIVE)
    ).all()
    names = {program_id: (name, currency) for program_id, name, currency in programs}
    rules = payments_service.list_bonus_rules(session, list(names))
    since = now - payments_service.FLOOR_WINDOW
    hourly = [
        (names[program_id][0], names[program_id][1], row)
        for program_id in names
        for row in payments_service.program_hourly(
            session, program_id, since=since, until=now, expert_id=expert_id
        )
    ]
    return {
        "payouts": payments_service.list_payouts(session, principal, expert_id=expert_id, limit=26),
        "statuses": statuses,
        "surges": surge_notices(session, principal, expert_id),
        "surge_rule": payments_service.SURGE_RULE,
        "bonuses": [
            PublishedBonus(
                names[r.program_id][0],
                r.name,
                payments_service.describe_rule(r, names[r.program_id][1]),
            )
            for r in rules
        ],
        "hourly_by_program": sorted(hourly, key=lambda item: item[0]),
        "active_time_rule": payments_service.ACTIVE_TIME_RULE,
        "now": now,
    }
