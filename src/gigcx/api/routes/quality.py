import uuid

from fastapi import APIRouter

from gigcx.api.deps import BrandManager, BrandStaff, CurrentPrincipal, ExpertPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.experts import service as experts_service
from gigcx.quality import formulas
from gigcx.quality import service as quality_service
from gigcx.quality.enums import REASON_AREAS, UNCONTROLLABLE_REASONS, DisputeStatus
from gigcx.quality.schemas import (
    CalibrationCreate,
    DisputeCreate,
    DisputeDecision,
    DisputeRead,
    QualityScoreRead,
    RatingReasonRead,
    ReviewRead,
    ReviewSubmit,
    ScorecardPut,
    ScorecardRead,
    ScoreInputRead,
    TierCriterionRead,
    TierWarningRead,
)
from gigcx.views import reads

router = APIRouter(tags=["quality"], responses=ERROR_RESPONSES)


@router.get("/programs/{program_id}/scorecard")
def get_scorecard(
    session: SessionDep, principal: CurrentPrincipal, program_id: uuid.UUID
) -> ScorecardRead:
    return ScorecardRead.model_validate(
        quality_service.get_scorecard(session, principal, program_id)
    )


@router.put("/programs/{program_id}/scorecard")
def put_scorecard(
    session: SessionDep, principal: BrandManager, program_id: uuid.UUID, body: ScorecardPut
) -> ScorecardRead:
    """Create or replace the QA scorecard: weighted criteria, auto-fail lines, sampling rates."""
    scorecard = quality_service.put_scorecard(session, principal, program_id, body)
    return ScorecardRead.model_validate(scorecard)


@router.get("/reviews")
def list_reviews(
    session: SessionDep,
    principal: CurrentPrincipal,
    expert_id: uuid.UUID | None = None,
    program_id: uuid.UUID | None = None,
) -> list[ReviewRead]:
    """QA reviews: the brand's; for experts, reviews of their tickets and those they wrote."""
    rows = quality_service.list_reviews(
        session, principal, expert_id=expert_id, program_id=program_id
    )
    return [reads.review_read(session, principal, r) for r in rows]


@router.get("/reviews/queue")
def review_queue(
    session: SessionDep, principal: CurrentPrincipal, program_id: uuid.UUID | None = None
) -> list[ReviewRead]:
    """Open review tasks you may take (brand staff, or senior experts of the program)."""
    rows = quality_service.review_queue(session, principal, program_id=program_id)
    return [reads.review_read(session, principal, r) for r in rows]


@router.post("/reviews/{review_id}/claim")
def claim_review(
    session: SessionDep, principal: CurrentPrincipal, review_id: uuid.UUID
) -> ReviewRead:
    return reads.review_read(
        session, principal, quality_service.claim_review(session, principal, review_id)
    )


@router.post("/reviews/{review_id}/complete")
def complete_review(
    session: SessionDep, principal: CurrentPrincipal, review_id: uuid.UUID, body: ReviewSubmit
) -> ReviewRead:
    """Fill in the scorecard; senior experts are paid per review."""
    review = quality_service.complete_review(session, principal, review_id, body)
    return reads.review_read(session, principal, review)


@router.post("/calibrations", status_code=201)
def start_calibration(
    session: SessionDep, principal: BrandStaff, body: CalibrationCreate
) -> dict[str, object]:
    """Have several reviewers score the same resolved ticket."""
    calibration = quality_service.start_calibration(session, principal, body)
    return {"id": str(calibration.id), "ticket_id": str(calibration.ticket_id)}


@router.get("/calibrations/{calibration_id}")
def calibration_report(
    session: SessionDep, principal: BrandStaff, calibration_id: uuid.UUID
) -> dict[str, object]:
    """How far the reviewers agree: per criterion and overall (percent), and the score spread."""
    report = quality_service.calibration_report(session, principal, calibration_id)
    return {
        "id": str(report.calibration.id),
        "ticket_id": str(report.calibration.ticket_id),
        "completed": len(report.completed),
        "reviewers": len(report.reviews),
        "agreement": None if report.agreement is None else str(report.agreement),
        "mean_score": None if report.mean_score is None else str(report.mean_score),
        "spread": None if report.spread is None else str(report.spread),
        "criteria": [
            {"key": c.key, "met": c.met, "missed": c.missed, "agreement": str(c.agreement)}
            for c in report.criteria
        ],
    }


@router.post("/disputes", status_code=201)
def open_dispute(
    session: SessionDep, principal: ExpertPrincipal, body: DisputeCreate
) -> DisputeRead:
    """Appeal a review or a rating of your work, once."""
    dispute = quality_service.open_dispute(session, principal, body)
    return reads.dispute_read(session, principal, dispute)


@router.get("/disputes")
def list_disputes(
    session: SessionDep, principal: CurrentPrincipal, status: DisputeStatus | None = None
) -> list[DisputeRead]:
    rows = quality_service.list_disputes(session, principal, status=status)
    return [reads.dispute_read(session, principal, d) for d in rows]


@router.post("/disputes/{dispute_id}/decision")
def decide_dispute(
    session: SessionDep, principal: BrandStaff, dispute_id: uuid.UUID, body: DisputeDecision
) -> DisputeRead:
    """Decide an appeal with a reason; overturned reviews and ratings stop counting."""
    dispute = quality_service.decide_dispute(session, principal, dispute_id, body)
    return DisputeRead.model_validate(dispute)


@router.get("/experts/me/quality")
def my_quality(session: SessionDep, principal: ExpertPrincipal) -> list[QualityScoreRead]:
    """Your quality score per program with its formula, prior, window and every input."""
    expert = experts_service.current_expert(session, principal)
    return [
        QualityScoreRead(
            program_id=row.enrollment.program_id,
            program_name=row.program_name,
            tier=row.tier,
            score=row.breakdown.score,
            formula=row.breakdown.formula,
            worked_formula=row.breakdown.worked_formula,
            prior=row.breakdown.prior,
            prior_weight=row.breakdown.prior_weight,
            csat_weight=row.breakdown.csat_weight,
            qa_weight=row.breakdown.qa_weight,
            window_days=row.breakdown.window_days,
            window_start=row.breakdown.start,
            window_end=row.breakdown.end,
            inputs=[ScoreInputRead.model_validate(x) for x in row.breakdown.inputs],
        )
        for row in quality_service.quality_overview(session, principal, expert.id)
    ]


@router.get("/tier-warnings")
def list_warnings(
    session: SessionDep, principal: CurrentPrincipal, expert_id: uuid.UUID | None = None
) -> list[TierWarningRead]:
    """Warnings before demotion or removal: what to improve and by when."""
    rows = quality_service.list_warnings(session, principal, expert_id=expert_id)
    return [TierWarningRead.model_validate(w) for w in rows]


@router.get("/rating-reasons")
def rating_reasons() -> list[RatingReasonRead]:
    """Every CSAT reason code, what it is about and whether it counts against experts. Public."""
    return [
        RatingReasonRead(
            reason=reason, area=area, is_controllable=reason not in UNCONTROLLABLE_REASONS
        )
        for reason, area in REASON_AREAS.items()
    ]


@router.get("/tiers")
def tier_criteria() -> list[TierCriterionRead]:
    """The published tier criteria. Public."""
    return [TierCriterionRead(tier="new", criteria=formulas.NEW_TIER_TEXT)] + [
        TierCriterionRead(tier=rule.tier, criteria=rule.describe())
        for rule in formulas.TIER_RULES.values()
    ]
