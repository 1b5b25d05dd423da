from enum import StrEnum


class Presence(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


class EnrollmentStatus(StrEnum):
    APPLIED = "applied"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    REMOVED = "removed"


class PausedBy(StrEnum):
    """Who paused an enrollment; only they may resume it."""

    EXPERT = "expert"
    BRAND = "brand"


ENROLLMENT_TRANSITIONS: dict[EnrollmentStatus, frozenset[EnrollmentStatus]] = {
    EnrollmentStatus.APPLIED: frozenset(
        {EnrollmentStatus.ONBOARDING, EnrollmentStatus.ACTIVE, EnrollmentStatus.REMOVED}
    ),
    EnrollmentStatus.ONBOARDING: frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.REMOVED}),
    EnrollmentStatus.ACTIVE: frozenset({EnrollmentStatus.PAUSED, EnrollmentStatus.REMOVED}),
    EnrollmentStatus.PAUSED: frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.REMOVED}),
    EnrollmentStatus.REMOVED: frozenset(),
}


# Statuses that restrict an expert's work. Only a named person with a written reason sets them
# for anyone but the expert themselves; automated systems may only propose them.
RESTRICTED_STATUSES: frozenset[EnrollmentStatus] = frozenset(
    {EnrollmentStatus.PAUSED, EnrollmentStatus.REMOVED}
)


class Tier(StrEnum):
    """An expert's standing in a program; the criteria are published (gigcx.quality.tiers)."""

    NEW = "new"
    ESTABLISHED = "established"
    SENIOR = "senior"


TIER_ORDER: tuple[Tier, ...] = (Tier.NEW, Tier.ESTABLISHED, Tier.SENIOR)
