"""The expert's account: the program marketplace, earnings and performance."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.api.deps import MAX_OFFSET, SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Complexity
from gigcx.brands.models import Brand, Program, ProgramCategory
from gigcx.brands.queries import readable_programs
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.errors import ApplicationIncomplete
from gigcx.experts.models import Enrollment, Expert
from gigcx.experts.queries import readable_enrollments
from gigcx.kit import clock
from gigcx.kit.languages import language_list, language_name
from gigcx.kit.money import Money
from gigcx.payments import service as payments_service
from gigcx.payments.models import Earning
from gigcx.planning import service as planning_service
from gigcx.quality import service as quality_service
from gigcx.quality.enums import UNCONTROLLABLE_REASONS
from gigcx.tickets.models import Ticket
from gigcx.views import expert as expert_views
from gigcx.web.deps import CsrfChecked, WebExpert, redirect, render
from gigcx.web.routes import expert_community, expert_pay

router = APIRouter(include_in_schema=False)

LEDGER_PAGE_SIZE = 50
SUMMARY_DAYS = 14
VOLUME_DAYS = 7
UNAPPROVED = frozenset({EnrollmentStatus.APPLIED, EnrollmentStatus.REMOVED})


@dataclass(frozen=True)
class Requirement:
    text: str
    is_met: bool


@dataclass(frozen=True)
class ProgramCard:
    """One open program as the marketplace shows it to an expert."""

    program: Program
    brand_name: str
    categories: list[ProgramCategory]
    rate_rows: list[tuple[str, list[Money | None]]]
    weekly_volume: int
    enrollment: Enrollment | None
    requirements: list[Requirement]
    # What the profile lacks before applying (empty once enrolled or when nothing is missing).
    gaps: list[str]


def _requirements(program: Program, expert: Expert) -> list[Requirement]:
    """What routing checks before offering this program's tickets, and whether you pass."""
    languages = {x.language for x in expert.languages}
    skills = {x.skill: x.level for x in expert.skills}
    channels = {x.channel for x in expert.capacities if x.max_concurrent > 0}
    worked = " or ".join(program.channels)
    requirements = [
        Requirement(
            f"Speak {language_list(program.languages)}", bool(languages & set(program.languages))
        ),
        Requirement(f"Take tickets on {worked}", bool(channels & set(program.channels))),
    ]
    for category in program.categories:
        if category.is_gig_eligible:
            requirements.append(
                Requirement(
                    f"{category.name}: your skill at level "
                    f"{category.required_skill_level} or higher",
                    skills.get(category.key, 0) >= category.required_skill_level,
                )
            )
    requirements.append(Requirement("The brand approves your application", False))
    return requirements


def program_cards(session: Session, principal: Principal, expert: Expert) -> list[ProgramCard]:
    """Every program the expert may see, with rates, volume, requirements and their status."""
    rows = session.execute(
        readable_programs(principal)
        .join(Brand, Brand.id == Program.brand_id)
        .add_columns(Brand.name)
        .order_by(Brand.name, Program.name)
    ).all()
    program_ids = [program.id for program, _ in rows]
    recent = (
        select(Ticket.program_id, func.count())
        .where(
            Ticket.program_id.in_(program_ids),
            Ticket.created_at >= clock.now() - timedelta(days=VOLUME_DAYS),
        )
        .group_by(Ticket.program_id)
    )
    volume = {program_id: count for program_id, count in session.execute(recent).all()}
    enrollments = {
        e.program_id: e
        for e in session.scalars(
            readable_enrollments(principal).where(Enrollment.expert_id == expert.id)
        )
    }
    cards = []
    for program, brand_name in rows:
        gig_categories = [c for c in program.categories if c.is_gig_eligible]
        amounts = {(r.category_key, r.complexity): r.amount for r in program.rates}
        rate_rows = [
            (
                category.name,
                [
                    Money(amounts[(category.key, c)], program.currency)
                    if (category.key, c) in amounts
                    else None
                    for c in Complexity
                ],
            )
            for category in gig_categories
        ]
        enrollment = enrollments.get(program.id)
        requirements = _requirements(program, expert)
        if enrollment is not None:
            approved = enrollment.status not in UNAPPROVED
            requirements[-1] = Requirement(requirements[-1].text, approved)
        cards.append(
            ProgramCard(
                program=program,
                brand_name=brand_name,
                categories=gig_categories,
                rate_rows=rate_rows,
                weekly_volume=volume.get(program.id, 0),
                enrollment=enrollment,
                requirements=requirements,
                gaps=[] if enrollment else experts_service.application_gaps(expert, program),
            )
        )
    return cards


