"""Demo experts: profiles across countries and languages, enrollments, presence."""

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth import service as auth_service
from gigcx.brands.enums import Channel
from gigcx.demo import agreements as demo_agreements
from gigcx.demo import content
from gigcx.demo.compose import ascii_slug
from gigcx.demo.world import ExpertRef, ProgramRef, Progress, World
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Expert
from gigcx.experts.schemas import ExpertCreate
from gigcx.kit import clock
from gigcx.payments import service as payments_service

EXPERT_EMAIL_DOMAIN = "experts.example"
ENROLLMENT_OUTCOMES = {
    EnrollmentStatus.ACTIVE: 84,
    EnrollmentStatus.APPLIED: 9,
    EnrollmentStatus.PAUSED: 7,
}
MIN_AVAILABLE_PER_PROGRAM = 2


@dataclass(frozen=True)
class Profile:
    request: ExpertCreate
    enrollments: list[tuple[ProgramRef, EnrollmentStatus]]


def _languages(rng: random.Random, country: content.Country) -> dict[str, int]:
    languages = {code: 5 if n == 0 else 4 for n, code in enumerate(country.languages)}
    if "en" not in languages:
        languages["en"] = rng.choice((2, 3, 3, 4, 4, 5))
    if rng.random() < 0.25:
        extra = [code for code in ("es", "fr", "de", "pt") if code not in languages]
        languages[rng.choice(extra)] = rng.choice((2, 3, 3, 4))
    return languages


def _programs(
    rng: random.Random, index: int, programs: list[ProgramRef], languages: dict[str, int]
) -> list[ProgramRef]:
    """One program that needs the expert's languages, sometimes a second one."""
    fluent = {code for code, level in languages.items() if level >= 3}
    eligible = [p for p in programs if fluent & set(p.spec.languages)]
    if not eligible:
        return []
    # The first experts go round the programs so that each has someone, however few are seeded.
    if index < len(programs) and programs[index] in eligible:
        primary = programs[index]
    else:
        native_need = {
            p: p.spec.weight * (3 if (fluent - {"en"}) & set(p.spec.languages) else 1)
            for p in eligible
        }
        primary = rng.choices(list(native_need), weights=list(native_need.values()))[0]
    chosen = [primary]
    others = [p for p in eligible if p is not primary]
    if others and rng.random() < 0.5:
        chosen.append(rng.choice(others))
    return chosen


def _skills(rng: random.Random, programs: list[ProgramRef]) -> dict[str, int]:
    skills: dict[str, int] = {}
    for program in programs:
        categories = program.spec.gig_categories
        for category in categories:
            if rng.random() < 0.9:
                skills[category.key] = min(5, max(1, category.level + rng.choice((-1, 0, 1, 1, 2))))
        if not any(skills.get(c.key, 0) >= c.level for c in categories):
            category = rng.choice(categories)
            skills[category.key] = min(5, category.level + 1)
    return skills


def _profile(
    rng: random.Random, index: int, programs: list[ProgramRef], password: str, emails: set[str]
) -> Profile:
    country = rng.choices(content.COUNTRIES, weights=[c.weight for c in content.COUNTRIES])[0]
    first = rng.choice(content.FIRST_NAMES[country.names])
    last = rng.choice(content.LAST_NAMES[country.names])
    local = f"{ascii_slug(first)}.{ascii_slug(last)}"
    email, number = f"{local}@{EXPERT_EMAIL_DOMAIN}", 1
    while email in emails:
        number += 1
        email = f"{local}{number}@{EXPERT_EMAIL_DOMAIN}"
    emails.add(email)
    languages = _languages(rng, country)
    chosen = _programs(rng, index, programs, languages)
    request = ExpertCreate(
        email=email,
        password=password,
        display_name=f"{first} {last}",
        country=country.code,
        timezone=rng.choice(country.timezones),
        languages=languages,
        skills=_skills(rng, chosen),
        capacity={Channel.CHAT: rng.randint(1, 3), Channel.EMAIL: rng.randint(2, 5)},
    )
    outcomes = [
        EnrollmentStatus.ACTIVE
        if index < len(programs) and n == 0
        else rng.choices(list(ENROLLMENT_OUTCOMES), weights=list(ENROLLMENT_OUTCOMES.values()))[0]
        for n in range(len(chosen))
    ]
    return Profile(request, list(zip(chosen, outcomes, strict=True)))


