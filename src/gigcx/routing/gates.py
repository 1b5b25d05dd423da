"""Compliance gates routing applies before any offer, and why an expert is stopped.

One evaluation serves both: routing asks which of its candidates for a brand's ticket are
blocked (``blocked_experts``), and an expert asks why they get no offers (``why_blocked``), so
the explanation can never disagree with what routing does. Each rule costs one small indexed
query over the candidates, and only when the platform or the brand sets that rule; a brand and
platform that set none add a single lookup per routed ticket.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.config import get_settings
from gigcx.experts.compliance import service as compliance_service
from gigcx.experts.compliance.enums import Gate, IdentityStatus
from gigcx.experts.compliance.models import Agreement, BrandCompliance, WorkAuthorisation
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.routing.hours import hours_this_week, week_end

AGREEMENTS_URL = "/expert/compliance"
PROFILE_URL = "/expert/profile"


@dataclass(frozen=True)
class Block:
    """One rule that stops offers to an expert, in plain words."""

    gate: Gate
    brand_id: uuid.UUID | None
    message: str
    fix_url: str | None = None


@dataclass(frozen=True)
class Rules:
    """What the platform and one brand require, read once per routed ticket."""

    brand_id: uuid.UUID
    platform_terms: Agreement | None
    brand_agreement: Agreement | None
    brand: BrandCompliance
    platform_cap: int

    @property
    def checks_country(self) -> bool:
        return bool(self.brand.allowed_countries or self.brand.denied_countries)

    @property
    def is_empty(self) -> bool:
        return not (
            self.platform_terms
            or self.brand_agreement
            or self.checks_country
            or self.brand.requires_work_authorisation
            or self.brand.requires_identity_check
            or self.brand.max_hours_per_week
            or self.platform_cap
        )


def rules_for(session: Session, brand_id: uuid.UUID) -> Rules:
    current = compliance_service.current_agreements(session, [brand_id])
    rules = compliance_service.brand_compliance(session, brand_id)
    return Rules(
        brand_id=brand_id,
        platform_terms=current.get(None),
        brand_agreement=current.get(brand_id),
        brand=rules,
        platform_cap=get_settings().max_hours_per_week,
    )


def blocked_experts(
    session: Session, brand_id: uuid.UUID, expert_ids: Iterable[uuid.UUID], at: datetime
) -> dict[uuid.UUID, list[Block]]:
    """The experts among ``expert_ids`` whom a rule stops from a brand's offers, with why."""
    ids = list(expert_ids)
    rules = rules_for(session, brand_id)
    if not ids or rules.is_empty:
        return {}
    name = compliance_service.brand_name(session, brand_id)
    block = _Blocks(brand_id)

    agreements = [a for a in (rules.platform_terms, rules.brand_agreement) if a is not None]
    if agreements:
        accepted = compliance_service.accepted_ids(session, [a.id for a in agreements], ids)
        for expert_id in ids:
            for agreement in agreements:
                if (agreement.id, expert_id) not in accepted:
                    block(expert_id, *_agreement_block(agreement, name))
    if rules.checks_country or rules.brand.requires_work_authorisation:
        _country_blocks(session, rules, name, ids, block)
    if rules.brand.requires_identity_check:
        checks = compliance_service.latest_checks(session, ids)
        for expert_id in ids:
            check = checks.get(expert_id)
            if check is None or check.status != IdentityStatus.CLEAR:
                state = "you have none yet" if check is None else f"yours is {check.status}"
                message = f"{name} requires a clear identity check to receive offers; {state}."
                block(expert_id, Gate.IDENTITY_CHECK, message, None)
    resume = f"offers resume Monday {week_end(at):%d %b %Y} 00:00 UTC"
    if rules.platform_cap:
        for expert_id, hours in hours_this_week(session, ids, at).items():
            if hours >= rules.platform_cap:
                message = (
                    f"You reached this week's platform cap of {rules.platform_cap} hours; {resume}."
                )
                block(expert_id, Gate.PLATFORM_HOURS, message, "/expert/compliance#hours-h")
    cap = rules.brand.max_hours_per_week
    if cap:
        for expert_id, hours in hours_this_week(session, ids, at, brand_id=brand_id).items():
            if hours >= cap:
                message = f"You reached this week's cap of {cap} hours for {name}; {resume}."
                block(expert_id, Gate.BRAND_HOURS, message, "/expert/compliance#hours-h")
    return block.found


class _Blocks:
    """Collects blocks by expert; platform rules carry no brand."""

    def __init__(self, brand_id: uuid.UUID) -> None:
        self.brand_id = brand_id
        self.found: dict[uuid.UUID, list[Block]] = {}

    def __call__(self, expert_id: uuid.UUID, gate: Gate, message: str, url: str | None) -> None:
        owner = None if gate in (Gate.PLATFORM_TERMS, Gate.PLATFORM_HOURS) else self.brand_id
        self.found.setdefault(expert_id, []).append(Block(gate, owner, message, url))


