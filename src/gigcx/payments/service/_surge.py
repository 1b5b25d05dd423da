"""Surge: announced before it applies, for a fixed window, never retroactive."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Program
from gigcx.db.dialect import serialize
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment, Expert, ExpertCapacity, ExpertLanguage
from gigcx.kit import clock
from gigcx.payments.models import Surge
from gigcx.tickets.enums import ROUTABLE_STATUSES
from gigcx.tickets.models import Assignment, Ticket

# The published surge rule (shown to experts and brands next to every surge).
SURGE_THRESHOLD = Decimal("1.5")  # waiting tickets per free seat that start a surge
SURGE_MIN_WAITING = 3  # never surge on a handful of tickets
SURGE_STEP = Decimal("0.25")  # added per waiting ticket per free seat above one
SURGE_ROUNDING = Decimal("0.05")  # rounded up, in the expert's favour
SURGE_CAP = Decimal("2.00")
SURGE_NOTICE = timedelta(minutes=10)
SURGE_WINDOW = timedelta(minutes=60)
SURGE_RULE = (
    f"pressure = waiting tickets / max(free seats of eligible experts online, 1); "
    f"at {SURGE_MIN_WAITING}+ waiting and pressure {SURGE_THRESHOLD}+ a surge of "
    f"1 + {SURGE_STEP} \N{MULTIPLICATION SIGN} (pressure - 1), "
    f"rounded up to {SURGE_ROUNDING}, at most {SURGE_CAP}, "
    f"is announced {int(SURGE_NOTICE.total_seconds() // 60)} minutes before it applies and "
    f"lasts {int(SURGE_WINDOW.total_seconds() // 60)} minutes. It counts for offers made "
    f"inside the window (the pay an offer shows is the pay it earns), never for work offered "
    f"earlier."
)


def surge_multiplier(waiting: int, free_seats: int) -> Decimal | None:
    """Return the multiplier for this demand and supply, or None below the published threshold."""
    pressure = Decimal(waiting) / max(free_seats, 1)
    if waiting < SURGE_MIN_WAITING or pressure < SURGE_THRESHOLD:
        return None
    raw = 1 + SURGE_STEP * (pressure - 1)
    steps = (raw / SURGE_ROUNDING).to_integral_value(rounding=ROUND_CEILING)
    return min(SURGE_CAP, steps * SURGE_ROUNDING).quantize(Decimal("0.01"))


def surge_at(
    session: Session, *, program_id: uuid.UUID, language: str, at: datetime
) -> Surge | None:
    """The surge in force for a program and language at ``at`` (the highest, if several)."""
    return session.scalar(
        select(Surge)
        .where(
            Surge.program_id == program_id,
            Surge.language == language,
            Surge.starts_at <= at,
            Surge.ends_at > at,
        )
        .order_by(Surge.multiplier.desc(), Surge.starts_at)
        .limit(1)
    )


def waiting_tickets(session: Session, program_id: uuid.UUID, language: str) -> int:
    """Tickets of the program and language waiting for an expert (new or queued)."""
    return (
        session.scalar(
            select(func.count()).where(
                Ticket.program_id == program_id,
                Ticket.language == language,
                Ticket.status.in_(ROUTABLE_STATUSES),
            )
        )
        or 0
    )


def eligible_experts(program_id: uuid.UUID, language: str) -> Select[uuid.UUID]:
    """Experts actively enrolled in the program who speak the language (online or not)."""
    return (
        select(Expert.id)
        .join(Enrollment, Enrollment.expert_id == Expert.id)
        .join(ExpertLanguage, ExpertLanguage.expert_id == Expert.id)
        .where(
            Enrollment.program_id == program_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            ExpertLanguage.language == language,
        )
    )


def free_seats(session: Session, program: Program, language: str) -> int:
    """Free capacity of the eligible experts online, on the program's channels."""
    online = eligible_experts(program.id, language).where(Expert.presence == Presence.AVAILABLE)
    seats = dict(
        session.execute(
            select(ExpertCapacity.expert_id, func.sum(ExpertCapacity.max_concurrent))
            .where(
                ExpertCapacity.expert_id.in_(online),
                ExpertCapacity.channel.in_(program.channels),
            )
            .group_by(ExpertCapacity.expert_id)
        ).all()
    )
    held = dict(
        session.execute(
            select(Assignment.expert_id, func.count())
            .where(
                Assignment.expert_id.in_(online),
                Assignment.ended_at.is_(None),
                Assignment.channel.in_(program.channels),
            )
            .group_by(Assignment.expert_id)
        ).all()
    )
    return sum(max(0, int(total or 0) - held.get(expert, 0)) for expert, total in seats.items())


@dataclass(frozen=True, slots=True)
class Demand:
    program_id: uuid.UUID
    language: str
    waiting: int
    free_seats: int

    @property
    def multiplier(self) -> Decimal | None:
        return surge_multiplier(self.waiting, self.free_seats)


def measure_demand(session: Session, program: Program) -> list[Demand]:
    """Waiting work and free capacity for each language of a program."""
    return [
        Demand(
            program.id,
            language,
            waiting_tickets(session, program.id, language),
            free_seats(session, program, language),
        )
        for language in program.languages
    ]


