"""Expert compliance use cases: agreements, eligibility rules, identity checks, hour caps."""

from gigcx.experts.compliance.service._agreements import (
    accept_agreement,
    acceptances_of,
    current_agreements,
    expert_brand_ids,
    get_agreement,
    list_agreements,
    pending_agreements,
    publish_agreement,
    readable_agreement,
    text_hash,
)
from gigcx.experts.compliance.service._gates import (
    Block,
    HoursCap,
    ProgramEligibility,
    blocked_experts,
    eligibility_of,
    week_hours,
    why_blocked,
)
from gigcx.experts.compliance.service._hours import hours_this_week, week_end, week_start
from gigcx.experts.compliance.service._identity import (
    latest_checks,
    record_identity_check,
    sign,
    verify,
)
from gigcx.experts.compliance.service._settings import (
    attest_work_authorisation,
    attestation_statement,
    attestations_of,
    brand_compliance,
    update_brand_compliance,
)

__all__ = [
    "Block",
    "HoursCap",
    "ProgramEligibility",
    "accept_agreement",
    "acceptances_of",
    "attest_work_authorisation",
    "attestation_statement",
    "attestations_of",
    "blocked_experts",
    "brand_compliance",
    "current_agreements",
    "eligibility_of",
    "expert_brand_ids",
    "get_agreement",
    "hours_this_week",
    "latest_checks",
    "list_agreements",
    "pending_agreements",
    "publish_agreement",
    "readable_agreement",
    "record_identity_check",
    "sign",
    "text_hash",
    "update_brand_compliance",
    "verify",
    "week_end",
    "week_hours",
    "week_start",
    "why_blocked",
]
