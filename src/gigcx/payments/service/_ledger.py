"""The earnings ledger: append-only; a correction is a new, opposite entry."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, event, func, or_, select
from sqlalchemy.orm import Session, aliased

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.db.helpers import insert_or_get
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.kit import clock
from gigcx.kit.money import Money, quantize
from gigcx.payments.enums import EarningKind
from gigcx.payments.errors import EarningNotFound, EarningNotReversible, LedgerIsAppendOnly
from gigcx.payments.models import Earning
from gigcx.payments.queries import readable_earnings
from gigcx.payments.service._active import Interval, active_intervals, seconds_of
from gigcx.payments.service._quotes import price_task, task_source_key
from gigcx.tickets.models import Assignment, Ticket


@event.listens_for(Earning, "before_update")
@event.listens_for(Earning, "before_delete")
def _refuse_changes(_mapper: Any, _connection: Any, target: Earning) -> None:
    raise LedgerIsAppendOnly(f"earning {target.id} is immutable; add a reversal instead")


TIMES = "\N{MULTIPLICATION SIGN}"


def _find(session: Session, source_key: str) -> Earning | None:
    return session.scalar(select(Earning).where(Earning.source_key == source_key))


def append(session: Session, earning: Earning) -> tuple[Earning, bool]:
    """Add a ledger entry unless one for the same source exists; return it and if it is new."""
    existing = _find(session, earning.source_key)
    if existing is not None:
        return existing, False
    return insert_or_get(session, earning, lambda: _find(session, earning.source_key))


def pay_for_resolution(
    session: Session, *, ticket_id: uuid.UUID, expert_id: uuid.UUID
) -> Earning | None:
    """Pay an expert the rate-card amount for resolving a ticket, exactly once."""
    existing = _find(session, task_source_key(ticket_id, expert_id))
    if existing is not None:
        return existing
    ticket = session.get_one(Ticket, ticket_id)
    price = price_task(session, ticket, expert_id)
    if price is None:
        return None
    rate = price.terms["rate"]
    description = f"Resolved ticket ({rate['category']}, {rate['complexity']})"
    if price.surge is not None:
        description += f", surge {TIMES}{price.surge.multiplier}"
    earning, _ = append(
        session,
        Earning(
            expert_id=expert_id,
            brand_id=ticket.brand_id,
            program_id=ticket.program_id,
            ticket_id=ticket.id,
            kind=EarningKind.TASK,
            amount=price.amount,
            currency=price.currency,
            description=description,
            source_key=task_source_key(ticket.id, expert_id),
            surge_id=price.surge.id if price.surge is not None else None,
            terms=price.terms,
        ),
    )
    return earning


def reverse_earning(
    session: Session, principal: Principal, earning_id: uuid.UUID, *, reason: str
) -> Earning:
    """Cancel an earning with an opposite entry; the original stays as it was."""
    if not (principal.is_platform_admin or principal.can_manage_brand):
        raise PermissionDenied("only brand admins and platform admins can reverse earnings")
    original = session.scalar(readable_earnings(principal).where(Earning.id == earning_id))
    if original is None:
        raise EarningNotFound()
    if original.kind == EarningKind.REVERSAL:
        raise EarningNotReversible("a reversal cannot itself be reversed; add a new earning")
    reversal, is_new = append(
        session,
        Earning(
            expert_id=original.expert_id,
            brand_id=original.brand_id,
            program_id=original.program_id,
            ticket_id=original.ticket_id,
            kind=EarningKind.REVERSAL,
            amount=-original.amount,
            currency=original.currency,
            description=f"Reversal: {reason}",
            source_key=f"reversal:{original.id}",
            reverses_id=original.id,
        ),
    )
    if not is_new:
        raise EarningNotReversible("this earning is already reversed")
    audit_service.record(
        session,
        actor=principal,
        action="earning.reversed",
        subject_type="earning",
        subject_id=original.id,
        brand_id=original.brand_id,
        data={"reason": reason, "reversal_id": str(reversal.id)},
    )
    return reversal


def earnings_statement(
    principal: Principal, *, expert_id: uuid.UUID | None = None
) -> Select[Earning]:
    """The principal's readable ledger entries, newest first."""
    statement = readable_earnings(principal).order_by(Earning.created_at.desc(), Earning.id)
    if expert_id is not None:
        statement = statement.where(Earning.expert_id == expert_id)
    return statement


def list_earnings(
    session: Session, principal: Principal, *, expert_id: uuid.UUID | None = None
) -> Sequence[Earning]:
    return session.scalars(earnings_statement(principal, expert_id=expert_id)).all()


def balances(
    session: Session, principal: Principal, expert_id: uuid.UUID
) -> list[tuple[Money, int]]:
    """Return the expert's balance per currency (the sum of the ledger) and entry counts."""
    statement = (
        readable_earnings(principal)
        .where(Earning.expert_id == expert_id)
        .with_only_columns(Earning.currency, func.sum(Earning.amount), func.count())
        .group_by(Earning.currency)
        .order_by(Earning.currency)
    )
    return [
        (Money(quantize(Decimal(total or 0)), currency), count)
        for currency, total, count in session.execute(statement).all()
    ]


