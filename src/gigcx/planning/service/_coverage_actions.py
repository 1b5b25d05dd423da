"""One-click answers to a coverage gap: a surge announced ahead, an invitation to the experts
whose daytime covers the gap, a recruitment note on the program's listing.

Each is recorded once per gap (``CoverageAction.target_key``): the same click twice finds the
first and changes nothing. Mails for invitations are queued by the delivery layer, which reads
``ActionResult.expert_ids`` (planning does not send mail).
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import Conflict, InvalidInput
from gigcx.kit import clock
from gigcx.kit.languages import language_name
from gigcx.payments import service as payments_service
from gigcx.payments.service._surge import SURGE_NOTICE
from gigcx.planning import coverage
from gigcx.planning.enums import CoverageActionKind
from gigcx.planning.models import CoverageAction, CoverageInvitation
from gigcx.planning.service._coverage import compute_coverage, eligible_experts, require_staff

RECRUITMENT_DAYS = 28


@dataclass(frozen=True)
class ActionResult:
    action: CoverageAction
    is_new: bool
    message: str
    expert_ids: list[uuid.UUID] = field(default_factory=list)


def _program(
    session: Session, principal: Principal, program_id: uuid.UUID, language: str, hour: int
) -> Program:
    require_staff(principal)
    program = brands_service.get_program(session, principal, program_id)
    if language not in program.languages:
        raise InvalidInput(f"{program.name} does not serve the language {language!r}")
    if not 0 <= hour < coverage.HOURS_PER_WEEK:
        raise InvalidInput("pick an hour of the week from the coverage table")
    return program


def _existing(
    session: Session, program: Program, kind: CoverageActionKind, language: str, key: str
) -> CoverageAction | None:
    return session.scalar(
        select(CoverageAction).where(
            CoverageAction.program_id == program.id,
            CoverageAction.kind == kind,
            CoverageAction.language == language,
            CoverageAction.target_key == key,
        )
    )


def _save(session: Session, action: CoverageAction) -> CoverageAction | None:
    """Insert the action; None when a concurrent click stored the same one first."""
    try:
        with session.begin_nested():
            session.add(action)
    except IntegrityError:
        return None
    return action


def _audit(session: Session, principal: Principal, action: CoverageAction) -> None:
    audit_service.record(
        session,
        actor=principal,
        action=f"coverage.{action.kind}",
        subject_type="program",
        subject_id=action.program_id,
        brand_id=action.brand_id,
        data={
            "language": action.language,
            "hour_of_week": action.hour_of_week,
            "target": action.target_key,
            "experts": action.expert_count,
        },
    )


def _when(at: datetime) -> str:
    return f"{at:%a %d %b %H:00} UTC"


def announce_surge_for_gap(
    session: Session, principal: Principal, program_id: uuid.UUID, *, language: str, hour: int
) -> ActionResult:
    """Announce now a surge for the next occurrence of the gap hour, by the published rule."""
    program = _program(session, principal, program_id, language, hour)
    now = clock.now()
    starts_at = coverage.next_occurrence(hour, after=now + SURGE_NOTICE)
    key = starts_at.isoformat()
    found = _existing(session, program, CoverageActionKind.SURGE, language, key)
    if found is not None:
        return ActionResult(found, False, f"A surge for {_when(starts_at)} is already announced.")
    other = payments_service.overlapping_surge(
        session, program_id=program.id, language=language, starts_at=starts_at
    )
    if other is not None:
        raise Conflict(
            f"a surge of {other.multiplier}x already covers {_when(starts_at)}; "
            "nothing new was announced"
        )
    cell = compute_coverage(session, program, now=now).cell(language, hour)
    assert cell is not None
    waiting, seats = coverage.surge_pressure(cell)
    surge = payments_service.announce_surge_ahead(
        session,
        principal,
        program=program,
        language=language,
        waiting=waiting,
        capacity=seats,
        starts_at=starts_at,
    )
    if surge is None:
        raise Conflict(
            f"{cell.needed} experts needed against {seats} expected online is below the "
            "published surge threshold; no surge was announced"
        )
    action = CoverageAction(
        brand_id=program.brand_id,
        program_id=program.id,
        kind=CoverageActionKind.SURGE,
        language=language,
        hour_of_week=hour,
        target_key=key,
        starts_at=surge.starts_at,
        ends_at=surge.ends_at,
        note=f"{surge.multiplier}x pay on {language_name(language)} work, {_when(starts_at)}",
        surge_id=surge.id,
        author_id=principal.user_id,
    )
    session.add(action)
    session.flush()
    message = (
        f"Surge of {surge.multiplier}x announced for {language_name(language)}, "
        f"{_when(surge.starts_at)} to {surge.ends_at:%H:00} UTC."
    )
    return ActionResult(action, True, message)


def daytime_experts(
    session: Session, program: Program, language: str, at: datetime, *, now: datetime
) -> list[uuid.UUID]:
    """Experts who may take the work, write the language and have daytime at ``at``."""
    return [
        expert.id
        for expert in eligible_experts(session, program, now=now)
        if any(x.language == language for x in expert.languages)
        and coverage.is_daytime_at(expert.timezone, at)
    ]


def invite_for_gap(
    session: Session, principal: Principal, program_id: uuid.UUID, *, language: str, hour: int
) -> ActionResult:
    """Invite the enrolled experts whose local daytime covers the next occurrence of the gap."""
    program = _program(session, principal, program_id, language, hour)
    now = clock.now()
    starts_at = coverage.next_occurrence(hour, after=now)
    key = starts_at.isoformat()
    found = _existing(session, program, CoverageActionKind.INVITE, language, key)
    if found is not None:
        return ActionResult(
            found, False, f"These experts were already invited for {_when(starts_at)}."
        )
    invited = daytime_experts(session, program, language, starts_at, now=now)
    if not invited:
        raise Conflict(
            f"no enrolled expert who writes {language_name(language)} has daytime at "
            f"{_when(starts_at)}; recruit for the language and region instead"
        )
    action = CoverageAction(
        brand_id=program.brand_id,
        program_id=program.id,
        kind=CoverageActionKind.INVITE,
        language=language,
        hour_of_week=hour,
        target_key=key,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        note=(
            f"{program.name} expects more {language_name(language)} work than experts online "
            f"on {_when(starts_at)}, which is daytime where you are. If you can, be available then."
        ),
        author_id=principal.user_id,
        expert_count=len(invited),
    )
    if _save(session, action) is None:
        found = _existing(session, program, CoverageActionKind.INVITE, language, key)
        assert found is not None
        return ActionResult(found, False, f"Already invited for {_when(starts_at)}.")
    session.add_all(CoverageInvitation(action_id=action.id, expert_id=i) for i in invited)
    session.flush()
    _audit(session, principal, action)
    count = f"{len(invited)} expert{'' if len(invited) == 1 else 's'}"
    return ActionResult(action, True, f"Invited {count} for {_when(starts_at)}.", invited)


def recruit_for_gap(
    session: Session, principal: Principal, program_id: uuid.UUID, *, language: str, hour: int
) -> ActionResult:
    """Post a recruitment note on the program's listing for the language and the region where
    the gap hour is daytime; shown to experts browsing programs for four weeks."""
    program = _program(session, principal, program_id, language, hour)
    now = clock.now()
    region = coverage.region_for_hour(hour % 24)
    running = session.scalar(
        select(CoverageAction).where(
            CoverageAction.program_id == program.id,
            CoverageAction.kind == CoverageActionKind.RECRUIT,
            CoverageAction.language == language,
            CoverageAction.region == region.label(),
            CoverageAction.ends_at > now,
        )
    )
    if running is not None:
        return ActionResult(
            running, False, f"The program already recruits for this until {running.ends_at:%d %b}."
        )
    action = CoverageAction(
        brand_id=program.brand_id,
        program_id=program.id,
        kind=CoverageActionKind.RECRUIT,
        language=language,
        hour_of_week=hour,
        target_key=f"{region.key}:{now.date().isoformat()}",
        starts_at=now,
        ends_at=now + timedelta(days=RECRUITMENT_DAYS),
        region=region.label(),
        note=(
            f"Looking for experts who write {language_name(language)} in "
            f"{region.label()}: we need more of you around {hour % 24:02d}:00 UTC."
        ),
        author_id=principal.user_id,
    )
    if _save(session, action) is None:
        raise Conflict("the same recruitment note was posted a moment ago")
    session.flush()
    _audit(session, principal, action)
    return ActionResult(action, True, f"Recruitment note posted on {program.name}'s listing.")


def recruitment_notes(
    session: Session, program_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[CoverageAction]]:
    """Running recruitment notes of these programs (for their public listing)."""
    notes: dict[uuid.UUID, list[CoverageAction]] = {}
    for action in session.scalars(
        select(CoverageAction)
        .where(
            CoverageAction.program_id.in_(program_ids),
            CoverageAction.kind == CoverageActionKind.RECRUIT,
            CoverageAction.ends_at > clock.now(),
        )
        .order_by(CoverageAction.created_at, CoverageAction.id)
    ):
        notes.setdefault(action.program_id, []).append(action)
    return notes


def recent_actions(
    session: Session, principal: Principal, *, limit: int = 20
) -> list[CoverageAction]:
    """The brand's latest coverage actions, newest first."""
    require_staff(principal)
    statement = select(CoverageAction).order_by(CoverageAction.created_at.desc()).limit(limit)
    if not principal.is_platform_admin:
        statement = statement.where(CoverageAction.brand_id == principal.brand_id)
    return list(session.scalars(statement))
