"""Versioned agreements: publish (platform admins, brand admins), read and accept (experts)."""

import hashlib
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program
from gigcx.db.dialect import serialize
from gigcx.errors import PermissionDenied
from gigcx.experts import service as experts_service
from gigcx.experts.compliance.errors import (
    AgreementNotFound,
    AgreementSuperseded,
    FullNameMismatch,
)
from gigcx.experts.compliance.models import PLATFORM_SCOPE, Agreement, AgreementAcceptance
from gigcx.experts.compliance.schemas import AgreementCreate
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.kit import clock


def text_hash(text: str) -> str:
    """The SHA-256 of an agreement's text (UTF-8), in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scope_of(brand_id: uuid.UUID | None) -> str:
    return PLATFORM_SCOPE if brand_id is None else brand_id.hex


def _may_publish(principal: Principal, brand_id: uuid.UUID | None) -> None:
    if brand_id is None:
        if not principal.is_platform_admin:
            raise PermissionDenied("only platform admins publish the platform terms")
        return
    if not (
        principal.is_platform_admin
        or (principal.can_manage_brand and principal.brand_id == brand_id)
    ):
        raise PermissionDenied("only the brand's admins publish its contractor agreement")


def publish_agreement(
    session: Session, principal: Principal, *, brand_id: uuid.UUID | None, data: AgreementCreate
) -> Agreement:
    """Publish a new version; experts get no offers in its scope until they accept it."""
    _may_publish(principal, brand_id)
    scope = scope_of(brand_id)
    serialize(session, f"agreements:{scope}")
    latest = session.scalar(select(func.max(Agreement.version)).where(Agreement.scope == scope))
    agreement = Agreement(
        scope=scope,
        brand_id=brand_id,
        version=(latest or 0) + 1,
        title=data.title.strip(),
        body=data.body,
        body_sha256=text_hash(data.body),
        published_at=clock.now(),
        published_by=principal.user_id,
    )
    session.add(agreement)
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="compliance.agreement_published",
        subject_type="agreement",
        subject_id=agreement.id,
        brand_id=brand_id,
        data={"version": agreement.version, "sha256": agreement.body_sha256},
    )
    return agreement


def list_agreements(session: Session, *, brand_id: uuid.UUID | None) -> Sequence[Agreement]:
    """Every version of one scope, newest first."""
    statement = (
        select(Agreement)
        .where(Agreement.scope == scope_of(brand_id))
        .order_by(Agreement.version.desc())
    )
    return session.scalars(statement).all()


def current_agreements(
    session: Session, brand_ids: Iterable[uuid.UUID] = ()
) -> dict[uuid.UUID | None, Agreement]:
    """The newest version of the platform terms (key None) and of each brand's agreement."""
    scopes = [PLATFORM_SCOPE, *(b.hex for b in brand_ids)]
    newest = (
        select(Agreement.scope, func.max(Agreement.version).label("version"))
        .where(Agreement.scope.in_(scopes))
        .group_by(Agreement.scope)
        .subquery()
    )
    rows = session.scalars(
        select(Agreement).join(
            newest, (newest.c.scope == Agreement.scope) & (newest.c.version == Agreement.version)
        )
    ).all()
    return {row.brand_id: row for row in rows}


def get_agreement(session: Session, agreement_id: uuid.UUID) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise AgreementNotFound()
    return agreement


def readable_agreement(
    session: Session, principal: Principal, agreement_id: uuid.UUID
) -> Agreement:
    """An agreement the principal may see: platform terms for all; a brand's for its staff and
    for experts enrolled in one of its programs."""
    agreement = get_agreement(session, agreement_id)
    if agreement.brand_id is None or principal.is_platform_admin:
        return agreement
    if principal.brand_id == agreement.brand_id:
        return agreement
    if principal.expert_id is not None and agreement.brand_id in expert_brand_ids(
        session, principal.expert_id
    ):
        return agreement
    raise AgreementNotFound()