def _announced(session: Session, program_id: uuid.UUID, language: str, now: datetime) -> bool:
    return (
        session.scalar(
            select(Surge.id)
            .where(Surge.program_id == program_id, Surge.language == language, Surge.ends_at > now)
            .limit(1)
        )
        is not None
    )


def evaluate_surges(session: Session, *, program_id: uuid.UUID | None = None) -> list[Surge]:
    """Announce a surge where waiting work outruns free capacity and none is announced yet."""
    serialize(session, "payments.surges")
    now = clock.now()
    programs = select(Program).where(Program.is_open.is_(True)).order_by(Program.id)
    if program_id is not None:
        programs = programs.where(Program.id == program_id)
    created: list[Surge] = []
    for program in session.scalars(programs).all():
        for demand in measure_demand(session, program):
            multiplier = demand.multiplier
            if multiplier is None or _announced(session, program.id, demand.language, now):
                continue
            surge = Surge(
                brand_id=program.brand_id,
                program_id=program.id,
                language=demand.language,
                multiplier=multiplier,
                waiting=demand.waiting,
                capacity=demand.free_seats,
                announced_at=now,
                starts_at=now + SURGE_NOTICE,
                ends_at=now + SURGE_NOTICE + SURGE_WINDOW,
            )
            session.add(surge)
            session.flush()
            _announce(session, surge)
            created.append(surge)
    return created


def _announce(
    session: Session, surge: Surge, *, actor: Principal = SYSTEM, reason: str = "waiting work"
) -> None:
    experts = session.scalars(eligible_experts(surge.program_id, surge.language)).all()
    audit_service.record(
        session,
        actor=actor,
        action="surge.announced",
        subject_type="program",
        subject_id=surge.program_id,
        brand_id=surge.brand_id,
        data={
            **surge.terms(),
            "language": surge.language,
            "reason": reason,
            "experts": [str(e) for e in experts],
        },
    )


def overlapping_surge(
    session: Session, *, program_id: uuid.UUID, language: str, starts_at: datetime
) -> Surge | None:
    """A surge of the program and language whose window overlaps one starting at ``starts_at``."""
    return session.scalar(
        select(Surge)
        .where(
            Surge.program_id == program_id,
            Surge.language == language,
            Surge.starts_at < starts_at + SURGE_WINDOW,
            Surge.ends_at > starts_at,
        )
        .order_by(Surge.starts_at)
        .limit(1)
    )


def announce_surge_ahead(
    session: Session,
    actor: Principal,
    *,
    program: Program,
    language: str,
    waiting: int,
    capacity: int,
    starts_at: datetime,
) -> Surge | None:
    """Announce now a surge for a later window, from expected demand and supply.

    The multiplier follows the published rule (``surge_multiplier``) with the expected figures;
    None when they are below its threshold. The window lasts ``SURGE_WINDOW`` like every surge,
    and starts no sooner than ``SURGE_NOTICE`` from now.
    """
    multiplier = surge_multiplier(waiting, capacity)
    if multiplier is None:
        return None
    now = clock.now()
    starts_at = max(starts_at, now + SURGE_NOTICE)
    surge = Surge(
        brand_id=program.brand_id,
        program_id=program.id,
        language=language,
        multiplier=multiplier,
        waiting=waiting,
        capacity=capacity,
        announced_at=now,
        starts_at=starts_at,
        ends_at=starts_at + SURGE_WINDOW,
    )
    session.add(surge)
    session.flush()
    _announce(session, surge, actor=actor, reason="expected coverage gap")
    return surge


@dataclass(frozen=True, slots=True)
class SurgeNotice:
    surge: Surge
    program_name: str


def surges_for_expert(
    session: Session, principal: Principal, expert_id: uuid.UUID
) -> Sequence[SurgeNotice]:
    """Surges announced or in force for programs and languages the expert works in."""
    if principal.is_expert and principal.expert_id != expert_id:
        return []
    now = clock.now()
    rows = session.execute(
        select(Surge, Program.name)
        .join(Program, Program.id == Surge.program_id)
        .join(
            Enrollment,
            (Enrollment.program_id == Surge.program_id) & (Enrollment.expert_id == expert_id),
        )
        .join(
            ExpertLanguage,
            (ExpertLanguage.expert_id == expert_id) & (ExpertLanguage.language == Surge.language),
        )
        .where(Surge.ends_at > now, Enrollment.status == EnrollmentStatus.ACTIVE)
        .order_by(Surge.starts_at)
    ).all()
    return [SurgeNotice(surge, name) for surge, name in rows]


def surges_for_brand(session: Session, principal: Principal, *, limit: int = 50) -> Sequence[Surge]:
    """The brand's latest surges, newest first."""
    statement = select(Surge).order_by(Surge.announced_at.desc()).limit(limit)
    if not (principal.is_platform_admin or principal.is_system):
        statement = statement.where(Surge.brand_id == principal.brand_id)
    return session.scalars(statement).all()
