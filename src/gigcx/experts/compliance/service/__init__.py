"""Expert compliance use cases: agreements, eligibility rules, identity checks, hour caps."""

from gigcx.experts.compliance.service._agreements import (
    accept_agreement,
    acceptances_of,
    accepted_ids,
    brand_name,
    current_agreements,
    expert_brand_ids,
    get_agreement,
    list_agreements,
    pending_agreements,
    publish_agreement,
    readable_agreement,
    text_hash,
)
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
    "accept_agreement",
    "acceptances_of",
    "accepted_ids",
    "attest_work_authorisation",
    "attestation_statement",
    "attestations_of",
    "brand_compliance",
    "brand_name",
    "current_agreements",
    "expert_brand_ids",
    "get_agreement",
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
]
