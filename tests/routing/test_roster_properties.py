"""Random changes to experts' profiles, presence, enrollments, certifications and quality scores,
made through the services, the ORM and bulk statements, never leave the routing roster behind."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import (
    Enrollment,
    Expert,
    ExpertCapacity,
    ExpertLanguage,
    ExpertSkill,
)
from gigcx.experts.schemas import ExpertProfile
from gigcx.kit import clock
from gigcx.routing import roster
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert

EXPERTS = 3
PROGRAMS = 2
LANGUAGES = ("en", "de", "fr")
SKILLS = ("billing", "shipping", "returns")
CHANNELS = ("chat", "email")

expert_index = st.integers(0, EXPERTS - 1)
program_index = st.integers(0, PROGRAMS - 1)
levels = st.integers(1, 5)
bulk = st.booleans()  # a bulk Core statement instead of the ORM or a service


def table_rows(session: Session, statement: Any) -> list[tuple[Any, ...]]:
    return sorted((tuple(row) for row in session.execute(statement)), key=repr)


class RosterMachine(RuleBasedStateMachine):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.savepoint = session.begin_nested()
        brand = make_brand(session)
        self.programs = [
            make_program(session, brand, languages=("en", "de"), gig_categories=SKILLS[:2])
            for _ in range(PROGRAMS)
        ]
        self.experts = [
            make_expert(
                session,
                programs=self.programs[: 1 + n % PROGRAMS],
                languages={"en": 5, "de": 3},
                skills={"billing": 3},
                capacity={"chat": 2},
            )
            for n in range(EXPERTS)
        ]
        self.expert_ids = [expert.id for expert in self.experts]
        self.program_ids = [program.id for program in self.programs]

    def teardown(self) -> None:
        self.savepoint.rollback()

    def _after_bulk(self) -> None:
        # The identity map does not see bulk statements; reload what the ORM rules touch.
        self.session.expire_all()

    def _enrollment(self, expert: int, program: int) -> Enrollment | None:
        return self.session.scalar(
            select(Enrollment).where(
                Enrollment.expert_id == self.expert_ids[expert],
                Enrollment.program_id == self.program_ids[program],
            )
        )

    @rule(
        expert=expert_index,
        languages=st.none() | st.dictionaries(st.sampled_from(LANGUAGES), levels, min_size=1),
        skills=st.none() | st.dictionaries(st.sampled_from(SKILLS), levels),
        capacity=st.none() | st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 3)),
    )
    def change_profile(
        self,
        expert: int,
        languages: dict[str, int] | None,
        skills: dict[str, int] | None,
        capacity: dict[str, int] | None,
    ) -> None:
        """Languages, skills and capacities replaced, emptied or left alone."""
        profile = ExpertProfile.model_validate(
            {"languages": languages, "skills": skills, "capacity": capacity}
        )
        principal = as_expert(self.session.get_one(Expert, self.expert_ids[expert]))
        experts_service.update_profile(self.session, principal, profile)

    @rule(expert=expert_index, presence=st.sampled_from(list(Presence)))
    def set_presence(self, expert: int, presence: Presence) -> None:
        principal = as_expert(self.session.get_one(Expert, self.expert_ids[expert]))
        experts_service.set_presence(self.session, principal, presence)

    @rule(experts=st.sets(expert_index, min_size=1), presence=st.sampled_from(list(Presence)))
    def set_presence_in_bulk(self, experts: set[int], presence: Presence) -> None:
        ids = [self.expert_ids[n] for n in experts]
        self.session.execute(update(Expert).where(Expert.id.in_(ids)).values(presence=presence))
        self._after_bulk()

    @rule(
        expert=expert_index,
        program=program_index,
        status=st.sampled_from(list(EnrollmentStatus)),
        is_bulk=bulk,
    )
    def change_enrollment(
        self, expert: int, program: int, status: EnrollmentStatus, is_bulk: bool
    ) -> None:
        """Enroll, or move the enrollment to any status (the tables allow what the rules do not)."""
        enrollment = self._enrollment(expert, program)
        if enrollment is None:
            self.session.add(
                Enrollment(
                    expert_id=self.expert_ids[expert],
                    program_id=self.program_ids[program],
                    status=status,
                )
            )
        elif is_bulk:
            self.session.execute(
                update(Enrollment).where(Enrollment.id == enrollment.id).values(status=status)
            )
            self._after_bulk()
        else:
            enrollment.status = status
        self.session.flush()

    @rule(expert=expert_index, program=program_index, is_bulk=bulk)
    def delete_enrollment(self, expert: int, program: int, is_bulk: bool) -> None:
        enrollment = self._enrollment(expert, program)
        if enrollment is None:
            return
        if is_bulk:
            self.session.execute(delete(Enrollment).where(Enrollment.id == enrollment.id))
            self._after_bulk()
        else:
            self.session.delete(enrollment)
            self.session.flush()

    @rule(expert=expert_index, old=program_index, new=program_index)
    def move_enrollment(self, expert: int, old: int, new: int) -> None:
        """A changed key column: the enrollment now belongs to another program."""
        enrollment = self._enrollment(expert, old)
        if enrollment is None or self._enrollment(expert, new) is not None:
            return
        self.session.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment.id)
            .values(program_id=self.program_ids[new])
        )
        self._after_bulk()

    @rule(
        expert=expert_index,
        program=program_index,
        days=st.none() | st.integers(-5, 60),
        is_bulk=bulk,
    )
    def certify(self, expert: int, program: int, days: int | None, is_bulk: bool) -> None:
        enrollment = self._enrollment(expert, program)
        if enrollment is None:
            return
        until = None if days is None else clock.now() + timedelta(days=days)
        if is_bulk:
            self.session.execute(
                update(Enrollment)
                .where(Enrollment.id == enrollment.id)
                .values(certified_until=until)
            )
            self._after_bulk()
        else:
            enrollment.certified_until = until
            self.session.flush()

    @rule(
        experts=st.sets(expert_index, min_size=1),
        program=program_index,
        score=st.none() | st.decimals(0, 100, places=2),
    )
    def score_quality_in_bulk(self, experts: set[int], program: int, score: Decimal | None) -> None:
        self.session.execute(
            update(Enrollment)
            .where(
                Enrollment.expert_id.in_([self.expert_ids[n] for n in experts]),
                Enrollment.program_id == self.program_ids[program],
            )
            .values(quality_score=score)
        )
        self._after_bulk()

    @rule(giver=expert_index, taker=expert_index, language=st.sampled_from(LANGUAGES))
    def hand_language_over(self, giver: int, taker: int, language: str) -> None:
        """A changed key column: a language row moves from one expert to another."""
        held = set(
            self.session.scalars(
                select(ExpertLanguage.language).where(
                    ExpertLanguage.expert_id == self.expert_ids[taker]
                )
            )
        )
        if language in held:
            return
        self.session.execute(
            update(ExpertLanguage)
            .where(
                ExpertLanguage.expert_id == self.expert_ids[giver],
                ExpertLanguage.language == language,
            )
            .values(expert_id=self.expert_ids[taker])
        )
        self._after_bulk()

    @rule(expert=expert_index, old=st.sampled_from(SKILLS), new=st.sampled_from(SKILLS))
    def rename_skill(self, expert: int, old: str, new: str) -> None:
        held = set(
            self.session.scalars(
                select(ExpertSkill.skill).where(ExpertSkill.expert_id == self.expert_ids[expert])
            )
        )
        if new in held:
            return
        self.session.execute(
            update(ExpertSkill)
            .where(ExpertSkill.expert_id == self.expert_ids[expert], ExpertSkill.skill == old)
            .values(skill=new)
        )
        self._after_bulk()

    @rule(experts=st.sets(expert_index, min_size=1), channel=st.sampled_from(CHANNELS))
    def delete_capacities_in_bulk(self, experts: set[int], channel: str) -> None:
        self.session.execute(
            delete(ExpertCapacity).where(
                ExpertCapacity.expert_id.in_([self.expert_ids[n] for n in experts]),
                ExpertCapacity.channel == channel,
            )
        )
        self._after_bulk()

    @rule(count=st.integers(0, 4))
    def set_capacity_in_bulk(self, count: int) -> None:
        self.session.execute(update(ExpertCapacity).values(max_concurrent=count))
        self._after_bulk()

    @invariant()
    def stored_equals_derived(self) -> None:
        self.session.flush()
        assert table_rows(self.session, roster.stored_roster()) == table_rows(
            self.session, roster.roster_source()
        )
        assert roster.find_drift(self.session).expert_ids == set()


def test_random_changes_keep_the_roster_equal_to_its_source(session: Session) -> None:
    class OnThisSession(RosterMachine):
        def __init__(self) -> None:
            super().__init__(session)

    run_state_machine_as_test(
        OnThisSession,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            database=None,
        ),
    )
