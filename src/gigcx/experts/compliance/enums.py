from enum import StrEnum


class IdentityStatus(StrEnum):
    """An identity or background check's result as the provider reports it."""

    PENDING = "pending"
    CLEAR = "clear"
    CONSIDER = "consider"
    FAILED = "failed"


class Gate(StrEnum):
    """A compliance rule that can stop offers to an expert."""

    PLATFORM_TERMS = "platform_terms"
    BRAND_AGREEMENT = "brand_agreement"
    COUNTRY_MISSING = "country_missing"
    COUNTRY_NOT_ALLOWED = "country_not_allowed"
    WORK_AUTHORISATION = "work_authorisation"
    IDENTITY_CHECK = "identity_check"
    PLATFORM_HOURS = "platform_hours"
    BRAND_HOURS = "brand_hours"
