from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.experts import roster
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment, Expert, RoutingRoster
from gigcx.experts.schemas import ExpertProfile
from gigcx.kit import clock
from gigcx.quality import service as quality_service
from gigcx.training import service as training_service
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert

COLUMNS = (
    RoutingRoster.program_id,
    RoutingRoster.expert_id,
    RoutingRoster.language,
    RoutingRoster.skill,
    RoutingRoster.channel,
    RoutingRoster.level,
    RoutingRoster.proficiency,
    RoutingRoster.capacity,
    RoutingRoster.quality_score,
    RoutingRoster.certified_until,
)


def stored(session: Session) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in session.execute(select(*COLUMNS)))


def derived(session: Session) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in session.execute(roster.roster_source()))


def enrollment(session: Session, expert: Expert) -> Enrollment:
    return session.scalars(select(Enrollment).where(Enrollment.expert_id == expert.id)).one()


def test_roster_follows_every_change_to_its_inputs(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(
        session, brand, languages=("en", "de"), gig_categories=("billing", "shipping")
    )
    other = make_program(session, brand)
    anna = make_expert(
        session,
        programs=[program],
        languages={"en": 5, "de": 3},
        skills={"billing": 4, "shipping": 2},
        capacity={"chat": 2, "email": 0},
    )
    ben = make_expert(session, programs=[program, other])
    assert len(stored(session)) == 2 * 2 * 1 + 2 * 1 * 1
    assert stored(session) == derived(session)

    # Profile: languages, skills and capacity replaced through the service.
    profile = ExpertProfile(
        languages={"en": 4}, skills={"billing": 5}, capacity={"chat": 1, "email": 3}
    )
    experts_service.update_profile(session, as_expert(anna), profile)
    assert stored(session) == derived(session)
    assert {(r[4], r[5], r[6], r[7]) for r in stored(session) if r[1] == anna.id} == {
        ("chat", 5, 4, 1),
        ("email", 5, 4, 3),
    }

    # Presence: away drops the expert, available brings them back.
    experts_service.set_presence(session, as_expert(anna), Presence.AWAY)
    assert [r for r in stored(session) if r[1] == anna.id] == []
    assert stored(session) == derived(session)
    experts_service.set_presence(session, as_expert(anna), Presence.AVAILABLE)
    assert len([r for r in stored(session) if r[1] == anna.id]) == 2
    assert stored(session) == derived(session)

    # Enrollment status: a paused enrollment is not routed; resuming routes it again.
    ben_in_other = session.scalars(
        select(Enrollment).where(Enrollment.expert_id == ben.id, Enrollment.program_id == other.id)
    ).one()
    experts_service.apply_status(session, ben_in_other, EnrollmentStatus.PAUSED, actor=SYSTEM)
    assert {r[0] for r in stored(session) if r[1] == ben.id} == {program.id}
    assert stored(session) == derived(session)
    experts_service.apply_status(session, ben_in_other, EnrollmentStatus.ACTIVE, actor=SYSTEM)
    assert {r[0] for r in stored(session) if r[1] == ben.id} == {program.id, other.id}

    # Quality score and certification, written by the quality and training services.
    quality_service.refresh_quality_score(session, expert_id=anna.id, program_id=program.id)
    assert stored(session) == derived(session)
    enrollment(session, anna).quality_score = Decimal("91.50")
    session.flush()
    assert {r[8] for r in stored(session) if r[1] == anna.id} == {Decimal("91.50")}
    enrollment(session, anna).certified_until = clock.now() + timedelta(days=30)
    session.flush()
    assert stored(session) == derived(session)
    training_service.refresh_certified_until(session, expert_id=anna.id, program_id=program.id)
    assert {r[9] for r in stored(session) if r[1] == anna.id} == {None}
    assert stored(session) == derived(session)

    # A new enrollment made active by the brand appears; a removed one disappears.
    applied = experts_service.apply(session, as_expert(anna), other.id)
    assert {r[0] for r in stored(session) if r[1] == anna.id} == {program.id}
    experts_service.apply_status(session, applied, EnrollmentStatus.ACTIVE, actor=SYSTEM)
    assert {r[0] for r in stored(session) if r[1] == anna.id} == {program.id, other.id}
    experts_service.apply_status(session, applied, EnrollmentStatus.REMOVED, actor=SYSTEM)
    assert {r[0] for r in stored(session) if r[1] == anna.id} == {program.id}
    assert stored(session) == derived(session)


def test_rebuild_writes_the_roster_from_the_tables(session: Session) -> None:
    program = make_program(session, make_brand(session))
    make_expert(session, programs=[program], languages={"en": 5, "fr": 4})
    make_expert(session, programs=[program], presence=Presence.OFFLINE)
    session.execute(delete(RoutingRoster))

    roster.rebuild(session)

    assert len(stored(session)) == 2
    assert stored(session) == derived(session)
