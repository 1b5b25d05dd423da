"""A program's AI rules."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.assist.models import (
    DEFAULT_BOT_THRESHOLD,
    DEFAULT_TOPIC_OVERRIDE_CONFIDENCE,
    AssistSettings,
)
from gigcx.assist.schemas import AssistSettingsUpdate
from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.errors import InvalidInput, PermissionDenied
from gigcx.privacy.pii import PiiKind

# Settings that always have a value: null is no way to change them.
_REQUIRED = frozenset(
    {
        "is_bot_enabled",
        "bot_threshold",
        "topic_override_confidence",
        "granted_pii",
        "forbidden_phrases",
        "blocking_checks",
    }
)


def settings_for(session: Session, program_id: uuid.UUID) -> AssistSettings:
    """The program's AI rules; defaults (not saved) when the brand has not set any."""
    found = session.scalar(select(AssistSettings).where(AssistSettings.program_id == program_id))
    if found is not None:
        return found
    return AssistSettings(
        program_id=program_id,
        is_bot_enabled=True,
        bot_threshold=DEFAULT_BOT_THRESHOLD,
        royalty_amount=None,
        granted_pii=[],
        forbidden_phrases=[],
        blocking_checks=[],
        topic_override_confidence=DEFAULT_TOPIC_OVERRIDE_CONFIDENCE,
    )


ALL_PII_KINDS = frozenset(kind.value for kind in PiiKind)


def unmasked_pii(session: Session, principal: Principal, program_id: uuid.UUID) -> frozenset[str]:
    """The kinds of personal data a principal sees unmasked on a program's tickets.

    Experts see what the program grants; the brand's people, the platform and the customer
    (their own data) see everything.
    """
    if principal.is_expert:
        return frozenset(settings_for(session, program_id).granted_pii) & ALL_PII_KINDS
    return ALL_PII_KINDS


def update_settings(
    session: Session, principal: Principal, program_id: uuid.UUID, data: AssistSettingsUpdate
) -> AssistSettings:
    """Change a program's AI rules (brand managers)."""
    program = brands_service.get_program(session, principal, program_id)
    if not (principal.can_manage_brand or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("only the brand's admins change the AI rules of a program")
    unknown = sorted(set(data.granted_pii or []) - {kind.value for kind in PiiKind})
    if unknown:
        kinds = ", ".join(kind.value for kind in PiiKind)
        raise InvalidInput(f"unknown personal data kinds {unknown}; choose from: {kinds}")
    settings = session.scalar(select(AssistSettings).where(AssistSettings.program_id == program.id))
    if settings is None:
        settings = settings_for(session, program.id)
        session.add(settings)
    changes = data.model_dump(exclude_unset=True)
    nulled = sorted(name for name, value in changes.items() if value is None and name in _REQUIRED)
    if nulled:
        raise InvalidInput(
            f"{', '.join(nulled)} cannot be null; leave a setting out to keep its current value"
        )
    granted_before = sorted(settings.granted_pii or [])
    for name, value in changes.items():
        if name in {"granted_pii", "forbidden_phrases", "blocking_checks"}:
            value = [str(v).strip() for v in value or [] if str(v).strip()]
        setattr(settings, name, value)
    if sorted(settings.granted_pii or []) != granted_before:
        # Who let experts see which personal data unmasked, and since when.
        audit_service.record(
            session,
            actor=principal,
            action="privacy.masking_grant_changed",
            subject_type="program",
            subject_id=program.id,
            brand_id=program.brand_id,
            data={"from": granted_before, "to": sorted(settings.granted_pii or [])},
        )
    audit_service.record(
        session,
        actor=principal,
        action="assist.settings_changed",
        subject_type="program",
        subject_id=program.id,
        brand_id=program.brand_id,
        data={k: str(v) for k, v in changes.items()},
    )
    session.flush()
    return settings