# Every HELD_EVERY-th demo expert has no payout method yet, so the demo shows pay held for one.
HELD_EVERY = 7


def demo_iban(index: int) -> str:
    """A German IBAN with valid check digits at a demo bank code, different per expert."""
    bban = f"37040044{index:010d}"
    # ISO 13616: the country letters as numbers (D=13, E=14) and 00 go after the BBAN.
    check = 98 - int(f"{bban}131400") % 97
    return f"DE{check:02d}{bban}"


def create_experts(
    session: Session,
    world: World,
    rng: random.Random,
    *,
    count: int,
    password: str,
    progress: Progress,
) -> None:
    """Sign up ``count`` experts, enroll them and put most active ones online."""
    emails: set[str] = set()
    for index in range(count):
        profile = _profile(rng, index, world.programs, password, emails)
        registered_at = world.start - timedelta(days=rng.uniform(16, 110))
        with clock.travel_to(registered_at):
            expert, user = experts_service.register_expert(session, profile.request)
        principal = auth_service.principal_for_user(user)
        if index % HELD_EVERY:
            with clock.travel_to(registered_at):
                payments_service.set_payout_method(
                    session,
                    principal,
                    kind="bank_transfer",
                    account_holder=expert.display_name,
                    iban=demo_iban(index),
                )
        strong = rng.random() < 0.9
        ref = ExpertRef(
            id=expert.id,
            principal=principal,
            email=expert.email,
            display_name=expert.display_name,
            timezone=expert.timezone,
            quality=rng.uniform(3.9, 4.9) if strong else rng.uniform(2.8, 3.8),
            accept_rate=rng.uniform(0.72, 0.95),
            speed=rng.uniform(0.6, 1.6),
            shift_start=rng.choice((7, 8, 9, 10, 13, 15, 18)) + rng.random(),
            shift_hours=rng.uniform(6, 12),
            work_days=rng.choice((4, 5, 5, 6, 6, 7)),
        )
        for program, outcome in profile.enrollments:
            applied_at = registered_at + timedelta(hours=rng.uniform(1, 24))
            with clock.travel_to(applied_at):
                enrollment = experts_service.apply(session, principal, program.id)
            demo_agreements.accept_pending(
                session, principal, expert.id, expert.display_name, at=applied_at
            )
            if outcome == EnrollmentStatus.APPLIED:
                continue
            approved_at = applied_at + timedelta(hours=rng.uniform(2, 72))
            with clock.travel_to(approved_at):
                experts_service.change_enrollment(
                    session, program.brand.admin, enrollment.id, EnrollmentStatus.ACTIVE
                )
            if outcome == EnrollmentStatus.PAUSED:
                with clock.travel_to(approved_at + timedelta(days=rng.uniform(3, 10))):
                    experts_service.change_enrollment(
                        session, principal, enrollment.id, EnrollmentStatus.PAUSED
                    )
            else:
                ref.active_program_ids.append(program.id)
        world.experts[expert.id] = ref
        progress("experts", index + 1, count)


def settle_presence(session: Session, world: World) -> None:
    """Make sure each program has a few experts online for the live demo, whatever the hour."""
    online = set(session.scalars(select(Expert.id).where(Expert.presence == Presence.AVAILABLE)))
    for program in world.programs:
        members = [e for e in world.experts.values() if program.id in e.active_program_ids]
        missing = MIN_AVAILABLE_PER_PROGRAM - sum(1 for e in members if e.id in online)
        for expert in [e for e in members if e.id not in online][: max(0, missing)]:
            experts_service.set_presence(session, expert.principal, Presence.AVAILABLE)
            online.add(expert.id)


def showcase(session: Session, world: World, count: int) -> list[ExpertRef]:
    """Return a few online experts with active enrollments, to sign in as in the demo."""
    online = set(session.scalars(select(Expert.id).where(Expert.presence == Presence.AVAILABLE)))
    return [ref for ref in world.experts.values() if ref.id in online][:count]
