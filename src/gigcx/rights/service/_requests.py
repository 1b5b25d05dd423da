"""Export and erasure requests: made by a brand admin (customers) or a platform admin
(experts), carried out by a job, audited, kept without the person's email."""

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Brand
from gigcx.errors import Conflict, PermissionDenied
from gigcx.experts.models import Expert
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.rights.enums import RequestKind, RequestStatus, SubjectKind
from gigcx.rights.errors import ArchiveUnavailable, PrivacyRequestNotFound
from gigcx.rights.models import DEFAULT_EXPORT_KEEP_DAYS, PrivacyRequest, RetentionPolicy
from gigcx.rights.service._customers import erase_customer, expire_archives
from gigcx.rights.service._experts import build_expert_export, check_expert_erasable, erase_expert
from gigcx.rights.service._export_customer import build_customer_export
from gigcx.rights.service._holds import refuse_if_held
from gigcx.rights.service._subjects import email_hash, find_customer, find_expert
from gigcx.tickets.models import Customer

EXPORT_JOB = "privacy.export"
ERASE_JOB = "privacy.erase"
_JOBS = {RequestKind.EXPORT: EXPORT_JOB, RequestKind.ERASURE: ERASE_JOB}


def _brand_for(
    principal: Principal, subject_kind: SubjectKind, brand_id: uuid.UUID | None
) -> uuid.UUID | None:
    """Check who may ask: a brand's admins (or key) for its customers, platform admins for
    experts; the CLI acts as the system for either."""
    if subject_kind is SubjectKind.EXPERT:
        if not (principal.is_platform_admin or principal.is_system):
            raise PermissionDenied(
                "experts belong to the platform: only a platform admin exports or erases one"
            )
        return None
    if principal.is_system:
        if brand_id is None:
            raise PermissionDenied("a customer request needs the brand")
        return brand_id
    if not principal.can_manage_brand or principal.brand_id is None:
        raise PermissionDenied("privacy requests are for the brand's admins or its API key")
    return principal.brand_id


def request(
    session: Session,
    principal: Principal,
    *,
    kind: RequestKind,
    email: str,
    subject_kind: SubjectKind = SubjectKind.CUSTOMER,
    brand_id: uuid.UUID | None = None,
) -> PrivacyRequest:
    """Record an export or erasure request and queue its job; audited with a hash of the email.

    An erasure is refused at once (409) while a legal hold keeps the customer's data, or while
    the expert still holds tickets.
    """
    brand = _brand_for(principal, subject_kind, brand_id)
    if subject_kind is SubjectKind.EXPERT:
        expert = find_expert(session, email=email)
        subject_id = expert.id
        if kind is RequestKind.ERASURE:
            check_expert_erasable(session, expert)
    else:
        assert brand is not None
        customer = find_customer(session, brand_id=brand, email=email)
        subject_id = customer.id
        if kind is RequestKind.ERASURE:
            refuse_if_held(session, customer)
    row = PrivacyRequest(
        brand_id=brand,
        kind=kind,
        subject_kind=subject_kind,
        subject_id=subject_id,
        email_hash=email_hash(email),
        requested_by_role=principal.role,
        requested_by_id=principal.actor_id,
    )
    session.add(row)
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action=f"privacy.{kind.value}_requested",
        subject_type=subject_kind.value,
        subject_id=subject_id,
        brand_id=brand,
        data={"request_id": str(row.id), "email_hash": row.email_hash},
    )
    jobs_service.enqueue(session, _JOBS[kind], {"request_id": str(row.id)})
    return row


def _readable(principal: Principal) -> object:
    if principal.is_platform_admin or principal.is_system:
        return PrivacyRequest.id.is_not(None)
    if principal.can_manage_brand and principal.brand_id is not None:
        return PrivacyRequest.brand_id == principal.brand_id
    raise PermissionDenied("privacy requests are for the brand's admins or its API key")


def get_request(
    session: Session,
    principal: Principal,
    request_id: uuid.UUID,
    *,
    kind: RequestKind | None = None,
) -> PrivacyRequest:
    """One request of the principal's brand (404 for another brand's)."""
    statement = select(PrivacyRequest).where(PrivacyRequest.id == request_id, _readable(principal))  # type: ignore[arg-type]
    if kind is not None:
        statement = statement.where(PrivacyRequest.kind == kind)
    row = session.scalar(statement)
    if row is None:
        raise PrivacyRequestNotFound()
    return row


