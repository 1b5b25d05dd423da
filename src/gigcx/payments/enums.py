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


class TaxForm(StrEnum):
    """The US tax form an expert's tax profile follows."""

    W9 = "w9"  # US persons
    W8BEN = "w8ben"  # non-US individuals


class TinType(StrEnum):
    SSN = "ssn"
    EIN = "ein"
    FOREIGN = "foreign"  # a W-8BEN's foreign tax identifying number


class TaxClassification(StrEnum):
    """Federal tax classification on a W-9 (line 3a)."""

    INDIVIDUAL = "individual"  # individual or sole proprietor
    C_CORPORATION = "c_corporation"
    S_CORPORATION = "s_corporation"
    PARTNERSHIP = "partnership"
    TRUST_ESTATE = "trust_estate"
    LLC = "llc"
    OTHER = "other"
