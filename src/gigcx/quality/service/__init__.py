"""Ratings, QA reviews, calibration, disputes, the quality score and tiers."""

from gigcx.quality.service._calibration import (
    CalibrationReport,
    calibration_report,
    list_calibrations,
    start_calibration,
)
from gigcx.quality.service._disputes import decide_dispute, get_dispute, list_disputes, open_dispute
from gigcx.quality.service._performance import (
    QUALITY_FORMULA,
    Performance,
    QualityScore,
    RatingLine,
    ResponseTimes,
    counts_against_expert,
    expert_performance,
    rate_ticket,
)
from gigcx.quality.service._reviews import (
    claim_review,
    complete_review,
    get_review,
    get_scorecard,
    list_reviews,
    open_review,
    put_scorecard,
    review_queue,
    sample_resolved_ticket,
)
from gigcx.quality.service._score import (
    QualityBreakdown,
    qa_average,
    quality_breakdown,
    quality_overview,
    refresh_quality_score,
)
from gigcx.quality.service._tiers import (
    TierRunSummary,
    list_warnings,
    review_tiers,
    schedule_tier_reviews,
    week_start_of,
)

__all__ = [
    "QUALITY_FORMULA",
    "CalibrationReport",
    "Performance",
    "QualityBreakdown",
    "QualityScore",
    "RatingLine",
    "ResponseTimes",
    "TierRunSummary",
    "calibration_report",
    "claim_review",
    "complete_review",
    "counts_against_expert",
    "decide_dispute",
    "expert_performance",
    "get_dispute",
    "get_review",
    "get_scorecard",
    "list_calibrations",
    "list_disputes",
    "list_reviews",
    "list_warnings",
    "open_dispute",
    "open_review",
    "put_scorecard",
    "qa_average",
    "quality_breakdown",
    "quality_overview",
    "rate_ticket",
    "refresh_quality_score",
    "review_queue",
    "review_tiers",
    "sample_resolved_ticket",
    "schedule_tier_reviews",
    "start_calibration",
    "week_start_of",
]
