"""The expert's sign-up (name, email, password) and profile (picked from lists, never typed)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands.enums import Channel
from gigcx.brands.models import Brand, Program
from gigcx.brands.queries import readable_programs
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.errors import AvailabilityInvalid
from gigcx.experts.models import Enrollment, Expert, ExpertAvailability
from gigcx.experts.queries import readable_enrollments
from gigcx.experts.schemas import AvailabilityBlock, ExpertCreate, ExpertUpdate
from gigcx.kit.languages import language_name
from gigcx.web.deps import CsrfChecked, WebExpert, WebUser, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes import expert_community

router = APIRouter(include_in_schema=False)

LANGUAGE_LEVELS = [
    ("", "none"),
    ("1", "1 · basic"),
    ("2", "2 · elementary"),
    ("3", "3 · good"),
    ("4", "4 · fluent"),
    ("5", "5 · native"),
]
SKILL_LEVELS = [
    ("1", "1 · beginner"),
    ("2", "2 · some experience"),
    ("3", "3 · experienced"),
    ("4", "4 · advanced"),
    ("5", "5 · expert"),
]
LEVELS = frozenset(value for value, _ in SKILL_LEVELS)
CHANNEL_LABELS = {
    Channel.CHAT: "Chat tickets at once",
    Channel.EMAIL: "Email tickets at once",
    Channel.API: "Helpdesk (API) tickets at once",
}
# Offered to everyone, besides the languages open programs serve.
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
SIGN_UP_FIELDS = ("display_name", "email", "password")
PROFILE_FIELDS = ("display_name", "country", "timezone", "payout_details")
REQUIRED_PROFILE_FIELDS = {
    "display_name": "Enter the name customers see.",
    "country": "Enter your country as a two-letter code, for example PT.",
    "timezone": "Enter your time zone, for example Europe/Lisbon.",
}
SIGN_UP_MESSAGES = {
    "display_name": "Enter the name customers will see, up to 120 characters.",
    "email": "Enter your email address, such as maria@example.com.",
    "password": "Choose a password of 8 to 200 characters.",
}
NOT_A_CAPACITY = "Enter a whole number from 0 to 20."
NO_LANGUAGE = "Pick at least one language you answer customers in, with how well you write it."
NOT_A_LEVEL = "Choose a level from the list."
NOT_AN_HOUR = "Pick the hours from the lists."
AVAILABILITY_ROWS = 2


async def posted_form(request: Request) -> dict[str, str]:
    """The posted form's text fields (the form is parsed once and cached by Starlette)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


PostedForm = Annotated[dict[str, str], Depends(posted_form)]


# --- sign-up ---------------------------------------------------------------------------------


@router.get("/expert/signup", response_class=HTMLResponse)
def signup_form(request: Request, user: WebUser) -> Response:
    if user is not None and user.is_expert:
        return redirect("/expert")
    values = dict.fromkeys(SIGN_UP_FIELDS, "")
    return render(request, "expert/signup.html", {"user": user, "values": values, "errors": {}})


@router.post("/expert/signup", dependencies=[CsrfChecked])
def signup(request: Request, session: SessionDep, posted: PostedForm) -> Response:
    values = {name: posted.get(name, "").strip() for name in SIGN_UP_FIELDS}
    values["password"] = posted.get("password", "")
    errors: dict[str, str] = {}
    try:
        body = ExpertCreate.model_validate(values)
    except ValidationError as error:
        errors = {
            name: SIGN_UP_MESSAGES.get(name, text) for name, text in field_errors(error).items()
        }
    else:
        # The same answer whether or not the email has an account: it tells nobody who is
        # registered. The new expert signs in next and finds the getting-started checklist.
        experts_service.sign_up(session, body)
        return redirect("/login?signed_up=1")
    values["password"] = ""
    context = {"user": None, "values": values, "errors": errors}
    return render(request, "expert/signup.html", context, status_code=400)


# --- profile ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillRow:
    """One category an expert may pick as a skill, under the first program that asks for it."""

    key: str
    name: str
    required_level: int | None  # None: no open program asks for this skill now
    is_listed_above: bool = False


@dataclass(frozen=True)
class SkillGroup:
    title: str
    rows: list[SkillRow]


