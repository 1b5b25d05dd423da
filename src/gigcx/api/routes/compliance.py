"""Expert compliance: agreements, brand rules, identity checks by webhook, and why offers stop."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import BrandManager, BrandStaff, ExpertPrincipal, PlatformAdmin, SessionDep
from gigcx.api.errors import ERROR_RESPONSES, UnreadableRequest
from gigcx.auth.principal import Principal
from gigcx.config import get_settings
from gigcx.errors import InvalidInput
from gigcx.experts.compliance import service as compliance_service
from gigcx.experts.compliance.models import Agreement, AgreementAcceptance, BrandCompliance
from gigcx.experts.compliance.schemas import (
    AcceptanceRead,
    AgreementAccept,
    AgreementCreate,
    AgreementRead,
    BlockRead,
    BrandComplianceRead,
    BrandComplianceUpdate,
    HoursCapRead,
    IdentityCheckRead,
    IdentityCheckReport,
    ProgramEligibilityRead,
    WeekHoursRead,
    WorkAuthorisationCreate,
    WorkAuthorisationRead,
)
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.routing import gates, hours

router = APIRouter(tags=["compliance"], responses=ERROR_RESPONSES)

BrandQuery = Annotated[uuid.UUID | None, Query(description="platform admins: the brand to act on")]


def _brand(principal: Principal, brand_id: uuid.UUID | None) -> uuid.UUID:
    if principal.brand_id is not None:
        return principal.brand_id
    if brand_id is None:
        raise InvalidInput("platform admins name the brand: add ?brand_id=<the brand's id>")
    return brand_id


def _agreement_read(agreement: Agreement) -> AgreementRead:
    return AgreementRead.model_validate(agreement, from_attributes=True)


def _rules_read(rules: BrandCompliance) -> BrandComplianceRead:
    return BrandComplianceRead.model_validate(rules, from_attributes=True)


@router.get("/compliance/platform-terms")
def platform_terms(session: SessionDep, principal: PlatformAdmin) -> list[AgreementRead]:
    """Every version of the platform terms, newest first."""
    return [_agreement_read(a) for a in compliance_service.list_agreements(session, brand_id=None)]


@router.post("/compliance/platform-terms", status_code=201)
def publish_platform_terms(
    session: SessionDep, principal: PlatformAdmin, data: AgreementCreate
) -> AgreementRead:
    """Publish a new version of the platform terms: experts get no offers until they accept it."""
    agreement = compliance_service.publish_agreement(session, principal, brand_id=None, data=data)
    return _agreement_read(agreement)


@router.get("/compliance/agreements")
def brand_agreements(
    session: SessionDep, principal: BrandStaff, brand_id: BrandQuery = None
) -> list[AgreementRead]:
    """Every version of your brand's contractor agreement, newest first."""
    scope = _brand(principal, brand_id)
    return [_agreement_read(a) for a in compliance_service.list_agreements(session, brand_id=scope)]


@router.post("/compliance/agreements", status_code=201)
def publish_brand_agreement(
    session: SessionDep, principal: BrandManager, data: AgreementCreate
) -> AgreementRead:
    """Publish a new version of your brand's contractor agreement: your programs' experts get no
    offers from you until they accept it."""
    agreement = compliance_service.publish_agreement(
        session, principal, brand_id=_brand(principal, None), data=data
    )
    return _agreement_read(agreement)


@router.get("/compliance/agreements/{agreement_id}/acceptances")
def agreement_acceptances(
    session: SessionDep, principal: BrandStaff, agreement_id: uuid.UUID
) -> list[AcceptanceRead]:
    """Who accepted this version: the name they typed, when (UTC), from where, the text's hash."""
    agreement = compliance_service.readable_agreement(session, principal, agreement_id)
    return [
        AcceptanceRead(
            agreement_id=agreement.id,
            expert_id=expert.id,
            expert_name=expert.display_name,
            full_name=acceptance.full_name,
            accepted_at=acceptance.accepted_at,
            client_address=acceptance.client_address,
            body_sha256=acceptance.body_sha256,
        )
        for acceptance, expert in compliance_service.acceptances_of(session, agreement)
    ]


@router.get("/compliance/rules")
def brand_rules(
    session: SessionDep, principal: BrandStaff, brand_id: BrandQuery = None
) -> BrandComplianceRead:
    """Your brand's rules for experts: countries, attestation, identity check, weekly hour cap."""
    return _rules_read(compliance_service.brand_compliance(session, _brand(principal, brand_id)))


@router.put("/compliance/rules")
def change_brand_rules(
    session: SessionDep, principal: BrandManager, data: BrandComplianceUpdate
) -> BrandComplianceRead:
    """Set your brand's rules for experts; they apply to the next offer."""
    brand_id = _brand(principal, None)
    return _rules_read(
        compliance_service.update_brand_compliance(session, principal, brand_id, data)
    )


