"""A brand's compliance rules, and experts' work-authorisation attestations."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.errors import NotFound, PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.compliance.errors import CountryMissing
from gigcx.experts.compliance.models import BrandCompliance, WorkAuthorisation
from gigcx.experts.compliance.schemas import BrandComplianceUpdate
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock


def brand_compliance(session: Session, brand_id: uuid.UUID) -> BrandCompliance:
    """The brand's rules; a brand that set none gets the defaults (nothing required)."""
    rules = session.get(BrandCompliance, brand_id)
    if rules is None:
        return BrandCompliance(
            brand_id=brand_id,
            allowed_countries=[],
            denied_countries=[],
            requires_work_authorisation=False,
            requires_identity_check=False,
            max_hours_per_week=None,
        )
    return rules


def update_brand_compliance(
    session: Session, principal: Principal, brand_id: uuid.UUID, data: BrandComplianceUpdate
) -> BrandCompliance:
    """Set the brand's rules for experts; queued work is offered again under the new rules."""
    if not (
        principal.is_platform_admin
        or (principal.can_manage_brand and principal.brand_id == brand_id)
    ):
        raise PermissionDenied("only the brand's admins change its rules for experts")
    if session.get(Brand, brand_id) is None:
        raise NotFound("brand not found")
    rules = session.get(BrandCompliance, brand_id)
    if rules is None:
        rules = BrandCompliance(brand_id=brand_id)
        session.add(rules)
    rules.allowed_countries = sorted(set(data.allowed_countries))
    rules.denied_countries = sorted(set(data.denied_countries))
    rules.requires_work_authorisation = data.requires_work_authorisation
    rules.requires_identity_check = data.requires_identity_check
    rules.max_hours_per_week = data.max_hours_per_week
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="compliance.brand_rules_changed",
        subject_type="brand",
        subject_id=brand_id,
        brand_id=brand_id,
        data=data.model_dump(mode="json"),
    )
    program_ids = session.scalars(
        select(Program.id).where(Program.brand_id == brand_id).order_by(Program.id)
    ).all()
    for program_id in program_ids:
        jobs_service.enqueue(session, "routing.dispatch", {"program_id": str(program_id)})
    return rules


def attestation_statement(country: str, brand_name: str) -> str:
    return (
        f"I am authorised to work in {country} as an independent contractor for the kind of "
        f"customer support work {brand_name} offers."
    )


def attest_work_authorisation(
    session: Session, principal: Principal, brand_id: uuid.UUID
) -> WorkAuthorisation:
    """Record the expert's attestation for their current country (again after moving)."""
    expert = experts_service.current_expert(session, principal)
    brand = session.get(Brand, brand_id)
    if brand is None:
        raise NotFound("brand not found")
    if not expert.country:
        raise CountryMissing()
    attestation = session.get(WorkAuthorisation, (expert.id, brand_id))
    if attestation is None:
        attestation = WorkAuthorisation(expert_id=expert.id, brand_id=brand_id)
        session.add(attestation)
    attestation.country = expert.country
    attestation.statement = attestation_statement(expert.country, brand.name)
    attestation.attested_at = clock.now()
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="compliance.work_authorisation_attested",
        subject_type="expert",
        subject_id=expert.id,
        brand_id=brand_id,
        data={"country": expert.country},
    )
    experts_service.request_dispatch(session, expert.id)
    return attestation


def attestations_of(session: Session, expert_id: uuid.UUID) -> dict[uuid.UUID, WorkAuthorisation]:
    rows = session.scalars(
        select(WorkAuthorisation).where(WorkAuthorisation.expert_id == expert_id)
    ).all()
    return {row.brand_id: row for row in rows}
