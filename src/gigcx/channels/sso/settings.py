"""A brand's single sign-on settings: its provider and who may sign in through it."""

import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.brands import staff as staff_service
from gigcx.channels.sso import oidc
from gigcx.channels.sso.errors import SsoFailed
from gigcx.channels.sso.models import SsoConfig, SsoIdentity
from gigcx.errors import InvalidInput, PermissionDenied
from gigcx.kit import clock

MAX_DOMAINS = 20
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
NEW_STAFF_ROLES = {
    "": "nobody: only existing staff may sign in",
    **{role.value: name for role, name in staff_service.ROLE_NAMES.items()},
}


def _managed_brand(actor: Principal) -> uuid.UUID:
    if not actor.can_manage_brand or actor.brand_id is None:
        raise PermissionDenied("only the brand's admins change its single sign-on")
    return actor.brand_id


def get_config(session: Session, actor: Principal) -> SsoConfig | None:
    """The brand's single sign-on settings, if any."""
    brand_id = _managed_brand(actor)
    return session.scalar(select(SsoConfig).where(SsoConfig.brand_id == brand_id))


def parse_domains(text: str) -> list[str]:
    """Read "example.com, example.org" into a list of lower-case domains."""
    domains: list[str] = []
    for part in re.split(r"[\s,;]+", text.strip().lower()):
        domain = part.removeprefix("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise InvalidInput(f"{part!r} is not an email domain such as example.com")
        if domain not in domains:
            domains.append(domain)
    if not domains:
        raise InvalidInput("list at least one email domain of your staff, such as example.com")
    if len(domains) > MAX_DOMAINS:
        raise InvalidInput(f"list at most {MAX_DOMAINS} email domains")
    return domains


def save_config(
    session: Session,
    actor: Principal,
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    allowed_domains: str,
    new_staff_role: str,
    is_required: bool,
    is_enabled: bool,
) -> SsoConfig:
    """Set the brand's provider and who may sign in through it; an empty secret keeps the old."""
    brand_id = _managed_brand(actor)
    issuer = issuer.strip().rstrip("/")
    if not issuer or len(issuer) > 500:
        raise InvalidInput("enter the provider's issuer URL, such as https://id.example.com")
    try:
        oidc.check_url(issuer, what="issuer URL")
    except SsoFailed as error:
        raise InvalidInput(error.detail) from None
    client_id = client_id.strip()
    if not client_id or len(client_id) > 255:
        raise InvalidInput("enter the client ID the provider gave GigCX (1 to 255 characters)")
    if len(client_secret) > 500:
        raise InvalidInput("the client secret is longer than 500 characters; check it")
    if new_staff_role not in NEW_STAFF_ROLES:
        raise InvalidInput("pick who a first sign-in makes: nobody, an in-house agent or an admin")
    domains = parse_domains(allowed_domains)
    config = session.scalar(
        select(SsoConfig).where(SsoConfig.brand_id == brand_id).with_for_update()
    )
    for other in session.scalars(select(SsoConfig).where(SsoConfig.brand_id != brand_id)):
        taken = set(domains) & set(other.allowed_domains)
        if taken:
            raise InvalidInput(
                f"{sorted(taken)[0]} is already the single sign-on domain of another brand; "
                "ask the platform's operator if it is yours"
            )
    if config is None:
        if not client_secret:
            raise InvalidInput("enter the client secret the provider gave GigCX")
        config = SsoConfig(brand_id=brand_id, client_secret=client_secret)
        session.add(config)
    elif client_secret:
        config.client_secret = client_secret
    config.issuer = issuer
    config.client_id = client_id
    config.allowed_domains = domains
    config.new_staff_role = new_staff_role
    config.is_required = is_required and is_enabled
    config.is_enabled = is_enabled
    config.updated_at = clock.now()
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="sso.settings_changed",
        subject_type="brand",
        subject_id=brand_id,
        brand_id=brand_id,
        data={
            "issuer": issuer,
            "allowed_domains": domains,
            "new_staff_role": new_staff_role,
            "is_required": config.is_required,
            "is_enabled": is_enabled,
        },
    )
    return config


def linked_accounts(session: Session, actor: Principal) -> list[tuple[User, SsoIdentity]]:
    """The brand's staff who signed in with a company account, most recent first."""
    brand_id = _managed_brand(actor)
    rows = session.execute(
        select(User, SsoIdentity)
        .join(SsoIdentity, SsoIdentity.user_id == User.id)
        .where(User.brand_id == brand_id)
        .order_by(SsoIdentity.last_signed_in_at.desc(), User.email)
    ).all()
    return [(user, identity) for user, identity in rows]
