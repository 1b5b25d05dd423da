"""The audit trail in sentences, for the brand's people: who did what, with names, not ids.

``describe`` words every kind of event the code writes (``KINDS``); the raw event stays
available to show behind a toggle.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditEvent
from gigcx.auth.enums import Role
from gigcx.auth.models import ApiKey, User
from gigcx.auth.principal import Principal
from gigcx.errors import PermissionDenied
from gigcx.experts.models import Expert
from gigcx.tickets.models import Customer


@dataclass(frozen=True)
class Names:
    """Display names of the people and keys an event can mention, by id."""

    actors: Mapping[uuid.UUID, str]
    experts: Mapping[uuid.UUID, str]

    def actor(self, event: AuditEvent) -> str:
        role = event.actor_role
        if role == Role.SYSTEM:
            return "GigCX"
        name = self.actors.get(event.actor_id) if event.actor_id else None
        if role == Role.API_KEY:
            return f"API key \u201c{name}\u201d" if name else "an API key"
        if role == Role.CUSTOMER:
            return name or "the customer"
        if role == Role.PLATFORM_ADMIN:
            return name or "a platform admin"
        return name or _ROLE_WORDS.get(role, "someone")

    def expert(self, value: Any) -> str:
        try:
            return self.experts.get(uuid.UUID(str(value)), "an expert")
        except ValueError:
            return "an expert"


_ROLE_WORDS: dict[str, str] = {
    Role.BRAND_ADMIN: "a brand admin",
    Role.INHOUSE_AGENT: "an in-house agent",
    Role.EXPERT: "an expert",
}
_CLOCKS = {"first_response": "First response", "resolution": "Resolution"}


def _by(event: AuditEvent, names: Names) -> str:
    """`` by <actor>``, or nothing when GigCX did it on its own."""
    return "" if event.actor_role == Role.SYSTEM else f" by {names.actor(event)}"


def _offered(event: AuditEvent, names: Names) -> str:
    experts = [names.expert(e) for e in event.data.get("expert_ids") or []]
    if experts:
        return "Offered to " + _listed(experts)
    count = event.data.get("offers") or 1
    return f"Offered to {count} expert{'s' if count != 1 else ''}"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _queued(event: AuditEvent, names: Names) -> str:
    reason = event.data.get("reason") or ""
    expert = names.expert(event.data.get("expert_id"))
    if reason == "offer declined":
        return f"Declined by {expert}; back in the queue"
    if reason == "offer expired":
        return f"The offer to {expert} lapsed; back in the queue"
    if reason == "offer rescinded":
        return f"The offer to {expert} was withdrawn; back in the queue"
    if reason == "customer follow-up":
        return "Reopened by the customer's follow-up; back in the queue"
    return "In the queue for an expert"


def _assigned(event: AuditEvent, names: Names) -> str:
    if event.data.get("expert_id"):
        return f"Accepted by {names.expert(event.data['expert_id'])}"
    if event.data.get("reason") == "customer replied":
        return "The customer replied; back with the expert"
    return "Back with the expert" + _by(event, names)


def _resolved(event: AuditEvent, names: Names) -> str:
    reason = event.data.get("reason")
    if reason == "customer silent":
        return "Resolved automatically: the customer did not answer in time"
    if reason:
        return f"Resolved{_by(event, names)}: {reason}"
    return f"Resolved{_by(event, names)}"


def _escalated(event: AuditEvent, names: Names) -> str:
    reason = event.data.get("reason") or "no reason given"
    return f"Escalated to the in-house team{_by(event, names)}: {reason}"


_STATUS_SENTENCES: dict[str, Callable[[AuditEvent, Names], str]] = {
    "queued": _queued,
    "offered": _offered,
    "assigned": _assigned,
    "waiting_on_customer": lambda e, n: f"Waiting on the customer{_by(e, n)}",
    "resolved": _resolved,
    "closed": lambda e, n: "Closed" + (" automatically" if e.actor_role == Role.SYSTEM else ""),
    "escalated": _escalated,
    "canceled": lambda e, n: f"Canceled{_by(e, n)}",
    "new": lambda e, n: f"Back to new{_by(e, n)}",
}


def _status_changed(event: AuditEvent, names: Names) -> str:
    to = str(event.data.get("to", ""))
    sentence = _STATUS_SENTENCES.get(to)
    if sentence is None:
        return f"Status changed to {to.replace('_', ' ')}{_by(event, names)}"
    return sentence(event, names)


def _created(event: AuditEvent, names: Names) -> str:
    facts = [
        str(event.data[key]) for key in ("channel", "language", "category") if event.data.get(key)
    ]
    return f"Opened by {names.actor(event)}" + (f" ({', '.join(facts)})" if facts else "")


def _triaged(event: AuditEvent, names: Names) -> str:
    data = event.data
    language = data.get("language") or "unknown"
    if data.get("intent"):
        sure = round(float(data.get("confidence") or 0) * 100)
        return f"Read by the AI: {data['intent']} ({sure}% sure), language {language}"
    return f"Read by the AI: no intent recognised, language {language}"


def _rated(event: AuditEvent, names: Names) -> str:
    reason = event.data.get("reason")
    return f"Rated {event.data.get('score')}/5 by the customer" + (f" ({reason})" if reason else "")


def _sla(clock: str, stage: str) -> Callable[[AuditEvent, Names], str]:
    words = "is at risk" if stage == "at_risk" else "missed its due time"

    def sentence(event: AuditEvent, names: Names) -> str:
        return f"{_CLOCKS[clock]} {words} (due {event.data.get('due_at', 'unknown')})"

    return sentence


def _plain(text: str, *, by: bool = True) -> Callable[[AuditEvent, Names], str]:
    return lambda event, names: text + (_by(event, names) if by else "")


_TIER_WORDS = {
    "promoted": "Promoted to a higher tier",
    "warned": "Warned before a tier change",
    "warned_earlier": "Still under an earlier tier warning",
    "demoted": "Moved down a tier",
    "removal_proposed": "Removal proposed to the brand for review (a person decides)",
    "resolved": "Tier warning lifted: the score recovered",
}


_SIGN_IN_METHODS = {
    "password": "password",
    "password+totp": "password and authenticator app",
    "password+recovery": "password and a recovery code",
}


def _tier(outcome: str) -> Callable[[AuditEvent, Names], str]:
    def sentence(event: AuditEvent, names: Names) -> str:
        data = event.data
        return (
            f"{_TIER_WORDS[outcome]}: {data.get('tier_before')} to {data.get('tier_after')} "
            f"at a score of {data.get('score')}"
        )

    return sentence


KINDS: dict[str, Callable[[AuditEvent, Names], str]] = {
    "ticket.created": _created,
    "inquiry.rejected": lambda e, n: (
        f"Inquiry not taken in: {e.data.get('problem') or 'its program no longer takes it'}"
    ),
    "ticket.status_changed": _status_changed,
    "ticket.triaged": _triaged,
    "ticket.rated": _rated,
    "ticket.escalation_legitimate": lambda e, n: (
        f"Escalation by {n.expert(e.data.get('expert_id'))} marked legitimate{_by(e, n)}: "
        "the expert is paid their share"
    ),
    "assist.bot_answer_confirmed": _plain(
        "The bot's answer resolved it: the customer did not come back", by=False
    ),
    **{
        f"sla.{clock}.{stage}": _sla(clock, stage)
        for clock in _CLOCKS
        for stage in ("at_risk", "breached")
    },
    **{f"tier.{outcome}": _tier(outcome) for outcome in _TIER_WORDS},
    "brand.created": _plain("Brand opened"),
    "brand.renamed": lambda e, n: (
        f"Renamed from \u201c{e.data.get('from')}\u201d to \u201c{e.data.get('to')}\u201d"
        f"{_by(e, n)}"
    ),
    "program.created": _plain("Program opened"),
    "program.updated": lambda e, n: (
        f"Program rules changed{_by(e, n)}: {', '.join(e.data.get('fields') or []) or 'nothing'}"
    ),
    "program.hourly_below_floor": _plain(
        "Experts' effective pay per hour fell below the program's floor", by=False
    ),
    "staff.invited": lambda e, n: f"Invited as {_role(e.data.get('role'))}{_by(e, n)}",
    "staff.role_changed": lambda e, n: (
        f"Made {_role(e.data.get('to'))} (was {_role(e.data.get('from'))}){_by(e, n)}"
    ),
    "staff.deactivated": _plain("Deactivated"),
    "staff.reactivated": _plain("Reactivated"),
    "auth.password_reset_requested": _plain("Asked for a password reset link by mail", by=False),
    "auth.password_reset": _plain("Chose a new password with a mailed link", by=False),
    "auth.password_changed": _plain("Changed their password", by=False),
    "auth.signed_in": lambda e, n: (
        f"Signed in ({_SIGN_IN_METHODS.get(str(e.data.get('method')), 'password')})"
    ),
    "auth.sign_in_failed": lambda e, n: (
        "Failed sign-in: wrong "
        + ("code" if e.data.get("reason") == "second_factor" else "password")
    ),
    "auth.second_factor_on": _plain("Turned on an authenticator app", by=False),
    "auth.second_factor_off": _plain("Turned off the authenticator app", by=False),
    "auth.recovery_code_used": lambda e, n: (
        f"Signed in with a recovery code ({e.data.get('left', 0)} left)"
    ),
    "auth.signed_out_everywhere": _plain("Signed out everywhere", by=False),
    "brand.admins_need_second_factor": lambda e, n: (
        (
            "Admins must now use a second factor"
            if e.data.get("is_required")
            else "Admins no longer need a second factor"
        )
        + _by(e, n)
    ),
    "api_key.created": lambda e, n: (
        f"API key \u201c{e.data.get('name')}\u201d created with the "
        f"{e.data.get('scope')} scope{_by(e, n)}"
    ),
    "api_key.revoked": lambda e, n: f"API key \u201c{e.data.get('name')}\u201d revoked{_by(e, n)}",
    "sso.settings_changed": _plain("Single sign-on settings changed"),
    "sso.signed_in": lambda e, n: (
        f"Signed in with the company account {e.data.get('email', '')}".rstrip()
    ),  # events before the address was hashed still name it
    "sso.staff_created": lambda e, n: (
        f"Joined as {_role(e.data.get('role'))} through single sign-on"
    ),
    "sso.linked": lambda e, n: (
        f"Company account {e.data.get('email', '')} linked at first single sign-on".replace(
            "  ", " "
        )
    ),
    "auth.sign_up_with_existing_email": _plain(
        "Someone tried to sign up with this account's email", by=False
    ),
    "expert.set_away": _plain("Set away after letting offers lapse", by=False),
    "tax_profile.saved": lambda e, n: (
        f"Tax profile saved and certified ({str(e.data.get('form', '')).upper()})"
    ),
    "enrollment.applied": _plain("Applied to the program"),
    "human_review.proposed": lambda e, n: (
        f"An automated check proposed setting the enrollment {e.data.get('status')}; "
        "a person at the brand decides"
    ),
    "human_review.requested": lambda e, n: (
        f"The expert asked a person to review: {str(e.data.get('subject', '')).replace('_', ' ')}"
    ),
    "human_review.decided": lambda e, n: (
        f"Review case decided ({e.data.get('outcome')}){_by(e, n)}: {e.data.get('reason', '')}"
    ),
    "enrollment.status_changed": lambda e, n: (
        f"Enrollment {str(e.data.get('to', 'changed')).replace('_', ' ')}{_by(e, n)}"
        + (f": {e.data['reason']}" if e.data.get("reason") else "")
    ),
    "routing.roster_repaired": _plain("The routing roster was repaired for this expert", by=False),
    "course.created": _plain("Course created"),
    "course.published": _plain("Course published"),
    "course.recertification_required": _plain("Recertification required after a guideline change"),
    "certification.issued": _plain("Certified after passing the quiz", by=False),
    "certification.granted": lambda e, n: (
        f"Certification granted to {n.expert(e.data.get('expert_id'))}{_by(e, n)}"
    ),
    "certification.expiry_warned": _plain("Warned that a certification expires soon", by=False),
    "scorecard.saved": _plain("Scorecard saved"),
    "review.completed": _plain("Quality review completed"),
    "calibration.started": _plain("Calibration started"),
    "dispute.opened": _plain("Appeal opened"),
    "dispute.decided": _plain("Appeal decided"),
    "assist.answer_proposed": _plain("Answer proposed"),
    "assist.answer_approved": _plain("Answer approved"),
    "assist.answer_rejected": _plain("Answer rejected"),
    "assist.bot_answer_replaced": _plain("The bot's answer for this intent was replaced"),
    "assist.settings_changed": _plain("AI settings changed"),
    "assist.intent_model_trained": _plain("Intent model trained"),
    "bonus_rule.published": _plain("Bonus rule published"),
    "bonus_rule.retired": _plain("Bonus rule retired"),
    "earning.reversed": _plain("Earning reversed"),
    "surge.announced": _plain("Surge pay announced", by=False),
    "planning.cost_baseline_saved": _plain("In-house cost baseline saved"),
    "coverage.surge": _plain("Surge pay announced ahead for a coverage gap"),
    "coverage.invite": _plain("Experts invited to cover a gap"),
    "coverage.recruit": _plain("Recruitment note posted for a coverage gap"),
    "privacy.masking_grant_changed": lambda e, n: (
        "Experts now see unmasked: "
        + (", ".join(e.data.get("to") or []) or "nothing")
        + f" (was: {', '.join(e.data.get('from') or []) or 'nothing'}){_by(e, n)}"
    ),
    "privacy.unmasked_viewed": lambda e, n: (
        f"Customer's personal data seen unmasked{_by(e, n)} "
        f"({len(e.data.get('ticket_ids') or [])} ticket(s))"
    ),
    "auth.refused": lambda e, n: (
        f"Refused{_by(e, n)}: {e.data.get('method', '')} {e.data.get('path', '')}"
    ),
    "audit.exported": _plain("Audit log exported"),
    "admin.created": _plain("Made a platform admin from the command line", by=False),
    "privacy.export_requested": _plain("Export of a person's data requested"),
    "privacy.erasure_requested": _plain("Erasure of a person's data requested"),
    "privacy.export_done": _plain("Export of a person's data made", by=False),
    "privacy.erasure_done": _plain("A person's data erased", by=False),
    "privacy.erasure_refused": _plain("Erasure refused: a legal hold applies", by=False),
    "privacy.export_downloaded": _plain("Export of a person's data downloaded"),
    "privacy.hold_set": _plain("Legal hold set"),
    "privacy.hold_released": _plain("Legal hold released"),
    "privacy.retention_set": _plain("Retention policy changed"),
    "privacy.retention_applied": _plain("Retention applied"),
    "audit.pruned": lambda e, n: (
        f"Audit events before {e.data.get('before')} pruned ({e.data.get('deleted')} events)"
    ),
    "compliance.agreement_published": lambda e, n: (
        f"Agreement version {e.data.get('version', '?')} published{_by(e, n)}"
    ),
    "compliance.agreement_accepted": lambda e, n: (
        f"Agreement version {e.data.get('version', '?')} accepted by "
        f"{n.expert(e.data.get('expert_id'))}"
    ),
    "compliance.brand_rules_changed": _plain("Rules for experts changed"),
    "compliance.work_authorisation_attested": _plain("Work authorisation attested"),
    "compliance.identity_check_received": lambda e, n: (
        f"Identity check reported {e.data.get('status', '?')} by {e.data.get('provider', '?')}"
    ),
}


def _role(value: Any) -> str:
    return _ROLE_WORDS.get(str(value), str(value)).removeprefix("a ").removeprefix("an ")


def describe(event: AuditEvent, names: Names) -> str:
    """Word one audit event as a sentence; a kind no code writes any more keeps its name."""
    sentence = KINDS.get(event.action)
    return sentence(event, names) if sentence is not None else event.action


@dataclass(frozen=True)
class TrailLine:
    event: AuditEvent
    sentence: str
    who: str


def names_for(
    session: Session, events: Iterable[AuditEvent], *, with_customer_names: bool = True
) -> Names:
    """Look up every name the events mention, in one query per kind of thing.

    Without customer names a customer is "the customer": the brand's audit log names the
    brand's people, never its customers.
    """
    events = list(events)
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    expert_ids: set[uuid.UUID] = set()
    for event in events:
        for value in [event.data.get("expert_id"), *(event.data.get("expert_ids") or [])]:
            try:
                expert_ids.add(uuid.UUID(str(value)))
            except ValueError:
                continue
    actors: dict[uuid.UUID, str] = {}
    if actor_ids:
        for user_id, display_name, email in session.execute(
            select(User.id, User.display_name, User.email).where(User.id.in_(actor_ids))
        ):
            actors[user_id] = display_name or email
        actors.update(
            session.execute(select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(actor_ids))).all()
        )
        for customer in session.scalars(select(Customer).where(Customer.id.in_(actor_ids))):
            name = customer.name
            named = name and with_customer_names
            actors[customer.id] = f"the customer, {name}" if named else "the customer"
    experts: dict[uuid.UUID, str] = {}
    if expert_ids:
        experts.update(
            session.execute(
                select(Expert.id, Expert.display_name).where(Expert.id.in_(expert_ids))
            ).all()
        )
    return Names(actors=actors, experts=experts)


def trail(
    session: Session, principal: Principal, *, subject_type: str, subject_id: uuid.UUID
) -> list[TrailLine]:
    """A thing's audit trail in sentences, oldest first, for the brand's people."""
    if not (principal.is_brand_staff or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("the audit trail is for the brand's people")
    events = audit_service.list_events(session, subject_type=subject_type, subject_id=subject_id)
    names = names_for(session, events)
    return [TrailLine(e, describe(e, names), names.actor(e)) for e in events]


LOG_LIMIT = 200


def brand_log(
    session: Session,
    principal: Principal,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
    limit: int = LOG_LIMIT,
) -> list[TrailLine]:
    """The brand's newest audit events in sentences, for its admins (customers unnamed)."""
    if not principal.can_manage_brand or principal.brand_id is None:
        raise PermissionDenied("the brand's audit log is for its admins")
    statement = audit_service.brand_events(
        principal.brand_id, since=since, until=until, action=action
    )
    statement = statement.order_by(None).order_by(AuditEvent.created_at.desc(), AuditEvent.id)
    events = session.scalars(statement.limit(limit)).all()
    names = names_for(session, events, with_customer_names=False)
    return [TrailLine(e, describe(e, names), names.actor(e)) for e in events]
