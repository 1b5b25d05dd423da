"""A brand's staff (admins and in-house agents), invited, changed and deactivated by its admins."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import AccessToken, User
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand
from gigcx.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from gigcx.kit import clock
from gigcx.kit.ids import new_secret

STAFF_ROLES = (Role.BRAND_ADMIN, Role.INHOUSE_AGENT)
ROLE_NAMES = {Role.BRAND_ADMIN: "brand admin", Role.INHOUSE_AGENT: "in-house agent"}


class LastAdmin(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "the brand would be left without an active admin; make someone else an admin first"
        )


def _brand_of(actor: Principal) -> uuid.UUID:
    if not actor.can_manage_brand or actor.brand_id is None:
        raise PermissionDenied("only the brand's admins manage its staff")
    return actor.brand_id


def _staff_role(role: str) -> Role:
    if role not in {r.value for r in STAFF_ROLES}:
        raise InvalidInput("staff are brand admins or in-house agents; pick one of the two")
    return Role(role)


def list_staff(session: Session, actor: Principal) -> Sequence[User]:
    """The brand's admins and in-house agents, active first, by name."""
    brand_id = _brand_of(actor)
    return session.scalars(
        select(User)
        .where(User.brand_id == brand_id, User.role.in_(STAFF_ROLES))
        .order_by(User.is_active.desc(), User.display_name, User.email)
    ).all()


def invite_staff(
    session: Session, actor: Principal, *, email: str, display_name: str, role: str
) -> tuple[User, str]:
    """Open an account for a new member of staff; return it and its temporary password."""
    brand_id = _brand_of(actor)
    password = new_secret(12)
    user = auth_service.create_user(
        session,
        email=email,
        password=password,
        role=_staff_role(role),
        display_name=display_name,
        brand_id=brand_id,
    )
    _audit(session, actor, user, "staff.invited", {"role": user.role})
    return user, password


def _member(session: Session, actor: Principal, user_id: uuid.UUID) -> User:
    brand_id = _brand_of(actor)
    # Staff changes of one brand take turns on its row, so two admins demoting each other at
    # once cannot both pass the last-admin check (and no two changes lock rows in other orders).
    session.execute(select(Brand.id).where(Brand.id == brand_id).with_for_update())
    user = session.scalar(
        select(User).where(
            User.id == user_id, User.brand_id == brand_id, User.role.in_(STAFF_ROLES)
        )
    )
    if user is None:
        raise NotFound("staff member not found; pick one from the brand's staff list")
    return user


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse a change that takes away the brand's last active admin."""
    if user.role != Role.BRAND_ADMIN or not user.is_active:
        return
    admins = session.scalars(
        select(User.id).where(
            User.brand_id == user.brand_id, User.role == Role.BRAND_ADMIN, User.is_active
        )
    ).all()
    if len(admins) <= 1:
        raise LastAdmin()


def change_role(session: Session, actor: Principal, user_id: uuid.UUID, role: str) -> User:
    """Make a member of staff a brand admin or an in-house agent."""
    user = _member(session, actor, user_id)
    new_role = _staff_role(role)
    if user.role == new_role:
        return user
    if new_role != Role.BRAND_ADMIN:
        _keep_an_admin(session, user)
    old_role = user.role
    user.role = new_role
    _audit(session, actor, user, "staff.role_changed", {"from": old_role, "to": new_role})
    return user


def deactivate(session: Session, actor: Principal, user_id: uuid.UUID) -> User:
    """Stop a member of staff from signing in; their open sessions end at once."""
    user = _member(session, actor, user_id)
    if not user.is_active:
        return user
    _keep_an_admin(session, user)
    user.is_active = False
    session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    _audit(session, actor, user, "staff.deactivated", {})
    return user


def reactivate(session: Session, actor: Principal, user_id: uuid.UUID) -> User:
    """Let a deactivated member of staff sign in again."""
    user = _member(session, actor, user_id)
    if not user.is_active:
        user.is_active = True
        _audit(session, actor, user, "staff.reactivated", {})
    return user


def _audit(
    session: Session, actor: Principal, user: User, action: str, data: dict[str, str]
) -> None:
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action=action,
        subject_type="user",
        subject_id=user.id,
        brand_id=user.brand_id,
        data=data,
    )