@dataclass
class ProfileForm:
    """What the profile form shows and posts: languages and skills by name, picked from lists.

    Fields: ``language-<code>`` (a level, empty for none), ``skill-<key>`` (a checkbox) with
    ``level-<key>`` (its level), ``capacity-<channel>`` and the plain fields.
    """

    values: dict[str, str]
    languages: dict[str, str]
    skills: dict[str, str]
    levels: dict[str, str]
    capacity: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_expert(cls, expert: Expert) -> "ProfileForm":
        values = {
            "display_name": expert.display_name,
            "country": expert.country,
            "timezone": expert.timezone,
            "payout_details": expert.payout_details,
        }
        languages = {x.language: str(x.proficiency) for x in expert.languages}
        skills = {x.skill: str(x.level) for x in expert.skills}
        capacity = {x.channel: str(x.max_concurrent) for x in expert.capacities}
        return cls(values, languages, skills, dict(skills), capacity)

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> "ProfileForm":
        values = {name: form.get(name, "").strip() for name in PROFILE_FIELDS}
        languages = {
            name.removeprefix("language-"): level.strip()
            for name, level in form.items()
            if name.startswith("language-") and level.strip()
        }
        levels = {
            name.removeprefix("level-"): level.strip()
            for name, level in form.items()
            if name.startswith("level-")
        }
        skills = {
            key: levels.get(key, "")
            for key in (name.removeprefix("skill-") for name in form if name.startswith("skill-"))
        }
        capacity = {c.value: form.get(f"capacity-{c.value}", "").strip() for c in Channel}
        return cls(values, languages, skills, levels, capacity)

    def update(self) -> ExpertUpdate | None:
        """The profile change, or None with ``errors`` filled in, each next to its field."""
        aliases: dict[str, str] = {}
        for name, message in REQUIRED_PROFILE_FIELDS.items():
            if not self.values[name]:
                self.errors[name] = message
        data: dict[str, Any] = {
            name: self.values[name] for name in PROFILE_FIELDS if self.values[name]
        }
        data["payout_details"] = self.values["payout_details"]
        data["languages"] = {}
        for code, level in self.languages.items():
            if level not in LEVELS:
                self.errors[f"language-{code}"] = NOT_A_LEVEL
            data["languages"][code] = level
            aliases[f"languages.{code}"] = aliases[f"languages.{code}.[key]"] = f"language-{code}"
        if not self.languages:
            self.errors["languages"] = NO_LANGUAGE
            del data["languages"]
        data["skills"] = {}
        for key, level in self.skills.items():
            if level not in LEVELS:
                self.errors[f"level-{key}"] = NOT_A_LEVEL
            data["skills"][key] = level
            aliases[f"skills.{key}"] = f"level-{key}"
            aliases[f"skills.{key}.[key]"] = f"skill-{key}"
        data["capacity"] = {}
        for channel, count in self.capacity.items():
            if count:
                data["capacity"][channel] = count
                aliases[f"capacity.{channel}"] = f"capacity-{channel}"
        try:
            body = ExpertUpdate.model_validate(data)
        except ValidationError as error:
            found = field_errors(error, aliases=aliases)
            for channel in self.capacity:
                if f"capacity-{channel}" in found:
                    found[f"capacity-{channel}"] = NOT_A_CAPACITY
            self.errors = {**found, **self.errors}
            return None
        return None if self.errors else body


