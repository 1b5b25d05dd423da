"""Brands and their programs."""

import uuid
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Complexity, TimeBand
from gigcx.brands.errors import (
    BrandNotFound,
    BrandSlugTaken,
    InvalidProgramRules,
    ProgramNotFound,
    ProgramSlugTaken,
)
from gigcx.brands.models import Brand, Program, ProgramCategory, Rate
from gigcx.brands.queries import readable_programs
from gigcx.brands.schemas import (
    BrandCreate,
    CategoryIn,
    ProgramCreate,
    ProgramMarketRead,
    ProgramRead,
    ProgramUpdate,
    RateIn,
)
from gigcx.errors import PermissionDenied
from gigcx.jobs import service as jobs_service


def create_brand(session: Session, actor: Principal, data: BrandCreate) -> Brand:
    """Open a brand with its first brand admin."""
    if not (actor.is_platform_admin or actor.is_system):
        raise PermissionDenied("only a platform admin can create brands")
    if session.scalar(select(Brand.id).where(Brand.slug == data.slug)) is not None:
        raise BrandSlugTaken(data.slug)
    brand = Brand(name=data.name, slug=data.slug, currency=data.currency)
    session.add(brand)
    session.flush()
    auth_service.create_user(
        session,
        email=data.admin_email,
        password=data.admin_password,
        role=Role.BRAND_ADMIN,
        display_name=f"{data.name} admin",
        brand_id=brand.id,
    )
    audit_service.record(
        session,
        actor=actor,
        action="brand.created",
        subject_type="brand",
        subject_id=brand.id,
        brand_id=brand.id,
    )
    return brand


def rename_brand(session: Session, actor: Principal, brand_id: uuid.UUID, name: str) -> Brand:
    """Give a brand another name; its slug, and so its contact pages' addresses, stay."""
    if not (actor.is_platform_admin or actor.is_system):
        raise PermissionDenied("only a platform admin can rename brands")
    brand = session.get(Brand, brand_id)
    if brand is None:
        raise BrandNotFound()
    if brand.name != name:
        audit_service.record(
            session,
            actor=actor,
            action="brand.renamed",
            subject_type="brand",
            subject_id=brand.id,
            brand_id=brand.id,
            data={"from": brand.name, "to": name},
        )
        brand.name = name
        session.flush()
    return brand


def get_program(session: Session, principal: Principal, program_id: uuid.UUID) -> Program:
    """Return a program the principal may read, or raise ProgramNotFound."""
    program = session.scalar(readable_programs(principal).where(Program.id == program_id))
    if program is None:
        raise ProgramNotFound()
    return program


def _require_manager(actor: Principal, brand_id: uuid.UUID) -> None:
    if actor.is_platform_admin or actor.is_system:
        return
    if not (actor.can_manage_brand and actor.brand_id == brand_id):
        raise PermissionDenied("only the brand's admins can change its programs")


NULLABLE_RULES = frozenset({"inhouse_cost_per_contact", "hourly_floor"})


def _check_categories(categories: list[CategoryIn]) -> None:
    keys = [c.key for c in categories]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise InvalidProgramRules(
            f"category keys must be unique; repeated: {', '.join(duplicates)}"
        )


RateKey = tuple[str, str, str | None, str | None]


def _rate_key(rate: Rate | RateIn) -> RateKey:
    band = str(rate.time_band) if rate.time_band is not None else None
    return (rate.category_key, str(rate.complexity), rate.language, band)


def _describe(key: RateKey) -> str:
    return " / ".join(part for part in key if part is not None)