def _agreement_block(agreement: Agreement, name: str) -> tuple[Gate, str, str]:
    new = "new " if agreement.version > 1 else ""
    if agreement.brand_id is None:
        what = f"the {new}platform terms (version {agreement.version})"
        gate = Gate.PLATFORM_TERMS
    else:
        what = f"the {new}contractor agreement of {name} (version {agreement.version})"
        gate = Gate.BRAND_AGREEMENT
    return gate, f"Accept {what} to receive offers.", f"{AGREEMENTS_URL}#agreement-{agreement.id}"


def _country_blocks(
    session: Session, rules: Rules, name: str, ids: list[uuid.UUID], block: _Blocks
) -> None:
    countries: dict[uuid.UUID, str] = {
        expert_id: country
        for expert_id, country in session.execute(
            select(Expert.id, Expert.country).where(Expert.id.in_(ids))
        )
    }
    attested: dict[uuid.UUID, str] = {}
    if rules.brand.requires_work_authorisation:
        attested = {
            expert_id: country
            for expert_id, country in session.execute(
                select(WorkAuthorisation.expert_id, WorkAuthorisation.country).where(
                    WorkAuthorisation.brand_id == rules.brand_id,
                    WorkAuthorisation.expert_id.in_(ids),
                )
            )
        }
    allowed, denied = set(rules.brand.allowed_countries), set(rules.brand.denied_countries)
    for expert_id in ids:
        country = (countries.get(expert_id) or "").upper()
        if not country:
            message = f"Add your country to your profile: {name} checks where its experts work."
            block(expert_id, Gate.COUNTRY_MISSING, message, PROFILE_URL)
            continue
        if country in denied or (allowed and country not in allowed):
            block(
                expert_id,
                Gate.COUNTRY_NOT_ALLOWED,
                f"{name} does not take experts from {country}.",
                None,
            )
            continue
        if rules.brand.requires_work_authorisation and attested.get(expert_id) != country:
            message = (
                f"Confirm that you are authorised to work in {country} for {name} "
                "to receive offers."
            )
            block(
                expert_id,
                Gate.WORK_AUTHORISATION,
                message,
                f"{AGREEMENTS_URL}#authorisation-{rules.brand_id}",
            )


def why_blocked(
    session: Session, expert_id: uuid.UUID, brand_id: uuid.UUID, at: datetime
) -> list[Block]:
    """Every rule that stops the expert's offers from this brand's programs, in plain words."""
    return blocked_experts(session, brand_id, [expert_id], at).get(expert_id, [])


@dataclass(frozen=True)
class ProgramEligibility:
    program_id: uuid.UUID
    program_name: str
    brand_id: uuid.UUID
    brand_name: str
    blocks: list[Block]


def eligibility_of(
    session: Session, expert_id: uuid.UUID, at: datetime
) -> list[ProgramEligibility]:
    """For each program the expert is active in: every rule that stops its offers."""
    rows = session.execute(
        select(Program.id, Program.name, Brand.id, Brand.name)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .join(Brand, Brand.id == Program.brand_id)
        .where(Enrollment.expert_id == expert_id, Enrollment.status == EnrollmentStatus.ACTIVE)
        .order_by(Brand.name, Program.name, Program.id)
    ).all()
    by_brand: dict[uuid.UUID, list[Block]] = {}
    result = []
    for program_id, program_name, brand_id, name in rows:
        if brand_id not in by_brand:
            by_brand[brand_id] = why_blocked(session, expert_id, brand_id, at)
        result.append(
            ProgramEligibility(program_id, program_name, brand_id, name, by_brand[brand_id])
        )
    return result


@dataclass(frozen=True)
class HoursCap:
    brand_id: uuid.UUID | None
    label: str
    hours: float
    cap: int | None


def week_hours(
    session: Session, expert_id: uuid.UUID, at: datetime
) -> tuple[float, list[HoursCap]]:
    """The expert's hours this ISO week, and the hours counted against each cap that applies."""
    total = hours_this_week(session, [expert_id], at)[expert_id]
    caps = [HoursCap(None, "Platform", total, get_settings().max_hours_per_week or None)]
    brands = session.execute(
        select(Brand.id, Brand.name)
        .join(Program, Program.brand_id == Brand.id)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(Enrollment.expert_id == expert_id, Enrollment.status != EnrollmentStatus.REMOVED)
        .distinct()
        .order_by(Brand.name)
    ).all()
    for brand_id, name in brands:
        hours = hours_this_week(session, [expert_id], at, brand_id=brand_id)[expert_id]
        caps.append(
            HoursCap(
                brand_id,
                name,
                hours,
                compliance_service.brand_compliance(session, brand_id).max_hours_per_week,
            )
        )
    return total, caps
