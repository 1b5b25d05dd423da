import itertools
from collections.abc import Iterable

from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment, Expert, ExpertCapacity, ExpertLanguage, ExpertSkill

_numbers = itertools.count(1)


def make_expert(
    session: Session,
    *,
    programs: Iterable[Program] = (),
    languages: dict[str, int] | None = None,
    skills: dict[str, int] | None = None,
    capacity: dict[str, int] | None = None,
    presence: Presence = Presence.AVAILABLE,
    enrollment_status: EnrollmentStatus = EnrollmentStatus.ACTIVE,
) -> Expert:
    """An expert (without a sign-in user) enrolled in ``programs``."""
    n = next(_numbers)
    expert = Expert(
        display_name=f"Expert {n}",
        email=f"expert{n}@experts.example.com",
        country="DE",
        timezone="Europe/Berlin",
        presence=presence,
        languages=[
            ExpertLanguage(language=code, proficiency=level)
            for code, level in (languages or {"en": 5}).items()
        ],
        skills=[
            ExpertSkill(skill=key, level=level)
            for key, level in (skills if skills is not None else {"billing": 3}).items()
        ],
        capacities=[
            ExpertCapacity(channel=channel, max_concurrent=count)
            for channel, count in (capacity or {"chat": 2}).items()
        ],
    )
    session.add(expert)
    session.flush()
    for program in programs:
        session.add(
            Enrollment(expert_id=expert.id, program_id=program.id, status=enrollment_status)
        )
    session.flush()
    return expert


def as_expert(expert: Expert) -> Principal:
    return Principal(role=Role.EXPERT, expert_id=expert.id)
