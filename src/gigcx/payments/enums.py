from enum import StrEnum


class EarningKind(StrEnum):
    TASK = "task"
    REVERSAL = "reversal"
    ONBOARDING = "onboarding"
    REVIEW = "review"
    ESCALATION = "escalation"
    BONUS = "bonus"
    ROYALTY = "royalty"


class EarningStatus(StrEnum):
    """Pending until its week closes, then approved, then paid once a payout settles it."""

    PENDING = "pending"
    APPROVED = "approved"
    PAID = "paid"


class FeeKind(StrEnum):
    """Work other than resolutions that a program pays for, enqueued by other domains."""

    ONBOARDING = "onboarding"
    REVIEW = "review"
    ESCALATION = "escalation"
    ROYALTY = "royalty"


class PayoutMethodKind(StrEnum):
    """How an expert is paid."""

    BANK_TRANSFER = "bank_transfer"
    PAYPAL = "paypal"


class PayoutTrigger(StrEnum):
    """What started a payout run."""

    SCHEDULE = "schedule"
    MANUAL = "manual"
    CLI = "cli"
    API = "api"
