"""What a new expert sees of their own way in: the getting-started checklist.

Sign-up asks only a name, an email and a password; this checklist then leads the expert through
the rest in order: profile, programs, skills from those programs' categories, the onboarding
course and the first ticket. The dashboard renders it; nothing else decides what is done.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.brands.queries import readable_programs
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.experts.queries import readable_enrollments
from gigcx.kit import clock
from gigcx.kit.languages import language_name


@dataclass(frozen=True)
class ChecklistStep:
    """One step: whether it is done, what it takes (or took), and where to do it."""

    key: str
    title: str
    is_done: bool
    detail: str
    link: str
    link_text: str


@dataclass(frozen=True)
class Checklist:
    steps: list[ChecklistStep]

    @property
    def done_count(self) -> int:
        return sum(step.is_done for step in self.steps)

    @property
    def is_complete(self) -> bool:
        return self.done_count == len(self.steps)


def _sentence(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _profile_step(expert: Expert) -> ChecklistStep:
    missing = []
    if not expert.languages:
        missing.append("the languages you answer customers in")
    if not expert.country:
        missing.append("your country")
    if not any(x.max_concurrent > 0 for x in expert.capacities):
        missing.append("how many tickets you work at once")
    if missing:
        detail = f"Add {_sentence(missing)}."
    else:
        languages = ", ".join(language_name(x.language) for x in expert.languages)
        detail = f"{languages} · {expert.country} · {expert.timezone}"
    return ChecklistStep(
        key="profile",
        title="Complete your profile",
        is_done=not missing,
        detail=detail,
        link="/expert/profile",
        link_text="Edit your profile" if not missing else "Complete your profile",
    )


def _programs_step(chosen: list[tuple[Enrollment, Program]]) -> ChecklistStep:
    if chosen:
        detail = "You applied to " + _sentence(
            [f"{program.name} ({enrollment.status})" for enrollment, program in chosen]
        )
        detail += "."
    else:
        detail = "Find programs that fit you and apply; each says what it asks of you."
    return ChecklistStep(
        key="programs",
        title="Pick programs",
        is_done=bool(chosen),
        detail=detail,
        link="/expert/programs",
        link_text="See the programs",
    )


def _has_skill_for(program: Program, skills: dict[str, int]) -> bool:
    categories = [c for c in program.categories if c.is_gig_eligible]
    if not categories:
        return True
    return any(skills.get(c.key, 0) >= c.required_skill_level for c in categories)


def _asked(program: Program) -> str:
    categories = [c for c in program.categories if c.is_gig_eligible]
    options = " or ".join(f"{c.name} at level {c.required_skill_level}" for c in categories)
    return f"{program.name}: pick {options} or higher"


def _skills_step(
    expert: Expert, chosen: list[tuple[Enrollment, Program]], open_programs: list[Program]
) -> ChecklistStep:
    skills = {x.skill: x.level for x in expert.skills}
    if chosen:
        short = [program for _, program in chosen if not _has_skill_for(program, skills)]
        is_done = not short
        detail = (
            "Your skills match the categories of your programs."
            if is_done
            else "; ".join(_asked(program) for program in short) + "."
        )
    else:
        is_done = any(_has_skill_for(program, skills) for program in open_programs)
        detail = (
            "You picked skills in a program's categories; now apply to it."
            if is_done
            else "Pick skills from the categories of a program you want to work in."
        )
    return ChecklistStep(
        key="skills",
        title="Pick your skills",
        is_done=is_done,
        detail=detail,
        link="/expert/profile#skills",
        link_text="Pick skills",
    )


def _course_step(chosen: list[tuple[Enrollment, Program]]) -> ChecklistStep:
    now = clock.now()
    needing = [(e, p) for e, p in chosen if p.requires_certification]
    uncertified = [
        program.name
        for enrollment, program in needing
        if enrollment.certified_until is None or enrollment.certified_until <= now
    ]
    if not chosen:
        is_done, detail = False, "Apply to a program first; its onboarding course is paid."
    elif not needing:
        is_done, detail = True, "Your programs ask for no course right now."
    elif uncertified:
        is_done, detail = False, f"Pass the onboarding course of {_sentence(uncertified)}."
    else:
        names = _sentence([program.name for _, program in needing])
        is_done, detail = True, f"You are certified for {names}."
    return ChecklistStep(
        key="course",
        title="Take the onboarding course",
        is_done=is_done,
        detail=detail,
        link="/expert/training",
        link_text="Go to training",
    )


def _first_ticket_step(expert: Expert) -> ChecklistStep:
    is_done = expert.last_assigned_at is not None
    return ChecklistStep(
        key="first_ticket",
        title="Take your first ticket",
        is_done=is_done,
        detail=(
            "You have taken tickets."
            if is_done
            else "Once a brand approves you, set yourself available: offers appear here."
        ),
        link="/expert#presence-h",
        link_text="Set your status",
    )


def onboarding_checklist(session: Session, principal: Principal) -> Checklist:
    """The signed-in expert's getting-started steps, each done or not, with where to do it."""
    expert = experts_service.current_expert(session, principal)
    chosen = [
        (enrollment, program)
        for enrollment, program in session.execute(
            readable_enrollments(principal)
            .join(Program, Program.id == Enrollment.program_id)
            .add_columns(Program)
            .where(Enrollment.status != EnrollmentStatus.REMOVED)
            .order_by(Program.name, Program.id)
        ).all()
    ]
    # Before any application the skills step asks for a fit with any open program.
    open_programs = [] if chosen else list(session.scalars(readable_programs(principal)))
    return Checklist(
        steps=[
            _profile_step(expert),
            _programs_step(chosen),
            _skills_step(expert, chosen, open_programs),
            _course_step(chosen),
            _first_ticket_step(expert),
        ]
    )