@dataclass
class AvailabilityForm:
    """Up to ``AVAILABILITY_ROWS`` blocks of hours per weekday: ``from-<day>-<n>`` and
    ``to-<day>-<n>`` (whole hours in the expert's own time zone; both empty for none)."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_blocks(cls, blocks: Sequence[ExpertAvailability]) -> "AvailabilityForm":
        values: dict[str, str] = {}
        rows: dict[int, int] = {}
        for block in blocks:
            n = rows.get(block.weekday, 0)
            if n >= AVAILABILITY_ROWS:
                continue
            rows[block.weekday] = n + 1
            values[f"from-{block.weekday}-{n}"] = str(block.start_hour)
            values[f"to-{block.weekday}-{n}"] = str(block.end_hour)
        return cls(values)

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> "AvailabilityForm":
        names = [
            f"{edge}-{day}-{n}"
            for day in range(7)
            for n in range(AVAILABILITY_ROWS)
            for edge in ("from", "to")
        ]
        return cls({name: form.get(name, "").strip() for name in names})

    def blocks(self) -> list[AvailabilityBlock] | None:
        """The stated blocks, or None with ``errors`` filled in by weekday and row."""
        found = []
        for day in range(7):
            for n in range(AVAILABILITY_ROWS):
                start, end = self.values[f"from-{day}-{n}"], self.values[f"to-{day}-{n}"]
                if not start and not end:
                    continue
                key = f"{day}-{n}"
                if not start or not end:
                    self.errors[key] = "Give both the start and the end, or neither."
                    continue
                if not (start.isdigit() and end.isdigit()):
                    self.errors[key] = NOT_AN_HOUR
                    continue
                low, high = int(start), int(end)
                if not (0 <= low <= 23 and 1 <= high <= 24):
                    self.errors[key] = NOT_AN_HOUR
                elif high <= low:
                    self.errors[key] = "The end must come after the start."
                else:
                    found.append(AvailabilityBlock(weekday=day, start_hour=low, end_hour=high))
        return None if self.errors else found


def _chosen_program_ids(session: Session, principal: Principal) -> set[Any]:
    statement = readable_enrollments(principal).where(Enrollment.status != EnrollmentStatus.REMOVED)
    return {enrollment.program_id for enrollment in session.scalars(statement)}


def _open_programs(session: Session, principal: Principal) -> list[tuple[Program, str]]:
    """Open programs, those the expert chose first, then by brand and name."""
    rows = session.execute(
        readable_programs(principal)
        .join(Brand, Brand.id == Program.brand_id)
        .add_columns(Brand.name)
        .order_by(Brand.name, Program.name, Program.id)
    ).all()
    chosen = _chosen_program_ids(session, principal)
    return sorted(((program, name) for program, name in rows), key=lambda r: r[0].id not in chosen)


def skill_groups(programs: list[tuple[Program, str]], form: ProfileForm) -> list[SkillGroup]:
    """The categories of open programs by program, each category once; then any other skills."""
    groups = []
    shown: set[str] = set()
    for program, brand_name in programs:
        rows = []
        for category in program.categories:
            if not category.is_gig_eligible:
                continue
            rows.append(
                SkillRow(
                    key=category.key,
                    name=category.name,
                    required_level=category.required_skill_level,
                    is_listed_above=category.key in shown,
                )
            )
            shown.add(category.key)
        if rows:
            groups.append(SkillGroup(f"{program.name} · {brand_name}", rows))
    others = [SkillRow(key, key, None) for key in sorted(form.skills) if key not in shown]
    if others:
        groups.append(SkillGroup("Other skills (no open program asks for them now)", others))
    return groups


def language_choices(
    programs: list[tuple[Program, str]], form: ProfileForm
) -> list[tuple[str, str]]:
    """Languages to pick from, by name: those open programs serve, common ones, your own."""
    codes = {code for program, _ in programs for code in program.languages}
    codes |= set(COMMON_LANGUAGES) | set(form.languages)
    return sorted(((code, language_name(code)) for code in codes), key=lambda x: (x[1], x[0]))


def _profile_context(
    session: Session,
    user: Principal,
    expert: Expert,
    form: ProfileForm,
    availability: AvailabilityForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    programs = _open_programs(session, user)
    if availability is None:
        availability = AvailabilityForm.of_blocks(
            experts_service.availability_of(session, expert.id)
        )
    return {
        "availability": availability,
        "weekdays": experts_service.WEEKDAY_NAMES,
        "start_hours": [(str(h), f"{h:02d}:00") for h in range(24)],
        "end_hours": [(str(h), f"{h:02d}:00") for h in range(1, 25)],
        "user": user,
        "expert": expert,
        "form": form,
        "errors": form.errors,
        "language_levels": LANGUAGE_LEVELS,
        "skill_levels": SKILL_LEVELS,
        "languages": language_choices(programs, form),
        "skill_groups": skill_groups(programs, form),
        "channels": [(c.value, CHANNEL_LABELS[c]) for c in Channel],
        "common_timezones": COMMON_TIMEZONES,
        **expert_community.alert_context(session, user),
        **extra,
    }


@router.get("/expert/profile", response_class=HTMLResponse)
def profile_form(
    request: Request, session: SessionDep, user: WebExpert, saved: int = 0
) -> Response:
    expert = experts_service.current_expert(session, user)
    notice = {1: "Your profile is saved.", 2: "Your hours are saved."}.get(saved)
    context = _profile_context(session, user, expert, ProfileForm.of_expert(expert), notice=notice)
    return render(request, "expert/profile.html", context)


@router.post("/expert/profile", dependencies=[CsrfChecked])
def update_profile(
    request: Request, session: SessionDep, user: WebExpert, posted: PostedForm
) -> Response:
    form = ProfileForm.posted(posted)
    body = form.update()
    if body is not None:
        experts_service.update_profile(session, user, body)
        return redirect("/expert/profile?saved=1")
    expert = experts_service.current_expert(session, user)
    context = _profile_context(session, user, expert, form)
    return render(request, "expert/profile.html", context, status_code=400)


@router.post("/expert/profile/availability", dependencies=[CsrfChecked])
def update_availability(
    request: Request, session: SessionDep, user: WebExpert, posted: PostedForm
) -> Response:
    form = AvailabilityForm.posted(posted)
    blocks = form.blocks()
    if blocks is not None:
        try:
            experts_service.set_availability(session, user, blocks)
        except AvailabilityInvalid as error:
            form.errors["form"] = error.detail[:1].upper() + error.detail[1:] + "."
        else:
            return redirect("/expert/profile?saved=2#availability-h")
    expert = experts_service.current_expert(session, user)
    context = _profile_context(session, user, expert, ProfileForm.of_expert(expert), form)
    return render(request, "expert/profile.html", context, status_code=400)
