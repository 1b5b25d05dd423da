"""Data subject rights and retention: exports, erasures, legal holds and the brand's policy.

Customer requests are for a brand's admins and its API key; expert requests for platform
admins. Each request runs as a job; poll its status, then download an export's zip.
"""

import uuid

from fastapi import APIRouter, Response

from gigcx.api.deps import CurrentPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.rights import service as rights_service
from gigcx.rights.enums import RequestKind, SubjectKind
from gigcx.rights.models import PrivacyRequest
from gigcx.rights.schemas import (
    LegalHoldCreate,
    LegalHoldRead,
    LegalHoldRelease,
    PrivacyRequestCreate,
    PrivacyRequestRead,
    RetentionPolicyPut,
    RetentionPolicyRead,
    RetentionReportRead,
)

router = APIRouter(prefix="/privacy", tags=["privacy"], responses=ERROR_RESPONSES)


def _read(row: PrivacyRequest) -> PrivacyRequestRead:
    read = PrivacyRequestRead.model_validate(row)
    if row.kind == RequestKind.EXPORT and row.archive is not None:
        read.download_url = f"/api/v1/privacy/exports/{row.id}/download"
    return read


def _make(
    session: SessionDep, principal: CurrentPrincipal, body: PrivacyRequestCreate, kind: RequestKind
) -> PrivacyRequestRead:
    row = rights_service.request(
        session, principal, kind=kind, email=body.email, subject_kind=SubjectKind(body.subject)
    )
    return _read(row)


@router.post("/exports", status_code=202)
def request_export(
    session: SessionDep, principal: CurrentPrincipal, body: PrivacyRequestCreate
) -> PrivacyRequestRead:
    """Export everything held about a customer (or, for platform admins, an expert) as a zip."""
    return _make(session, principal, body, RequestKind.EXPORT)


@router.get("/exports/{request_id}")
def get_export(
    session: SessionDep, principal: CurrentPrincipal, request_id: uuid.UUID
) -> PrivacyRequestRead:
    """An export's status; once done, its ``download_url`` until it expires."""
    return _read(
        rights_service.get_request(session, principal, request_id, kind=RequestKind.EXPORT)
    )


@router.get(
    "/exports/{request_id}/download",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The export's zip"}},
)
def download_export(
    session: SessionDep, principal: CurrentPrincipal, request_id: uuid.UUID
) -> Response:
    """The export's zip (JSON files and attachments); each download is audited."""
    data, filename = rights_service.download(session, principal, request_id)
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/erasures", status_code=202)
def request_erasure(
    session: SessionDep, principal: CurrentPrincipal, body: PrivacyRequestCreate
) -> PrivacyRequestRead:
    """Erase a customer (or an expert) by anonymising them; 409 while a legal hold keeps them."""
    return _make(session, principal, body, RequestKind.ERASURE)


@router.get("/erasures/{request_id}")
def get_erasure(
    session: SessionDep, principal: CurrentPrincipal, request_id: uuid.UUID
) -> PrivacyRequestRead:
    """An erasure's status and what it wiped."""
    return _read(
        rights_service.get_request(session, principal, request_id, kind=RequestKind.ERASURE)
    )


@router.get("/requests")
def list_requests(session: SessionDep, principal: CurrentPrincipal) -> list[PrivacyRequestRead]:
    """The brand's export and erasure requests, newest first (the latest 100)."""
    return [_read(row) for row in rights_service.list_requests(session, principal)]


@router.get("/holds")
def list_holds(session: SessionDep, principal: CurrentPrincipal) -> list[LegalHoldRead]:
    """The brand's legal holds, active first."""
    return [LegalHoldRead.model_validate(h) for h in rights_service.list_holds(session, principal)]


@router.post("/holds", status_code=201)
def set_hold(
    session: SessionDep, principal: CurrentPrincipal, body: LegalHoldCreate
) -> LegalHoldRead:
    """Keep a ticket, or a customer's every ticket, from erasure and retention."""
    hold = rights_service.set_hold(
        session,
        principal,
        reason=body.reason,
        ticket_id=body.ticket_id,
        customer_email=body.customer_email,
    )
    return LegalHoldRead.model_validate(hold)


@router.post("/holds/{hold_id}/release")
def release_hold(
    session: SessionDep, principal: CurrentPrincipal, hold_id: uuid.UUID, body: LegalHoldRelease
) -> LegalHoldRead:
    """End a legal hold, with the reason."""
    hold = rights_service.release_hold(session, principal, hold_id, reason=body.reason)
    return LegalHoldRead.model_validate(hold)


@router.get("/retention")
def get_retention(session: SessionDep, principal: CurrentPrincipal) -> RetentionPolicyRead:
    """The brand's retention policy (null periods keep data for ever)."""
    brand_id = rights_service.managed_brand(principal)
    return RetentionPolicyRead.model_validate(rights_service.get_policy(session, brand_id))


@router.put("/retention")
def put_retention(
    session: SessionDep, principal: CurrentPrincipal, body: RetentionPolicyPut
) -> RetentionPolicyRead:
    """Set the brand's retention policy; the nightly job applies it."""
    brand_id = rights_service.managed_brand(principal)
    policy = rights_service.put_policy(session, principal, brand_id, **body.model_dump())
    return RetentionPolicyRead.model_validate(policy)


@router.get("/retention/report")
def retention_report(session: SessionDep, principal: CurrentPrincipal) -> RetentionReportRead:
    """What the policy would remove if it ran now (a dry run: nothing changes)."""
    brand_id = rights_service.managed_brand(principal)
    report = rights_service.apply_retention(session, brand_id, dry_run=True)
    return RetentionReportRead.model_validate(report.as_dict())
