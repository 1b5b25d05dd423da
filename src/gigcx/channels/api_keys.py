"""A brand's API keys: created with a scope and an optional expiry, revoked; both audited."""

from datetime import datetime

from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import service as auth_service
from gigcx.auth.enums import ApiScope
from gigcx.auth.models import ApiKey
from gigcx.auth.principal import Principal

SCOPE_LABELS = {
    ApiScope.INTAKE: "Intake: create tickets, hand in mail and customers' follow-ups",
    ApiScope.READ: "Read: read everything the brand can see, change nothing",
    ApiScope.ADMIN: "Admin: everything a brand admin can do through the API",
}


def create(
    session: Session,
    principal: Principal,
    *,
    name: str,
    scope: ApiScope,
    expires_at: datetime | None,
) -> tuple[str, ApiKey]:
    """Create a key for the principal's brand; the plain key is returned once."""
    assert principal.brand_id is not None
    plain, key = auth_service.create_api_key(
        session, brand_id=principal.brand_id, name=name, scope=scope, expires_at=expires_at
    )
    audit_service.record(
        session,
        actor=principal,
        action="api_key.created",
        subject_type="api_key",
        subject_id=key.id,
        brand_id=key.brand_id,
        data={
            "name": name,
            "scope": str(scope),
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return plain, key


def revoke(session: Session, principal: Principal, key: ApiKey) -> None:
    """Revoke the key; it stops working at once."""
    if key.revoked_at is not None:
        return
    auth_service.revoke_api_key(session, key)
    audit_service.record(
        session,
        actor=principal,
        action="api_key.revoked",
        subject_type="api_key",
        subject_id=key.id,
        brand_id=key.brand_id,
        data={"name": key.name},
    )
