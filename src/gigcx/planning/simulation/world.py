"""Build the simulated marketplace on a scratch database through the real services.

A platform admin, one brand with its admin and API key, the program (from a real program's
settings or a given request) and the simulated experts, each signed up, enrolled and approved.
All of it happens the day before the simulated day, in virtual time.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import User
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.enums import Channel
from gigcx.brands.models import Program
from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate, RateIn, RoutingWeights
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.schemas import ExpertCreate
from gigcx.kit import clock
from gigcx.planning.simulation.people import CategoryMix, ExpertPlan, Mix

# Throw-away credentials of a scratch database that is dropped after the run.
SCRATCH_PASSWORD = "simulated-day-only"  # noqa: S105 - never leaves the scratch database
COUNTRY_OF_ZONE = {
    "Europe/London": "GB",
    "Europe/Berlin": "DE",
    "Europe/Madrid": "ES",
    "America/New_York": "US",
    "America/Chicago": "US",
    "America/Los_Angeles": "US",
    "America/Sao_Paulo": "BR",
    "Africa/Lagos": "NG",
    "Asia/Manila": "PH",
    "Asia/Kolkata": "IN",
}


@dataclass(frozen=True)
class Scenario:
    """What to simulate: the program's settings, its mix of work and the brand's currency."""

    program: ProgramCreate
    mix: Mix
    currency: str = "USD"


@dataclass(frozen=True)
class World:
    brand_id: uuid.UUID
    program_id: uuid.UUID
    brand_admin: Principal
    intake: Principal
    experts: dict[uuid.UUID, ExpertPlan]
    principals: dict[int, Principal]  # expert plan number -> the expert's principal
    expert_ids: dict[int, uuid.UUID]


def scenario_from_program(
    program: Program, *, language_shares: dict[str, float], category_shares: dict[str, float]
) -> Scenario:
    """A scenario with a real program's settings (rates, targets, routing) and its mix."""
    request = ProgramCreate(
        name=program.name,
        slug=program.slug,
        description=program.description,
        languages=list(program.languages),
        channels=[Channel.CHAT],
        categories=[
            CategoryIn(
                key=c.key,
                name=c.name,
                is_gig_eligible=c.is_gig_eligible,
                required_skill_level=c.required_skill_level,
            )
            for c in program.categories
        ],
        rates=[
            RateIn(
                category_key=r.category_key,
                complexity=r.complexity,
                language=r.language,
                time_band=r.time_band,
                amount=r.amount,
            )
            for r in program.rates
        ],
        offer_ttl_seconds=program.offer_ttl_seconds,
        first_response_seconds=program.first_response_seconds,
        resolution_seconds=program.resolution_seconds,
        max_offers=program.max_offers,
        max_wait_seconds=program.max_wait_seconds,
        offers_at_once=program.offers_at_once,
        aging_seconds=program.aging_seconds,
        routing_weights=RoutingWeights.model_validate(program.routing_weights),
        timezone=program.timezone,
    )
    return Scenario(request, mix_for(request, language_shares, category_shares), program.currency)


def mix_for(
    request: ProgramCreate,
    language_shares: dict[str, float] | None = None,
    category_shares: dict[str, float] | None = None,
) -> Mix:
    """The program's languages and categories, by the given shares (equal where none given)."""
    languages = {code: (language_shares or {}).get(code, 0.0) for code in request.languages}
    if not any(languages.values()):
        languages = dict.fromkeys(request.languages, 1.0)
    shares = category_shares or {}
    categories = tuple(
        CategoryMix(
            c.key,
            shares.get(c.key, 0.0 if shares else 1.0),
            c.required_skill_level,
            is_gig_eligible=c.is_gig_eligible,
        )
        for c in request.categories
    )
    if not any(c.weight for c in categories):
        categories = tuple(
            CategoryMix(c.key, 1.0, c.required_level, is_gig_eligible=c.is_gig_eligible)
            for c in categories
        )
    return Mix(languages, categories)


def build(
    session: Session,
    scenario: Scenario,
    experts: list[ExpertPlan],
    *,
    at: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> World:
    """Create the brand, program and experts through the services, at ``at`` (virtual time)."""
    with clock.frozen_at(at):
        admin_user = auth_service.create_user(
            session,
            email="platform@simulation.example",
            password=SCRATCH_PASSWORD,
            role=Role.PLATFORM_ADMIN,
            display_name="Platform admin",
        )
        admin = auth_service.principal_for_user(admin_user)
        brand = brands_service.create_brand(
            session,
            admin,
            BrandCreate(
                name="Simulated brand",
                slug="simulated-brand",
                currency=scenario.currency,
                admin_email="admin@simulation.example",
                admin_password=SCRATCH_PASSWORD,
            ),
        )
        brand_user = session.scalars(
            select(User).where(User.email == "admin@simulation.example")
        ).one()
        brand_admin = auth_service.principal_for_user(brand_user)
        _plain, key = auth_service.create_api_key(session, brand_id=brand.id, name="Simulation")
        intake = Principal(role=Role.API_KEY, brand_id=brand.id, api_key_id=key.id)
        program = brands_service.create_program(
            session, brand_admin, scenario.program, brand_id=brand.id
        )
    principals: dict[int, Principal] = {}
    ids: dict[int, uuid.UUID] = {}
    by_id: dict[uuid.UUID, ExpertPlan] = {}
    for done, plan in enumerate(experts, start=1):
        with clock.frozen_at(at + timedelta(seconds=done)):
            expert, user = experts_service.register_expert(session, _request(plan))
            principal = auth_service.principal_for_user(user)
            enrollment = experts_service.apply(session, principal, program.id)
            experts_service.change_enrollment(
                session, brand_admin, enrollment.id, EnrollmentStatus.ACTIVE
            )
        principals[plan.number] = principal
        ids[plan.number] = expert.id
        by_id[expert.id] = plan
        if progress is not None:
            progress(done, len(experts))
    session.flush()
    return World(brand.id, program.id, brand_admin, intake, by_id, principals, ids)


def _request(plan: ExpertPlan) -> ExpertCreate:
    return ExpertCreate(
        email=plan.email,
        password=SCRATCH_PASSWORD,
        display_name=plan.name,
        country=COUNTRY_OF_ZONE.get(plan.timezone, "US"),
        timezone=plan.timezone,
        languages=plan.languages,
        skills=plan.skills,
        capacity={Channel.CHAT: plan.capacity},
    )
