"""The expert's account: sign-up, profile, the program marketplace, earnings and performance."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.api.deps import MAX_OFFSET, SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Channel, Complexity
from gigcx.brands.models import Brand, Program, ProgramCategory
from gigcx.brands.queries import readable_programs
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.experts.queries import readable_enrollments
from gigcx.experts.schemas import ExpertCreate, ExpertUpdate
from gigcx.kit import clock
from gigcx.kit.money import Money
from gigcx.payments import service as payments_service
from gigcx.payments.models import Earning
from gigcx.quality import service as quality_service
from gigcx.quality.enums import UNCONTROLLABLE_REASONS
from gigcx.tickets.models import Ticket
from gigcx.views import expert as expert_views
from gigcx.web.deps import CsrfChecked, WebExpert, WebUser, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes import expert_pay

router = APIRouter(include_in_schema=False)

MIN_ROWS = 3
MAX_ROWS = 30
LEDGER_PAGE_SIZE = 50
SUMMARY_DAYS = 14
VOLUME_DAYS = 7
LANGUAGE_LEVELS = [
    ("", "none"),
    ("1", "1 · basic"),
    ("2", "2 · elementary"),
    ("3", "3 · good"),
    ("4", "4 · fluent"),
    ("5", "5 · native"),
]
SKILL_LEVELS = [
    ("", "none"),
    ("1", "1 · beginner"),
    ("2", "2 · some experience"),
    ("3", "3 · experienced"),
    ("4", "4 · advanced"),
    ("5", "5 · expert"),
]
CHANNEL_LABELS = {
    Channel.CHAT: "Chat tickets at once",
    Channel.EMAIL: "Email tickets at once",
    Channel.API: "Helpdesk (API) tickets at once",
}
COMMON_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "pt-br", "nl", "pl", "sv", "tr", "ja")
COMMON_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Istanbul",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Manila",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
UNAPPROVED = frozenset({EnrollmentStatus.APPLIED, EnrollmentStatus.REMOVED})
SIMPLE_FIELDS = ("email", "password", "display_name", "country", "timezone", "payout_details")


async def posted_form(request: Request) -> dict[str, str]:
    """The posted form's text fields (the form is parsed once and cached by Starlette)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


PostedForm = Annotated[dict[str, str], Depends(posted_form)]