def list_requests(
    session: Session, principal: Principal, *, limit: int = 100
) -> Sequence[PrivacyRequest]:
    """The brand's requests, newest first."""
    return session.scalars(
        select(PrivacyRequest)
        .where(_readable(principal))  # type: ignore[arg-type]
        .order_by(PrivacyRequest.created_at.desc(), PrivacyRequest.id)
        .limit(limit)
    ).all()


def download(session: Session, principal: Principal, request_id: uuid.UUID) -> tuple[bytes, str]:
    """The zip of a finished export and its file name; audited."""
    row = get_request(session, principal, request_id, kind=RequestKind.EXPORT)
    if row.status == RequestStatus.QUEUED:
        raise ArchiveUnavailable("the export is still being made; try again in a minute")
    if row.archive is None:
        raise ArchiveUnavailable(
            "the archive of this export was deleted (it expired, or the person was erased "
            "since); request a new export"
        )
    audit_service.record(
        session,
        actor=principal,
        action="privacy.export_downloaded",
        subject_type=row.subject_kind,
        subject_id=row.subject_id,
        brand_id=row.brand_id,
        data={"request_id": str(row.id)},
    )
    return row.archive, f"gigcx-export-{row.id.hex[:8]}.zip"


def _keep_days(session: Session, brand_id: uuid.UUID | None) -> int:
    if brand_id is None:
        return DEFAULT_EXPORT_KEEP_DAYS
    policy = session.scalar(select(RetentionPolicy).where(RetentionPolicy.brand_id == brand_id))
    return policy.export_keep_days if policy is not None else DEFAULT_EXPORT_KEEP_DAYS


def run_request(session: Session, request_id: uuid.UUID) -> PrivacyRequest | None:
    """Carry out a queued request (the job); a finished one is left as it is."""
    row = session.get(PrivacyRequest, request_id, with_for_update=True)
    if row is None or row.status != RequestStatus.QUEUED:
        return row
    now = clock.now()
    if row.kind == RequestKind.EXPORT:
        _run_export(session, row)
        row.expires_at = now + timedelta(days=_keep_days(session, row.brand_id))
    else:
        _run_erasure(session, row)
    row.finished_at = now
    audit_service.record(
        session,
        actor=SYSTEM,
        action=f"privacy.{row.kind}_{_outcome(row)}",
        subject_type=row.subject_kind,
        subject_id=row.subject_id,
        brand_id=row.brand_id,
        data={"request_id": str(row.id), "counts": row.counts},
    )
    session.flush()
    return row


def _outcome(row: PrivacyRequest) -> str:
    return "done" if row.status == RequestStatus.DONE else str(row.status)


def _run_export(session: Session, row: PrivacyRequest) -> None:
    when = clock.now().strftime("%Y-%m-%d %H:%M")
    if row.subject_kind == SubjectKind.EXPERT:
        archive, counts = build_expert_export(
            session, session.get_one(Expert, row.subject_id), when=when
        )
    else:
        customer = session.get_one(Customer, row.subject_id)
        brand = session.get_one(Brand, customer.brand_id)
        archive, counts = build_customer_export(session, customer, brand_name=brand.name, when=when)
    row.archive = archive
    row.archive_size = len(archive)
    row.counts = counts
    row.status = RequestStatus.DONE


def _run_erasure(session: Session, row: PrivacyRequest) -> None:
    try:
        if row.subject_kind == SubjectKind.EXPERT:
            counts = erase_expert(session, session.get_one(Expert, row.subject_id))
        else:
            customer = session.get_one(Customer, row.subject_id)
            refuse_if_held(session, customer)
            counts = erase_customer(session, customer)
    except Conflict as error:
        # A hold set, or a ticket taken, after the request: checked before anything changed.
        row.status = RequestStatus.REFUSED
        row.detail = error.detail
        return
    counts["exports"] = counts.get("exports", 0) + expire_archives(session, row.subject_id)
    row.counts = counts
    row.status = RequestStatus.DONE