def _programs_page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    refusal: tuple[uuid.UUID, str, list[str]] | None = None,
) -> Response:
    expert = experts_service.current_expert(session, user)
    cards = program_cards(session, user, expert)
    context = {
        "user": user,
        "cards": cards,
        "recruiting": planning_service.recruitment_notes(
            session, [card.program.id for card in cards]
        ),
        "complexities": list(Complexity),
        "volume_days": VOLUME_DAYS,
        "refusal": refusal,
        "language_name": language_name,
        "announcements": expert_community.announcements_by_program(session, user),
    }
    return render(request, "expert/programs.html", context, status_code=409 if refusal else 200)


@router.get("/expert/programs", response_class=HTMLResponse)
def programs(request: Request, session: SessionDep, user: WebExpert) -> Response:
    return _programs_page(request, session, user)


@router.post("/expert/programs/{program_id}/apply", dependencies=[CsrfChecked])
def apply(
    request: Request, session: SessionDep, user: WebExpert, program_id: uuid.UUID
) -> Response:
    try:
        experts_service.apply(session, user, program_id)
    except ApplicationIncomplete as refused:
        refusal = (program_id, refused.program_name, refused.missing)
        return _programs_page(request, session, user, refusal=refusal)
    return redirect(f"/expert/programs#program-{program_id}")


@router.get("/expert/earnings", response_class=HTMLResponse)
def earnings(request: Request, session: SessionDep, user: WebExpert, page: int = 1) -> Response:
    expert = experts_service.current_expert(session, user)
    page = min(max(page, 1), MAX_OFFSET // LEDGER_PAGE_SIZE)  # far pages: the last one we serve
    statement = payments_service.earnings_statement(user, expert_id=expert.id)
    entries: list[Earning] = list(
        session.scalars(statement.offset((page - 1) * LEDGER_PAGE_SIZE).limit(LEDGER_PAGE_SIZE + 1))
    )
    has_next = len(entries) > LEDGER_PAGE_SIZE
    entries = entries[:LEDGER_PAGE_SIZE]
    subjects = expert_views.ticket_subjects(
        session, user, {e.ticket_id for e in entries if e.ticket_id is not None}
    )
    summary = payments_service.earnings_summary(session, user, expert.id, days=SUMMARY_DAYS)
    most_tasks = max((d.tasks for d in summary.days), default=0)
    context = {
        "user": user,
        "expert": expert,
        "summary": summary,
        "most_tasks": most_tasks,
        "entries": entries,
        "subjects": subjects,
        "page": page,
        "has_next": has_next,
        **expert_pay.earnings_context(session, user, expert.id, entries),
    }
    return render(request, "expert/earnings.html", context)


def duration(seconds: float | None) -> str:
    """Say a duration the way people read it: '45 s', '4 min 05 s', '2 h 10 min'."""
    if seconds is None:
        return "none yet"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@router.get("/expert/performance", response_class=HTMLResponse)
def performance(request: Request, session: SessionDep, user: WebExpert) -> Response:
    expert = experts_service.current_expert(session, user)
    performance = quality_service.expert_performance(session, user, expert.id)
    context = {
        "user": user,
        "performance": performance,
        "ratings": expert_views.rating_lines(session, user, performance.ratings),
        "duration": duration,
        "uncontrollable": sorted(UNCONTROLLABLE_REASONS),
    }
    return render(request, "expert/performance.html", context)