def expert_brand_ids(session: Session, expert_id: uuid.UUID) -> list[uuid.UUID]:
    """The brands of the programs the expert applied to or works in (not removed)."""
    statement = (
        select(Program.brand_id)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(Enrollment.expert_id == expert_id, Enrollment.status != EnrollmentStatus.REMOVED)
        .distinct()
    )
    return sorted(session.scalars(statement).all())


def accepted_ids(
    session: Session, agreement_ids: Iterable[uuid.UUID], expert_ids: Iterable[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """Which (agreement, expert) pairs of these have an acceptance."""
    agreements, experts = list(agreement_ids), list(expert_ids)
    if not agreements or not experts:
        return set()
    rows = session.execute(
        select(AgreementAcceptance.agreement_id, AgreementAcceptance.expert_id).where(
            AgreementAcceptance.agreement_id.in_(agreements),
            AgreementAcceptance.expert_id.in_(experts),
        )
    ).all()
    return {(a, e) for a, e in rows}


def pending_agreements(session: Session, expert_id: uuid.UUID) -> list[Agreement]:
    """Current versions the expert has yet to accept: platform terms first, then by brand."""
    current = current_agreements(session, expert_brand_ids(session, expert_id))
    accepted = accepted_ids(session, [a.id for a in current.values()], [expert_id])
    pending = [a for a in current.values() if (a.id, expert_id) not in accepted]
    return sorted(pending, key=lambda a: (a.brand_id is not None, a.scope))


def accept_agreement(
    session: Session,
    principal: Principal,
    agreement_id: uuid.UUID,
    *,
    full_name: str,
    client_address: str,
) -> AgreementAcceptance:
    """Accept the current version of an agreement by typing one's full name (once per version)."""
    expert = experts_service.current_expert(session, principal)
    agreement = readable_agreement(session, principal, agreement_id)
    name = " ".join(full_name.split())
    if len(name) < 2:
        raise FullNameMismatch()
    existing = session.scalar(
        select(AgreementAcceptance).where(
            AgreementAcceptance.agreement_id == agreement.id,
            AgreementAcceptance.expert_id == expert.id,
        )
    )
    if existing is not None:
        return existing
    current = current_agreements(
        session, [] if agreement.brand_id is None else [agreement.brand_id]
    )
    newest = current.get(agreement.brand_id)
    if newest is not None and newest.id != agreement.id:
        raise AgreementSuperseded(newest.version)
    acceptance = AgreementAcceptance(
        agreement_id=agreement.id,
        expert_id=expert.id,
        full_name=name,
        accepted_at=clock.now(),
        client_address=client_address[:64],
        body_sha256=text_hash(agreement.body),
    )
    try:
        with session.begin_nested():
            session.add(acceptance)
    except IntegrityError:
        # The same acceptance sent twice at once: the other one was stored.
        return session.scalars(
            select(AgreementAcceptance).where(
                AgreementAcceptance.agreement_id == agreement.id,
                AgreementAcceptance.expert_id == expert.id,
            )
        ).one()
    audit_service.record(
        session,
        actor=principal,
        action="compliance.agreement_accepted",
        subject_type="agreement",
        subject_id=agreement.id,
        brand_id=agreement.brand_id,
        data={"expert_id": str(expert.id), "version": agreement.version},
    )
    experts_service.request_dispatch(session, expert.id)
    return acceptance


def acceptances_of(
    session: Session, agreement: Agreement
) -> list[tuple[AgreementAcceptance, Expert]]:
    """Who accepted this version, earliest first."""
    rows = session.execute(
        select(AgreementAcceptance, Expert)
        .join(Expert, Expert.id == AgreementAcceptance.expert_id)
        .where(AgreementAcceptance.agreement_id == agreement.id)
        .order_by(AgreementAcceptance.accepted_at, Expert.display_name)
    ).all()
    return [(a, e) for a, e in rows]


def brand_name(session: Session, brand_id: uuid.UUID) -> str:
    return session.scalar(select(Brand.name).where(Brand.id == brand_id)) or "the brand"