def _check_rates(program: Program) -> None:
    categories, rates = program.categories, program.rates
    known = {c.key for c in categories}
    seen: set[tuple[str, str]] = set()
    keys: set[RateKey] = set()
    for rate in rates:
        if rate.category_key not in known:
            raise InvalidProgramRules(
                f"rate for unknown category {rate.category_key!r}; "
                f"categories are: {', '.join(sorted(known))}"
            )
        if rate.language is not None and rate.language not in program.languages:
            raise InvalidProgramRules(
                f"rate for language {rate.language!r}, which the program does not serve; "
                f"its languages are: {', '.join(program.languages)}"
            )
        key = _rate_key(rate)
        if key in keys:
            raise InvalidProgramRules(f"two rates for {_describe(key)}; give one")
        keys.add(key)
        if rate.language is None and rate.time_band is None:
            seen.add((rate.category_key, rate.complexity))
    for category in categories:
        if not category.is_gig_eligible:
            continue
        missing = [c.value for c in Complexity if (category.key, c) not in seen]
        if missing:
            raise InvalidProgramRules(
                f"category {category.key!r} goes to experts but has no rate for complexity "
                f"{', '.join(missing)}; add a rate for each of low, medium and high"
            )


def _apply_rules(program: Program, data: ProgramCreate | ProgramUpdate) -> None:
    scalar_fields = data.model_dump(
        exclude_unset=True, exclude={"categories", "rates", "routing_weights", "slug", "currency"}
    )
    for field, value in scalar_fields.items():
        if value is None and field not in NULLABLE_RULES:
            raise InvalidProgramRules(f"{field} cannot be null; leave it out to keep it")
        setattr(program, field, value)
    if data.languages is not None:
        program.languages = list(dict.fromkeys(data.languages))
    if data.channels is not None:
        program.channels = list(dict.fromkeys(c.value for c in data.channels))
    if data.routing_weights is not None:
        weights = data.routing_weights.model_dump()
        if sum(weights.values()) <= 0:
            raise InvalidProgramRules("routing weights must not all be zero")
        program.routing_weights = weights
    if data.categories is not None:
        _check_categories(data.categories)
        _replace_categories(program, data.categories)
    if data.rates is not None:
        _replace_rates(program, data.rates)
    _check_rates(program)


def _replace_categories(program: Program, categories: list[CategoryIn]) -> None:
    existing = {c.key: c for c in program.categories}
    program.categories = []
    for item in categories:
        category = existing.get(item.key) or ProgramCategory(key=item.key)
        category.name = item.name
        category.is_gig_eligible = item.is_gig_eligible
        category.required_skill_level = item.required_skill_level
        program.categories.append(category)


def _replace_rates(program: Program, rates: list[RateIn]) -> None:
    # Keep the row of a line that stays: a new row for the same line would be inserted before
    # the old one is deleted and break the unique constraint on the line's key.
    existing = {_rate_key(r): r for r in program.rates}
    lines = []
    for item in rates:
        rate = existing.pop(_rate_key(item), None)
        if rate is None:
            lines.append(_rate(item))
        else:
            rate.amount = Decimal(item.amount)
            lines.append(rate)
    program.rates = lines


def _rate(item: RateIn) -> Rate:
    return Rate(
        category_key=item.category_key,
        complexity=item.complexity,
        language=item.language,
        time_band=item.time_band,
        amount=Decimal(item.amount),
    )


def create_program(
    session: Session, actor: Principal, data: ProgramCreate, *, brand_id: uuid.UUID
) -> Program:
    """Open a program for a brand."""
    _require_manager(actor, brand_id)
    brand = session.get(Brand, brand_id)
    if brand is None:
        raise PermissionDenied("the brand does not exist")
    taken = select(Program.id).where(Program.brand_id == brand_id, Program.slug == data.slug)
    if session.scalar(taken) is not None:
        raise ProgramSlugTaken(data.slug)
    program = Program(
        brand_id=brand_id,
        slug=data.slug,
        name=data.name,
        currency=data.currency or brand.currency,
        categories=[],
        rates=[],
    )
    _apply_rules(program, data)
    session.add(program)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="program.created",
        subject_type="program",
        subject_id=program.id,
        brand_id=brand_id,
    )
    return program