def _padded(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Keep every filled row and offer at least one empty one (three in all, at least)."""
    filled = [row for row in rows if row[0] or row[1]]
    return filled + [("", "")] * max(MIN_ROWS - len(filled), 1)


def _posted_rows(form: Mapping[str, str], group: str, key: str) -> list[tuple[str, str]]:
    """The rows as posted, in order (errors name rows by position), padded to three."""
    rows = []
    for index in range(MAX_ROWS):
        if f"{group}-{index}-{key}" not in form:
            break
        code = form.get(f"{group}-{index}-{key}", "").strip()
        rows.append((code, form.get(f"{group}-{index}-level", "").strip()))
    return rows + [("", "")] * max(MIN_ROWS - len(rows), 0)


@dataclass
class ProfileForm:
    """What the sign-up and profile forms show and post, as the expert typed it."""

    values: dict[str, str]
    languages: list[tuple[str, str]]
    skills: list[tuple[str, str]]
    capacity: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> "ProfileForm":
        values = {name: "" for name in SIMPLE_FIELDS}
        capacity = {Channel.CHAT.value: "2", Channel.EMAIL.value: "0", Channel.API.value: ""}
        return cls(values, _padded([]), _padded([]), capacity)

    @classmethod
    def of_expert(cls, expert: Expert) -> "ProfileForm":
        values = {
            "display_name": expert.display_name,
            "country": expert.country,
            "timezone": expert.timezone,
            "payout_details": expert.payout_details,
        }
        languages = [(x.language, str(x.proficiency)) for x in expert.languages]
        skills = [(x.skill, str(x.level)) for x in expert.skills]
        capacity = {x.channel: str(x.max_concurrent) for x in expert.capacities}
        return cls(values, _padded(languages), _padded(skills), capacity)

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> "ProfileForm":
        values = {name: form.get(name, "").strip() for name in SIMPLE_FIELDS}
        values["password"] = form.get("password", "")
        languages = _posted_rows(form, "languages", "code")
        skills = [(key.lower(), level) for key, level in _posted_rows(form, "skills", "key")]
        capacity = {c.value: form.get(f"capacity-{c.value}", "").strip() for c in Channel}
        return cls(values, languages, skills, capacity)

    def payload(self, fields: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, str]]:
        """The schema's input and how its error locations map to form fields.

        Half-filled or repeated rows become errors here; the schema judges everything else.
        """
        data: dict[str, Any] = {name: self.values[name] for name in fields}
        aliases: dict[str, str] = {}
        data["languages"] = self._rows("languages", "code", self.languages, aliases)
        data["skills"] = self._rows("skills", "key", self.skills, aliases)
        data["capacity"] = {}
        for channel, count in self.capacity.items():
            if count:
                data["capacity"][channel] = count
                aliases[f"capacity.{channel}"] = f"capacity-{channel}"
        return data, aliases

    def _rows(
        self, group: str, key: str, rows: list[tuple[str, str]], aliases: dict[str, str]
    ) -> dict[str, str]:
        chosen: dict[str, str] = {}
        seen: set[str] = set()
        for index, (code, level) in enumerate(rows):
            code_field, level_field = f"{group}-{index}-{key}", f"{group}-{index}-level"
            if not code and not level:
                continue
            if not code:
                self.errors[code_field] = "fill this in, or set the level back to none"
            elif not level:
                self.errors[level_field] = "choose a level"
            elif code.lower().replace("_", "-") in seen:
                self.errors[code_field] = "this one is listed twice; keep one row"
            else:
                seen.add(code.lower().replace("_", "-"))
                chosen[code] = level
                aliases[f"{group}.{code}"] = level_field
                aliases[f"{group}.{code}.[key]"] = code_field
        return chosen


def _form_context(form: ProfileForm, user: Principal | None, **extra: Any) -> dict[str, Any]:
    return {
        "user": user,
        "form": form,
        "errors": form.errors,
        "language_levels": LANGUAGE_LEVELS,
        "skill_levels": SKILL_LEVELS,
        "channels": [(c.value, CHANNEL_LABELS[c]) for c in Channel],
        "common_languages": COMMON_LANGUAGES,
        "common_timezones": COMMON_TIMEZONES,
        **extra,
    }


def _skill_keys(session: Session) -> list[str]:
    """Category keys of open programs: the skills the marketplace asks for."""
    statement = (
        select(ProgramCategory.key)
        .join(Program, Program.id == ProgramCategory.program_id)
        .where(Program.is_open.is_(True), ProgramCategory.is_gig_eligible.is_(True))
        .distinct()
        .order_by(ProgramCategory.key)
    )
    return list(session.scalars(statement))


@router.get("/expert/signup", response_class=HTMLResponse)
def signup_form(request: Request, session: SessionDep, user: WebUser) -> Response:
    if user is not None and user.is_expert:
        return redirect("/expert")
    context = _form_context(ProfileForm.blank(), user, skill_keys=_skill_keys(session))
    return render(request, "expert/signup.html", context)


@router.post("/expert/signup", dependencies=[CsrfChecked])
def signup(request: Request, session: SessionDep, posted: PostedForm) -> Response:
    form = ProfileForm.posted(posted)
    data, aliases = form.payload(("email", "password", "display_name", "country", "timezone"))
    body: ExpertCreate | None = None
    try:
        body = ExpertCreate.model_validate(data)
    except ValidationError as error:
        form.errors = {**field_errors(error, aliases=aliases), **form.errors}
    if body is not None and not form.errors:
        # The same answer whether or not the email has an account: it tells nobody who is
        # registered. The new expert signs in next.
        experts_service.sign_up(session, body)
        return redirect("/login?signed_up=1")
    form.values["password"] = ""
    context = _form_context(form, None, skill_keys=_skill_keys(session))
    return render(request, "expert/signup.html", context, status_code=400)


@router.get("/expert/profile", response_class=HTMLResponse)
def profile_form(
    request: Request, session: SessionDep, user: WebExpert, saved: int = 0
) -> Response:
    expert = experts_service.current_expert(session, user)
    context = _form_context(
        ProfileForm.of_expert(expert),
        user,
        expert=expert,
        skill_keys=_skill_keys(session),
        notice="Your profile is saved." if saved else None,
    )
    return render(request, "expert/profile.html", context)


@router.post("/expert/profile", dependencies=[CsrfChecked])
def update_profile(
    request: Request, session: SessionDep, user: WebExpert, posted: PostedForm
) -> Response:
    form = ProfileForm.posted(posted)
    data, aliases = form.payload(("display_name", "country", "timezone", "payout_details"))
    body: ExpertUpdate | None = None
    try:
        body = ExpertUpdate.model_validate(data)
    except ValidationError as error:
        form.errors = {**field_errors(error, aliases=aliases), **form.errors}
    if body is not None and not form.errors:
        experts_service.update_profile(session, user, body)
        return redirect("/expert/profile?saved=1")
    expert = experts_service.current_expert(session, user)
    context = _form_context(form, user, expert=expert, skill_keys=_skill_keys(session))
    return render(request, "expert/profile.html", context, status_code=400)


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


def _requirements(program: Program, expert: Expert) -> list[Requirement]:
    """What routing checks before offering this program's tickets, and whether you pass."""
    languages = {x.language for x in expert.languages}
    skills = {x.skill: x.level for x in expert.skills}
    channels = {x.channel for x in expert.capacities if x.max_concurrent > 0}
    spoken = ", ".join(code.upper() for code in program.languages)
    worked = " or ".join(program.channels)
    requirements = [
        Requirement(f"Speak at least one of: {spoken}", bool(languages & set(program.languages))),
        Requirement(f"Take tickets on {worked}", bool(channels & set(program.channels))),
    ]
    for category in program.categories:
        if category.is_gig_eligible:
            requirements.append(
                Requirement(
                    f"{category.name}: skill “{category.key}” at level "
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
            )
        )
    return cards


@router.get("/expert/programs", response_class=HTMLResponse)
def programs(request: Request, session: SessionDep, user: WebExpert) -> Response:
    expert = experts_service.current_expert(session, user)
    context = {
        "user": user,
        "cards": program_cards(session, user, expert),
        "complexities": list(Complexity),
        "volume_days": VOLUME_DAYS,
    }
    return render(request, "expert/programs.html", context)


@router.post("/expert/programs/{program_id}/apply", dependencies=[CsrfChecked])
def apply(session: SessionDep, user: WebExpert, program_id: uuid.UUID) -> Response:
    experts_service.apply(session, user, program_id)
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
