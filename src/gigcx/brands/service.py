"""Brands and their programs."""

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Complexity
from gigcx.brands.errors import (
    BrandSlugTaken,
    InvalidProgramRules,
    ProgramNotFound,
    ProgramSlugTaken,
)
from gigcx.brands.models import Brand, Program, ProgramCategory, Rate
from gigcx.brands.queries import readable_programs
from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate, ProgramUpdate, RateIn
from gigcx.errors import PermissionDenied


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


def _check_categories(categories: list[CategoryIn]) -> None:
    keys = [c.key for c in categories]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise InvalidProgramRules(
            f"category keys must be unique; repeated: {', '.join(duplicates)}"
        )


def _check_rates(categories: list[ProgramCategory], rates: list[Rate]) -> None:
    known = {c.key for c in categories}
    seen: set[tuple[str, str]] = set()
    for rate in rates:
        if rate.category_key not in known:
            raise InvalidProgramRules(
                f"rate for unknown category {rate.category_key!r}; "
                f"categories are: {', '.join(sorted(known))}"
            )
        pair = (rate.category_key, rate.complexity)
        if pair in seen:
            raise InvalidProgramRules(f"two rates for {pair[0]} / {pair[1]}; give one")
        seen.add(pair)
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
        if value is None and field != "inhouse_cost_per_contact":
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
    _check_rates(program.categories, program.rates)


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
    # the old one is deleted and break the unique (program, category, complexity) constraint.
    existing = {(r.category_key, str(r.complexity)): r for r in program.rates}
    lines = []
    for item in rates:
        rate = existing.pop((item.category_key, str(item.complexity)), None)
        if rate is None:
            lines.append(_rate(item))
        else:
            rate.amount = Decimal(item.amount)
            lines.append(rate)
    program.rates = lines


def _rate(item: RateIn) -> Rate:
    return Rate(
        category_key=item.category_key, complexity=item.complexity, amount=Decimal(item.amount)
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
    return program


def rate_for(program: Program, category_key: str, complexity: str) -> Decimal | None:
    """Return the rate-card amount for a category and complexity, if the card has one."""
    for rate in program.rates:
        if rate.category_key == category_key and rate.complexity == complexity:
            return rate.amount
    return None