@dataclass(frozen=True, slots=True)
class DayTasks:
    """Paid tasks on one day of the expert's calendar, and what they earned per currency."""

    day: date
    tasks: int
    earned: list[Money]


@dataclass(frozen=True, slots=True)
class HourlyEarnings:
    """Task earnings in one currency over the hours spent holding tickets paid in it."""

    earned: Money
    seconds_worked: int

    @property
    def hours_worked(self) -> Decimal:
        return quantize(Decimal(self.seconds_worked) / 3600)

    @property
    def per_hour(self) -> Money | None:
        if not self.seconds_worked:
            return None
        amount = quantize(self.earned.amount * 3600 / self.seconds_worked)
        return Money(amount, self.earned.currency)


@dataclass(frozen=True, slots=True)
class EarningsSummary:
    """What an expert earned over a window: balances, tasks per day and pay per hour worked."""

    since: datetime
    until: datetime
    balances: list[tuple[Money, int]]
    days: list[DayTasks]
    seconds_worked: int
    hourly: list[HourlyEarnings]

    @property
    def hours_worked(self) -> Decimal:
        return quantize(Decimal(self.seconds_worked) / 3600)


def earnings_summary(
    session: Session,
    principal: Principal,
    expert_id: uuid.UUID,
    *,
    days: int = 14,
    at: datetime | None = None,
) -> EarningsSummary:
    """Sum up the expert's last ``days`` calendar days (in their time zone) up to ``at``.

    Task earnings are task entries net of their reversals. Hours worked are the expert's active
    time (``ACTIVE_TIME_RULE``): waiting for the customer never counts, and two tickets worked
    at once count their overlap once.
    """
    expert = experts_service.get_expert(session, principal, expert_id)
    zone = ZoneInfo(expert.timezone)
    until = at or clock.now()
    first_day = until.astimezone(zone).date() - timedelta(days=days - 1)
    since = datetime.combine(first_day, time.min, tzinfo=zone).astimezone(UTC)

    original = aliased(Earning)
    entries = session.execute(
        readable_earnings(principal)
        .outerjoin(original, original.id == Earning.reverses_id)
        .where(
            Earning.expert_id == expert_id,
            Earning.created_at >= since,
            Earning.created_at <= until,
            or_(
                Earning.kind == EarningKind.TASK,
                and_(Earning.kind == EarningKind.REVERSAL, original.kind == EarningKind.TASK),
            ),
        )
        .with_only_columns(Earning.kind, Earning.amount, Earning.currency, Earning.created_at)
    ).all()
    per_day: dict[date, tuple[int, dict[str, Decimal]]] = {
        first_day + timedelta(days=n): (0, {}) for n in range(days)
    }
    earned: dict[str, Decimal] = {}
    for kind, amount, currency, created_at in entries:
        day = created_at.astimezone(zone).date()
        tasks, amounts = per_day[day]
        amounts[currency] = amounts.get(currency, Decimal(0)) + amount
        per_day[day] = (tasks + (kind == EarningKind.TASK), amounts)
        earned[currency] = earned.get(currency, Decimal(0)) + amount

    held = (
        _readable_assignments(principal)
        .where(
            Assignment.expert_id == expert_id,
            Assignment.started_at < until,
            or_(Assignment.ended_at.is_(None), Assignment.ended_at > since),
        )
        .with_only_columns(Assignment.id, Program.currency)
    )
    currencies = dict(session.execute(held).all())
    active = active_intervals(
        session, held.with_only_columns(Assignment.id), since=since, until=until
    )
    intervals: dict[str, list[Interval]] = {}
    for assignment_id, currency in currencies.items():
        intervals.setdefault(currency, []).extend(active.get(assignment_id, []))

    return EarningsSummary(
        since=since,
        until=until,
        balances=balances(session, principal, expert_id),
        days=[
            DayTasks(day, tasks, [Money(quantize(a), c) for c, a in sorted(amounts.items())])
            for day, (tasks, amounts) in per_day.items()
        ],
        seconds_worked=seconds_of(span for spans in intervals.values() for span in spans),
        hourly=[
            HourlyEarnings(
                Money(quantize(earned.get(currency, Decimal(0))), currency),
                seconds_of(intervals.get(currency, [])),
            )
            for currency in sorted(set(earned) | set(intervals))
        ],
    )


def _readable_assignments(principal: Principal) -> Select[Assignment]:
    """Assignments with their program, limited to the brand for brand staff."""
    statement = (
        select(Assignment)
        .join(Ticket, Ticket.id == Assignment.ticket_id)
        .join(Program, Program.id == Ticket.program_id)
    )
    if principal.is_brand_staff:
        return statement.where(Ticket.brand_id == principal.brand_id)
    return statement
