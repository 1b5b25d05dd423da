from datetime import UTC, datetime
from decimal import Decimal

from gigcx.quality import formulas
from gigcx.quality.enums import UNCONTROLLABLE_REASONS, RatingReason
from gigcx.quality.formulas import ScoreInput

AT = datetime(2026, 11, 2, tzinfo=UTC)
CRITERIA = [("greeting", 1, False), ("accuracy", 3, False), ("tone", 1, False), ("pii", 0, True)]


def csat(score: int) -> ScoreInput:
    return ScoreInput("csat", AT, formulas.csat_points(score), formulas.CSAT_WEIGHT, "")


def qa(score: str) -> ScoreInput:
    return ScoreInput("qa", AT, Decimal(score), formulas.QA_WEIGHT, "")


def test_csat_points_map_one_to_five_onto_zero_to_a_hundred() -> None:
    assert [formulas.csat_points(s) for s in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]


def test_review_score_is_the_met_share_of_the_weights() -> None:
    answers = {"greeting": True, "accuracy": True, "tone": False, "pii": True}

    assert formulas.review_score(CRITERIA, answers) == (Decimal("80.00"), False)
    assert formulas.review_score(CRITERIA, {**answers, "accuracy": False}) == (
        Decimal("20.00"),
        False,
    )


def test_a_missed_auto_fail_line_zeroes_the_review() -> None:
    answers = {"greeting": True, "accuracy": True, "tone": True, "pii": False}

    assert formulas.review_score(CRITERIA, answers) == (Decimal("0.00"), True)


def test_the_score_starts_at_the_prior() -> None:
    assert formulas.bayesian_score([]) == Decimal("75.00")


def test_the_score_is_the_bayesian_average_of_csat_and_weighted_qa() -> None:
    # (5 x 75 + 100 + 100 + 2 x 80) / (5 + 1 + 1 + 2) = 735 / 9 = 81.666...
    assert formulas.bayesian_score([csat(5), csat(5), qa("80")]) == Decimal("81.67")
    # (5 x 75 + 0 + 2 x 0) / (5 + 1 + 2) = 375 / 8 = 46.875
    assert formulas.bayesian_score([csat(1), qa("0")]) == Decimal("46.88")


def test_only_shipping_policy_and_product_are_beyond_the_experts_control() -> None:
    assert {
        RatingReason.SHIPPING,
        RatingReason.POLICY,
        RatingReason.PRODUCT,
    } == UNCONTROLLABLE_REASONS
