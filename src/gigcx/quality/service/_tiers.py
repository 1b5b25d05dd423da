"""The weekly tier review: promotions, warnings first, then demotions, and removals proposed.

A removal is never automatic: after a removal warning's date passes without improvement, the
review files a proposal that a person at the brand applies or dismisses with a reason.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Program
from gigcx.db.helpers import insert_or_get
from gigcx.experts.enums import TIER_ORDER, EnrollmentStatus, Tier
from gigcx.experts.models import Enrollment
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.quality import formulas
from gigcx.quality.enums import WarningKind, WarningStatus
from gigcx.quality.models import TierEvaluation, TierWarning
from gigcx.quality.queries import readable_warnings
from gigcx.quality.service._human_reviews import propose_restriction
from gigcx.quality.service._score import (
    QualityBreakdown,
    quality_breakdown,
    refresh_quality_score,
)


def week_start_of(day: date) -> date:
    """The Monday of the week that holds ``day``."""
    return day - timedelta(days=day.weekday())


@dataclass
class TierRunSummary:
    week_start: date
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "evaluated",
                "skipped",
                "promoted",
                "warned",
                "demoted",
                "removal_proposed",
                "resolved",
            ),
            0,
        )
    )


def _improve(breakdown: QualityBreakdown, target: Decimal, due: datetime, program_name: str) -> str:
    low = [x for x in breakdown.inputs if x.points < target]
    hint = (
        "; the inputs below it: " + ", ".join(x.label for x in low[-5:])
        if low
        else "; more good ratings and reviews lift it"
    )
    return (
        f"Raise your quality score in {program_name} from {breakdown.score} to {target} or more "
        f"by {due.date().isoformat()}{hint}."
    )


def _next_tier(tier: Tier) -> Tier | None:
    index = TIER_ORDER.index(tier)
    return TIER_ORDER[index + 1] if index + 1 < len(TIER_ORDER) else None


def _lower_tier(tier: Tier) -> Tier:
    return TIER_ORDER[max(TIER_ORDER.index(tier) - 1, 0)]


def _qualifies(tier: Tier, breakdown: QualityBreakdown) -> bool:
    rule = formulas.TIER_RULES[tier]
    return (
        breakdown.score >= rule.min_score
        and breakdown.input_count >= rule.min_inputs
        and breakdown.review_count >= rule.min_reviews
    )


def _evaluate(
    session: Session, enrollment: Enrollment, as_of: datetime, program_name: str
) -> tuple[str, QualityBreakdown]:
    breakdown = quality_breakdown(
        session, expert_id=enrollment.expert_id, program_id=enrollment.program_id, as_of=as_of
    )
    warning = session.scalar(
        select(TierWarning).where(
            TierWarning.enrollment_id == enrollment.id, TierWarning.status == WarningStatus.OPEN
        )
    )
    if warning is not None:
        if breakdown.score >= warning.target_score:
            warning.status = WarningStatus.RESOLVED
            warning.closed_at = as_of
            return "resolved", breakdown
        if as_of < warning.due_at:
            return "warned_earlier", breakdown
        warning.status = WarningStatus.ENFORCED
        warning.closed_at = as_of
        if warning.kind == WarningKind.REMOVAL:
            propose_restriction(
                session,
                enrollment,
                EnrollmentStatus.REMOVED,
                raised_by=TIER_JOB,
                grounds=(
                    f"Quality score {breakdown.score} in {program_name} is still below "
                    f"{warning.target_score} after the removal warning of "
                    f"{warning.created_at.date().isoformat()} (due "
                    f"{warning.due_at.date().isoformat()})."
                ),
            )
            return "removal_proposed", breakdown
        enrollment.tier = _lower_tier(enrollment.tier)
        return "demoted", breakdown
    due = as_of + timedelta(days=formulas.WARNING_DAYS)
    kind: WarningKind | None = None
    target = Decimal(0)
    if (
        breakdown.score < formulas.REMOVAL_SCORE
        and breakdown.input_count >= formulas.REMOVAL_MIN_INPUTS
    ):
        kind, target = WarningKind.REMOVAL, formulas.REMOVAL_SCORE
    elif enrollment.tier != Tier.NEW:
        rule = formulas.TIER_RULES[enrollment.tier]
        if breakdown.score < rule.min_score:
            kind, target = WarningKind.DEMOTION, rule.min_score
    if kind is not None:
        session.add(
            TierWarning(
                enrollment_id=enrollment.id,
                expert_id=enrollment.expert_id,
                program_id=enrollment.program_id,
                kind=kind,
                tier=enrollment.tier,
                improve=_improve(breakdown, target, due, program_name),
                score=breakdown.score,
                target_score=target,
                due_at=due,
            )
        )
        return "warned", breakdown
    upper = _next_tier(enrollment.tier)
    if upper is not None and _qualifies(upper, breakdown):
        enrollment.tier = upper
        return "promoted", breakdown
    return "kept", breakdown


def _find_evaluation(
    session: Session, enrollment_id: uuid.UUID, week_start: date
) -> TierEvaluation | None:
    return session.scalar(
        select(TierEvaluation).where(
            TierEvaluation.enrollment_id == enrollment_id, TierEvaluation.week_start == week_start
        )
    )


def review_tiers(
    session: Session,
    week_start: date,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> TierRunSummary:
    """Re-evaluate every active enrollment's tier for the week; a second run changes nothing.

    The review looks at the window that ends on the week's Monday 00:00 UTC. Paused
    enrollments keep their tier and are not evaluated.
    """
    week_start = week_start_of(week_start)
    as_of = datetime.combine(week_start, time(0), tzinfo=UTC)
    summary = TierRunSummary(week_start)
    rows = session.execute(
        select(Enrollment, Program.name, Program.brand_id)
        .join(Program, Program.id == Enrollment.program_id)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE)
        .order_by(Enrollment.id)
    ).all()
    for index, (enrollment, program_name, brand_id) in enumerate(rows, start=1):
        if progress is not None:
            progress(index, len(rows))
        evaluation = TierEvaluation(
            enrollment_id=enrollment.id,
            week_start=week_start,
            tier_before=enrollment.tier,
            tier_after=enrollment.tier,
            score=Decimal(0),
            input_count=0,
            qa_count=0,
            outcome="pending",
        )
        evaluation, is_new = insert_or_get(
            session,
            evaluation,
            partial(_find_evaluation, session, enrollment.id, week_start),
        )
        if not is_new:
            summary.counts["skipped"] += 1
            continue
        outcome, breakdown = _evaluate(session, enrollment, as_of, program_name)
        # Routing reads the score of the window that ends now, not at the week's start.
        refresh_quality_score(
            session, expert_id=enrollment.expert_id, program_id=enrollment.program_id
        )
        evaluation.tier_after = enrollment.tier
        evaluation.score = breakdown.score
        evaluation.input_count = breakdown.input_count
        evaluation.qa_count = breakdown.review_count
        evaluation.outcome = outcome
        summary.counts["evaluated"] += 1
        if outcome in summary.counts:
            summary.counts[outcome] += 1
        if outcome != "kept":
            audit_service.record(
                session,
                actor=SYSTEM,
                action=f"tier.{outcome}",
                subject_type="enrollment",
                subject_id=enrollment.id,
                brand_id=brand_id,
                data={
                    "week_start": week_start.isoformat(),
                    "tier_before": evaluation.tier_before,
                    "tier_after": enrollment.tier,
                    "score": str(breakdown.score),
                },
            )
        session.flush()
    return summary


TIER_JOB = "quality.review_tiers"


def schedule_tier_reviews(session: Session, week_start: date) -> datetime:
    """Queue the weekly tier review for the week after ``week_start``, once; it re-queues itself.

    Returns when it will run (that Monday, 00:00 UTC).
    """
    following = week_start_of(week_start) + timedelta(days=7)
    run_at = datetime.combine(following, time(0), tzinfo=UTC)
    queued = session.scalars(
        select(Job.payload).where(Job.name == TIER_JOB, Job.status == JobStatus.QUEUED)
    ).all()
    if not any(payload.get("week_start") == following.isoformat() for payload in queued):
        jobs_service.enqueue(
            session, TIER_JOB, {"week_start": following.isoformat(), "repeat": True}, run_at=run_at
        )
    return run_at


def list_warnings(
    session: Session,
    principal: Principal,
    *,
    expert_id: uuid.UUID | None = None,
    status: WarningStatus | None = None,
) -> list[TierWarning]:
    statement = readable_warnings(principal)
    if expert_id is not None:
        statement = statement.where(TierWarning.expert_id == expert_id)
    if status is not None:
        statement = statement.where(TierWarning.status == status)
    return list(session.scalars(statement.order_by(TierWarning.created_at.desc()).limit(200)))
