"""Weekly payouts: approved earnings settle into one payout per expert, brand and currency."""

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Exists, Select, exists, func, insert, select, update
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.db.dialect import refresh_statistics, serialize
from gigcx.jobs import events
from gigcx.kit import clock
from gigcx.kit.ids import new_id
from gigcx.payments.enums import EarningStatus
from gigcx.payments.errors import InvalidWeek, PayoutNotFound, WeekNotOver
from gigcx.payments.models import Earning, Payout, PayoutLine
from gigcx.payments.queries import readable_payouts
from gigcx.payments.service._methods import experts_with_methods

_WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$")
# Weeks that can be paid: far-away years are typing mistakes, and their ends overflow dates.
FIRST_YEAR, LAST_YEAR = 2000, 2099
CHUNK = 1000
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week in UTC: [start, end)."""

    label: str
    start: datetime
    end: datetime


def parse_week(text: str) -> Week:
    """Read ``YYYY-Www`` (ISO 8601 week) into its UTC bounds."""
    match = _WEEK.match(text.strip())
    if match is None or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise InvalidWeek(text)
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InvalidWeek(text, reason=f"{match[1]} has no week {match[2]}") from None
    start = datetime.combine(monday, time.min, tzinfo=UTC)
    return Week(text.strip(), start, start + timedelta(days=7))


def week_of(at: datetime) -> Week:
    """The ISO week ``at`` falls in."""
    year, number, _ = at.astimezone(UTC).isocalendar()
    return parse_week(f"{year}-W{number:02d}")


def last_finished_week(at: datetime | None = None) -> Week:
    """The latest week that has ended by ``at`` (now by default)."""
    return week_of((at or clock.now()) - timedelta(days=7))


def earning_status(created_at: datetime, *, is_settled: bool, now: datetime) -> EarningStatus:
    """Paid once settled; approved once its week has ended; pending before."""
    if is_settled:
        return EarningStatus.PAID
    if created_at < week_of(now).start:
        return EarningStatus.APPROVED
    return EarningStatus.PENDING


def is_settled() -> Exists:
    """A SQL condition: the earning in the query has a payout line."""
    return exists().where(PayoutLine.earning_id == Earning.id)


@dataclass(slots=True)
class PayoutRun:
    """What one run of the weekly payout settled."""

    week: str
    payouts: int = 0
    lines: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    # Experts whose unsettled entries net below zero: carried to a later week, never charged.
    carried: int = 0
    # Experts with money due but no payout method: held until they enter one.
    held_experts: set[uuid.UUID] = field(default_factory=set)

    @property
    def held(self) -> int:
        return len(self.held_experts)

    def add(self, other: "PayoutRun") -> None:
        """Count another run (of another brand) into this one."""
        self.payouts += other.payouts
        self.lines += other.lines
        self.carried += other.carried
        self.held_experts |= other.held_experts
        for currency, total in other.totals.items():
            self.totals[currency] = self.totals.get(currency, Decimal(0)) + total


def run_payouts(
    session: Session,
    *,
    week: str,
    brand_id: uuid.UUID | None = None,
    progress: Progress | None = None,
) -> PayoutRun:
    """Settle every approved, unsettled earning up to the week's end; a rerun settles nothing.

    Earnings group by expert, brand and currency (of one brand when ``brand_id`` is given). A
    group whose entries net below zero (a reversal of money already paid) is carried, not paid,
    until later earnings cover it: no expert is ever asked to pay back. An expert without a
    payout method is held: their entries stay unsettled until they enter one, and a later run
    pays them. A payout line's key is its earning, so an earning can be settled once only,
    even by concurrent runners.
    """
    period = parse_week(week)
    if period.end > clock.now():
        raise WeekNotOver(period.label)
    # One run at a time for every week: a later week's run also settles older carried entries.
    serialize(session, "payments.payouts")
    result = PayoutRun(period.label)
    unsettled = select(
        Earning.expert_id,
        Earning.brand_id,
        Earning.currency,
        func.sum(Earning.amount),
    ).where(Earning.created_at < period.end, ~is_settled())
    made = select(Payout.expert_id, Payout.brand_id, Payout.currency).where(
        Payout.week == period.label
    )
    if brand_id is not None:
        unsettled = unsettled.where(Earning.brand_id == brand_id)
        made = made.where(Payout.brand_id == brand_id)
    groups = session.execute(
        unsettled.group_by(Earning.expert_id, Earning.brand_id, Earning.currency)
    ).all()
    done = {tuple(row) for row in session.execute(made).all()}
    payable = experts_with_methods(session) if groups else set()
    now = clock.now()
    rows: list[dict[str, object]] = []
    for expert_id, paying_brand_id, currency, total in groups:
        if (expert_id, paying_brand_id, currency) in done:
            continue
        if Decimal(total) < 0:
            result.carried += 1
            continue
        if expert_id not in payable:
            result.held_experts.add(expert_id)
            continue
        rows.append(
            {
                "id": new_id(),
                "week": period.label,
                "expert_id": expert_id,
                "brand_id": paying_brand_id,
                "currency": currency,
                "cutoff": period.end,
                "total": Decimal(0),
                "line_count": 0,
                "created_at": now,
            }
        )
    if not rows:
        return result
    for offset in range(0, len(rows), CHUNK):
        session.execute(insert(Payout), rows[offset : offset + CHUNK])
        if progress is not None:
            progress(offset + len(rows[offset : offset + CHUNK]), len(rows))
    for paying_brand in {uuid.UUID(str(row["brand_id"])) for row in rows}:
        events.emit_many(
            session,
            brand_id=paying_brand,
            event_type=events.EventType.PAYOUT_CREATED,
            items=(
                {
                    "payout_id": str(row["id"]),
                    "expert_id": str(row["expert_id"]),
                    "week": row["week"],
                    "currency": row["currency"],
                }
                for row in rows
                if str(row["brand_id"]) == str(paying_brand)
            ),
        )
    # Thousands of new payouts the planner does not know of yet would make it loop over them.
    refresh_statistics(session, Payout.__tablename__)
    this_run = (Payout.week == period.label) & (Payout.created_at == now)
    if brand_id is not None:
        this_run &= Payout.brand_id == brand_id
    # The settled ids are read once, before any line is added: an anti-join straight against
    # payout_lines would rescan the lines this very statement is writing, once per earning.
    settled = select(PayoutLine.earning_id).cte("settled").prefix_with("MATERIALIZED")
    session.execute(
        insert(PayoutLine).from_select(
            ["earning_id", "payout_id", "amount"],
            select(Earning.id, Payout.id, Earning.amount)
            .join(
                Payout,
                (Payout.expert_id == Earning.expert_id)
                & (Payout.brand_id == Earning.brand_id)
                & (Payout.currency == Earning.currency),
            )
            .where(
                this_run,
                Earning.created_at < period.end,
                ~exists().where(settled.c.earning_id == Earning.id),
            ),
        )
    )
    # Totals come from the lines themselves, so a payout always equals what it settled.
    sums = (
        select(
            PayoutLine.payout_id,
            func.sum(PayoutLine.amount).label("total"),
            func.count().label("lines"),
        )
        .join(Payout, Payout.id == PayoutLine.payout_id)
        .where(this_run)
        .group_by(PayoutLine.payout_id)
        .subquery()
    )
    session.execute(
        update(Payout)
        .where(Payout.id == sums.c.payout_id)
        .values(total=sums.c.total, line_count=sums.c.lines)
        .execution_options(synchronize_session=False)
    )
    for currency, count, lines, total in session.execute(
        select(Payout.currency, func.count(), func.sum(Payout.line_count), func.sum(Payout.total))
        .where(this_run)
        .group_by(Payout.currency)
    ).all():
        result.payouts += count
        result.lines += int(lines or 0)
        result.totals[currency] = Decimal(total or 0)
    session.flush()
    return result


def payouts_statement(
    principal: Principal, *, expert_id: uuid.UUID | None = None, week: str | None = None
) -> Select[Payout]:
    """The principal's readable payouts, newest week first."""
    statement = readable_payouts(principal).order_by(
        Payout.week.desc(), Payout.created_at.desc(), Payout.id
    )
    if expert_id is not None:
        statement = statement.where(Payout.expert_id == expert_id)
    if week is not None:
        statement = statement.where(Payout.week == parse_week(week).label)
    return statement


def list_payouts(
    session: Session,
    principal: Principal,
    *,
    expert_id: uuid.UUID | None = None,
    week: str | None = None,
    limit: int = 200,
) -> Sequence[Payout]:
    """The principal's readable payouts, newest first."""
    statement = payouts_statement(principal, expert_id=expert_id, week=week)
    return session.scalars(statement.limit(limit)).all()


def get_payout(session: Session, principal: Principal, payout_id: uuid.UUID) -> Payout:
    payout = session.scalar(readable_payouts(principal).where(Payout.id == payout_id))
    if payout is None:
        raise PayoutNotFound()
    return payout


def payout_earnings(session: Session, payout: Payout) -> Sequence[Earning]:
    """The ledger entries a payout settled, oldest first."""
    return session.scalars(
        select(Earning)
        .join(PayoutLine, PayoutLine.earning_id == Earning.id)
        .where(PayoutLine.payout_id == payout.id)
        .order_by(Earning.created_at, Earning.id)
    ).all()
