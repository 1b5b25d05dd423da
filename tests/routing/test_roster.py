from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit.models import AuditEvent
from gigcx.auth.principal import SYSTEM
from gigcx.db.dialect import is_postgres
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment, Expert, ExpertCapacity, ExpertLanguage, ExpertSkill
from gigcx.experts.schemas import ExpertProfile
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.quality import service as quality_service
from gigcx.routing import roster
from gigcx.routing.models import RoutingRoster
from gigcx.training import service as training_service
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import run_jobs

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
    experts_service.apply_status(
        session, ben_in_other, EnrollmentStatus.PAUSED, actor=as_expert(ben)
    )
    assert {r[0] for r in stored(session) if r[1] == ben.id} == {program.id}
    assert stored(session) == derived(session)
    experts_service.apply_status(
        session, ben_in_other, EnrollmentStatus.ACTIVE, actor=as_expert(ben)
    )
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
    experts_service.apply_status(session, applied, EnrollmentStatus.REMOVED, actor=as_expert(anna))
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


def test_bulk_statements_deleted_rows_and_changed_keys_keep_the_roster_in_step(
    session: Session,
) -> None:
    # Given two available experts in two programs
    brand = make_brand(session)
    program = make_program(session, brand, gig_categories=("billing", "shipping"))
    other = make_program(session, brand)
    anna = make_expert(session, programs=[program, other], skills={"billing": 4})
    ben = make_expert(session, programs=[program], languages={"en": 3, "de": 5})
    assert len(stored(session)) == 2 + 2

    # When everyone goes away in one bulk statement, then only Anna comes back
    session.execute(update(Expert).values(presence=Presence.AWAY))
    assert stored(session) == []
    session.execute(update(Expert).where(Expert.id == anna.id).values(presence=Presence.AVAILABLE))
    assert {r[1] for r in stored(session)} == {anna.id}

    # When Anna's skill row changes its key and Ben gets her German
    session.execute(
        update(ExpertSkill)
        .where(ExpertSkill.expert_id == anna.id, ExpertSkill.skill == "billing")
        .values(skill="shipping", level=2)
    )
    session.execute(update(Expert).where(Expert.id == ben.id).values(presence="available"))
    session.execute(
        update(ExpertLanguage)
        .where(ExpertLanguage.expert_id == ben.id, ExpertLanguage.language == "de")
        .values(expert_id=anna.id)
    )
    session.expire_all()
    assert sorted(
        (r[0] == program.id, r[1] == anna.id, r[2], r[3], r[5]) for r in stored(session)
    ) == [
        (False, True, "de", "shipping", 2),
        (False, True, "en", "shipping", 2),
        (True, False, "en", "billing", 3),
        (True, True, "de", "shipping", 2),
        (True, True, "en", "shipping", 2),
    ]
    assert stored(session) == derived(session)

    # When an enrollment moves program, a capacity row is deleted in bulk and a skill collection
    # is emptied through the ORM
    session.execute(
        update(Enrollment)
        .where(Enrollment.expert_id == ben.id, Enrollment.program_id == program.id)
        .values(program_id=other.id)
    )
    assert {r[0] for r in stored(session) if r[1] == ben.id} == {other.id}
    session.execute(delete(ExpertCapacity).where(ExpertCapacity.expert_id == anna.id))
    assert [r for r in stored(session) if r[1] == anna.id] == []
    session.expire_all()
    ben_row = session.get_one(Expert, ben.id)
    ben_row.skills = []
    session.flush()

    # Then the roster is empty, as its source says
    assert stored(session) == []
    assert stored(session) == derived(session)
    # and a bulk insert brings Anna back
    session.execute(
        insert(ExpertCapacity).values(expert_id=anna.id, channel="email", max_concurrent=1)
    )
    assert {(r[1], r[4]) for r in stored(session)} == {(anna.id, "email")}
    assert stored(session) == derived(session)


ROSTER_TRIGGERS = sorted(
    [
        f"routing_roster_{table}_{event}"
        for table in ("enrollments", "expert_languages", "expert_skills", "expert_capacities")
        for event in ("insert", "delete", "update")
    ]
    + ["routing_roster_experts_update"]
)


def test_the_migrated_database_has_every_roster_trigger(session: Session) -> None:
    if is_postgres(session):
        statement = text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'routing_roster%'"
        )
        truncate = [f"routing_roster_{t}_truncate" for t in roster.TRACKED_TABLES]
        expected = sorted(ROSTER_TRIGGERS + truncate)
    else:
        statement = text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'routing_roster%'"
        )
        expected = ROSTER_TRIGGERS

    assert sorted(session.scalars(statement)) == expected


def test_reconcile_repairs_and_audits_a_drifted_roster(
    session: Session, factory: sessionmaker[Session]
) -> None:
    # Given a roster that drifted: one row lost, one level wrong, one row that must not exist
    program = make_program(session, make_brand(session))
    anna = make_expert(session, programs=[program], languages={"en": 5, "de": 4})
    ben = make_expert(session, programs=[program])
    cleo = make_expert(session, programs=[program])
    session.execute(
        delete(RoutingRoster).where(
            RoutingRoster.expert_id == anna.id, RoutingRoster.language == "de"
        )
    )
    session.execute(update(RoutingRoster).where(RoutingRoster.expert_id == ben.id).values(level=5))
    session.execute(
        insert(RoutingRoster).values(
            expert_id=cleo.id,
            program_id=program.id,
            language="fr",
            skill="billing",
            channel="chat",
            level=3,
            proficiency=5,
            capacity=2,
        )
    )
    assert roster.find_drift(session).expert_ids == {anna.id, ben.id, cleo.id}
    jobs_service.enqueue(session, "routing.reconcile_roster", {})
    session.commit()

    # When the job runner reconciles it
    started = clock.now()
    stats = run_jobs(factory)
    finished = clock.now()

    # Then the roster equals its source, each repaired expert is audited, the next run is queued
    assert (stats.done, stats.failed) == (1, 0)
    session.expire_all()
    assert stored(session) == derived(session)
    events = session.execute(
        select(AuditEvent.subject_id, AuditEvent.data).where(
            AuditEvent.action == "routing.roster_repaired"
        )
    ).all()
    by_expert = {subject: data for subject, data in events}
    assert set(by_expert) == {anna.id, ben.id, cleo.id}
    assert [row["language"] for row in by_expert[anna.id]["missing_rows"]] == ["de"]
    assert by_expert[anna.id]["extra_rows"] == []
    assert [row["level"] for row in by_expert[ben.id]["missing_rows"]] == ["3"]
    assert [row["level"] for row in by_expert[ben.id]["extra_rows"]] == ["5"]
    assert [row["language"] for row in by_expert[cleo.id]["extra_rows"]] == ["fr"]
    queued = session.scalars(
        select(Job.run_at).where(
            Job.name == "routing.reconcile_roster", Job.status == JobStatus.QUEUED
        )
    ).all()
    assert len(queued) == 1
    assert started + timedelta(hours=1) <= queued[0] <= finished + timedelta(hours=1)