async def _raw_body(request: Request) -> bytes:
    """The request body, read whole: the signature covers its exact bytes."""
    return await request.body()


def _inlined(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` written in place: a ``#/$defs`` reference
    inside an operation does not resolve in the OpenAPI document (ReDoc stops on it)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result


@router.post(
    "/compliance/identity-checks",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inlined(IdentityCheckReport)}},
        }
    },
)
def receive_identity_check(
    request: Request, session: SessionDep, raw: Annotated[bytes, Depends(_raw_body)]
) -> IdentityCheckRead:
    """Public, signed: an identity-check provider reports an expert's check status.

    Signed as Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` (seconds; at most
    ``GIGCX_IDENTITY_WEBHOOK_TOLERANCE_SECONDS`` from now) and ``webhook-signature``
    (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` under ``GIGCX_IDENTITY_WEBHOOK_SECRET``).
    A bad signature or stale timestamp is refused with 401, a webhook-id seen before with 409.
    Only the status is kept, never documents.
    """
    settings = get_settings()
    webhook_id = compliance_service.verify(
        settings.identity_webhook_secret,
        request.headers,
        raw,
        now=clock.now(),
        tolerance_seconds=settings.identity_webhook_tolerance_seconds,
    )
    try:
        report = IdentityCheckReport.model_validate_json(raw)
    except ValidationError as error:
        raise UnreadableRequest(_first_error(error)) from None
    check = compliance_service.record_identity_check(session, webhook_id=webhook_id, report=report)
    return IdentityCheckRead.model_validate(check, from_attributes=True)


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"


@router.get("/experts/me/agreements")
def my_agreements(session: SessionDep, principal: ExpertPrincipal) -> list[AgreementRead]:
    """The current agreements you have yet to accept (platform terms first); empty when none."""
    assert principal.expert_id is not None
    return [
        _agreement_read(a)
        for a in compliance_service.pending_agreements(session, principal.expert_id)
    ]


@router.post("/experts/me/agreements/{agreement_id}/accept", status_code=201)
def accept_agreement(
    request: Request,
    session: SessionDep,
    principal: ExpertPrincipal,
    agreement_id: uuid.UUID,
    data: AgreementAccept,
) -> AcceptanceRead:
    """Accept the current version of an agreement by typing your full name."""
    acceptance = compliance_service.accept_agreement(
        session,
        principal,
        agreement_id,
        full_name=data.full_name,
        client_address=client_address(request),
    )
    return _acceptance_read(session, acceptance.agreement_id, acceptance)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _acceptance_read(
    session: Session, agreement_id: uuid.UUID, acceptance: AgreementAcceptance
) -> AcceptanceRead:
    expert = session.get_one(Expert, acceptance.expert_id)
    return AcceptanceRead(
        agreement_id=agreement_id,
        expert_id=expert.id,
        expert_name=expert.display_name,
        full_name=acceptance.full_name,
        accepted_at=acceptance.accepted_at,
        client_address=acceptance.client_address,
        body_sha256=acceptance.body_sha256,
    )


@router.post("/experts/me/work-authorisations", status_code=201)
def attest_work_authorisation(
    session: SessionDep, principal: ExpertPrincipal, data: WorkAuthorisationCreate
) -> WorkAuthorisationRead:
    """Attest that you are authorised to work in your profile's country for this brand."""
    attestation = compliance_service.attest_work_authorisation(session, principal, data.brand_id)
    return WorkAuthorisationRead.model_validate(attestation, from_attributes=True)


@router.get("/experts/me/eligibility")
def my_eligibility(session: SessionDep, principal: ExpertPrincipal) -> list[ProgramEligibilityRead]:
    """For each program you are active in: whether you can receive offers, and every rule that
    stops them, in plain words with where to fix it."""
    assert principal.expert_id is not None
    return [
        ProgramEligibilityRead(
            program_id=item.program_id,
            program_name=item.program_name,
            brand_name=item.brand_name,
            can_receive_offers=not item.blocks,
            blocks=[
                BlockRead(gate=b.gate, brand_id=b.brand_id, message=b.message, fix_url=b.fix_url)
                for b in item.blocks
            ],
        )
        for item in gates.eligibility_of(session, principal.expert_id, clock.now())
    ]


@router.get("/experts/me/hours")
def my_hours(session: SessionDep, principal: ExpertPrincipal) -> WeekHoursRead:
    """Your hours this ISO week (from Monday 00:00 UTC), counted from your assignments, against
    the platform's cap and each brand's."""
    assert principal.expert_id is not None
    now = clock.now()
    total, caps = gates.week_hours(session, principal.expert_id, now)
    return WeekHoursRead(
        week_start=hours.week_start(now),
        week_end=hours.week_end(now),
        hours=round(total, 2),
        caps=[
            HoursCapRead(scope=c.label, brand_id=c.brand_id, hours=round(c.hours, 2), cap=c.cap)
            for c in caps
        ],
    )