def update_program(
    session: Session, actor: Principal, program_id: uuid.UUID, data: ProgramUpdate
) -> Program:
    """Change a program's rules; the whole change is validated before anything is kept."""
    program = get_program(session, actor, program_id)
    _require_manager(actor, program.brand_id)
    _apply_rules(program, data)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="program.updated",
        subject_type="program",
        subject_id=program.id,
        brand_id=program.brand_id,
        data={"fields": sorted(data.model_dump(exclude_unset=True))},
    )
    # New rules may make experts eligible for queued work (a lower skill level, a language).
    jobs_service.enqueue(session, "routing.dispatch", {"program_id": str(program.id)})
    return program


DAY_STARTS = time(8)
EVENING_STARTS = time(18)
NIGHT_STARTS = time(22)
WEEKEND_DAYS = frozenset({5, 6})  # Saturday, Sunday
TIME_BAND_RULES = (
    "day 08:00-18:00, evening 18:00-22:00, night 22:00-08:00 (every day), "
    "weekend all of Saturday and Sunday; read in the program's time zone"
)
RATE_RULE = (
    "The most specific matching line wins: a line for the ticket's language beats one for any "
    "language; then a line for the time band beats one for any time; weekend beats day, evening "
    "and night. Lines without language and time band are the base card."
)


def time_bands_at(program: Program, at: datetime) -> frozenset[TimeBand]:
    """Return the time bands ``at`` falls in, in the program's time zone."""
    local = at.astimezone(ZoneInfo(program.timezone))
    clock_time = local.time()
    if DAY_STARTS <= clock_time < EVENING_STARTS:
        bands = {TimeBand.DAY}
    elif EVENING_STARTS <= clock_time < NIGHT_STARTS:
        bands = {TimeBand.EVENING}
    else:
        bands = {TimeBand.NIGHT}
    if local.weekday() in WEEKEND_DAYS:
        bands.add(TimeBand.WEEKEND)
    return frozenset(bands)


def resolve_rate(
    program: Program, *, category_key: str, complexity: str, language: str, at: datetime
) -> Rate | None:
    """Return the rate-card line that pays a task, or None when the card has none.

    Candidates are the lines of the category and complexity whose language is the ticket's
    language or unset, and whose time band contains ``at`` (in the program's time zone) or is
    unset. The most specific wins, ranked by (has language, has time band, band is weekend):
    a language line beats a time-band line, which beats the base line.
    """
    bands = time_bands_at(program, at)
    candidates = [
        rate
        for rate in program.rates
        if rate.category_key == category_key
        and rate.complexity == complexity
        and rate.language in (None, language)
        and (rate.time_band is None or rate.time_band in bands)
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda r: (
            r.language is not None,
            r.time_band is not None,
            r.time_band == TimeBand.WEEKEND,
        ),
    )


def rate_terms(rate: Rate) -> dict[str, Any]:
    """A rate-card line as stored with what it priced (offers, earnings)."""
    return {
        "category": rate.category_key,
        "complexity": str(rate.complexity),
        "language": rate.language,
        "time_band": str(rate.time_band) if rate.time_band is not None else None,
        "amount": str(rate.amount),
    }


def pay_basis(
    program: Program, *, category_key: str, complexity: str, language: str, at: datetime
) -> dict[str, Any]:
    """What a task's pay is worked out from, frozen when it is offered.

    The task's category, complexity and language, the moment (for the time band and any surge)
    and the rate-card line in force then, so later edits of the card never reprice the offer.
    """
    rate = resolve_rate(
        program, category_key=category_key, complexity=complexity, language=language, at=at
    )
    return {
        "at": at.isoformat(),
        "category": category_key,
        "complexity": str(complexity),
        "language": language,
        "currency": program.currency,
        "rate": rate_terms(rate) if rate is not None else None,
    }


def read_program(program: Program, principal: Principal) -> ProgramRead | ProgramMarketRead:
    """The program as this viewer may see it: experts never see the brand's internal costs."""
    if principal.is_expert:
        return ProgramMarketRead.model_validate(program)
    return ProgramRead.model_validate(program)
