"""Expert profiles, presence and enrollments."""

import itertools
import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.errors import EmailTaken
from gigcx.auth.models import User
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.db import notify
from gigcx.db.dialect import locked
from gigcx.errors import PermissionDenied
from gigcx.experts.enums import (
    ENROLLMENT_TRANSITIONS,
    RESTRICTED_STATUSES,
    EnrollmentStatus,
    PausedBy,
    Presence,
)
from gigcx.experts.errors import (
    AlreadyEnrolled,
    ApplicationIncomplete,
    AvailabilityInvalid,
    DecisionNeedsAPerson,
    DecisionNeedsAReason,
    EnrollmentNotFound,
    EnrollmentTransitionNotAllowed,
    ExpertNotFound,
    ProgramClosed,
)
from gigcx.experts.models import (
    Enrollment,
    EnrollmentDecision,
    Expert,
    ExpertAvailability,
    ExpertCapacity,
    ExpertLanguage,
    ExpertSkill,
    PresenceSpan,
    queue_topics,
)
from gigcx.experts.queries import readable_enrollments, readable_experts
from gigcx.experts.schemas import AvailabilityBlock, ExpertCreate, ExpertProfile, ExpertRead
from gigcx.jobs import service as jobs_service
from gigcx.kit import clock
from gigcx.kit.languages import language_list


def register_expert(session: Session, data: ExpertCreate) -> tuple[Expert, User]:
    """Sign up an expert with a password to sign in with."""
    expert = Expert(
        display_name=data.display_name,
        email=auth_service.normalize_email(data.email),
        country=data.country or "",  # not given yet: the profile asks for it
        timezone=data.timezone or "UTC",
    )
    _apply_profile(expert, data)
    session.add(expert)
    session.flush()
    user = auth_service.create_user(
        session,
        email=data.email,
        password=data.password,
        role=Role.EXPERT,
        display_name=data.display_name,
        expert_id=expert.id,
    )
    return expert, user


SIGN_UP_RECEIVED = (
    "Thank you. If this email is new, your expert account is ready: sign in with the email and "
    "password you chose. If the email already has an account, nothing was changed: sign in with "
    "that account's password."
)


def sign_up(session: Session, data: ExpertCreate) -> Expert | None:
    """Sign up an expert without revealing whether the email has an account already.

    A new email gets its account. A known one gets nothing new: the password is hashed all the
    same (both answers take as long) and the existing account gets an audit event, so its owner
    can be told. Callers answer both cases alike (``SIGN_UP_RECEIVED``).
    """
    email = auth_service.normalize_email(data.email)
    known_user = session.scalar(select(User).where(User.email == email))
    known_expert = session.scalar(select(Expert.id).where(Expert.email == email))
    if known_user is None and known_expert is None:
        try:
            with session.begin_nested():
                expert, _user = register_expert(session, data)
        except (EmailTaken, IntegrityError):
            return None  # someone signed up with this email at the same moment
        return expert
    auth_service.hash_password(data.password)
    if known_user is not None:
        audit_service.record(
            session,
            actor=SYSTEM,
            action="auth.sign_up_with_existing_email",
            subject_type="user",
            subject_id=known_user.id,
            brand_id=known_user.brand_id,
        )
    return None


def _apply_profile(expert: Expert, data: ExpertProfile) -> None:
    for field in ("display_name", "country", "timezone", "payout_details"):
        value = getattr(data, field)
        if value is not None:
            setattr(expert, field, value)
    if data.languages is not None:
        expert.languages = [
            ExpertLanguage(language=code, proficiency=level)
            for code, level in data.languages.items()
        ]
    if data.skills is not None:
        expert.skills = [ExpertSkill(skill=key, level=level) for key, level in data.skills.items()]
    if data.capacity is not None:
        expert.capacities = [
            ExpertCapacity(channel=channel.value, max_concurrent=count)
            for channel, count in data.capacity.items()
        ]


def get_expert(session: Session, principal: Principal, expert_id: uuid.UUID) -> Expert:
    expert = session.scalar(readable_experts(principal).where(Expert.id == expert_id))
    if expert is None:
        raise ExpertNotFound()
    return expert


def current_expert(session: Session, principal: Principal) -> Expert:
    if principal.expert_id is None:
        raise PermissionDenied("this action is for experts; sign in with an expert account")
    return get_expert(session, principal, principal.expert_id)


def update_profile(session: Session, principal: Principal, data: ExpertProfile) -> Expert:
    """Change the signed-in expert's profile; more capacity or skills may pull waiting work."""
    expert = current_expert(session, principal)
    _apply_profile(expert, data)
    if data.languages is not None or data.skills is not None or data.capacity is not None:
        request_dispatch(session, expert.id)
    session.flush()
    return expert


def request_dispatch(session: Session, expert_id: uuid.UUID) -> None:
    """Have routing offer waiting work in every program the expert serves, once this commits.

    Called wherever an expert may have gained room or eligibility: an assignment or a pending
    offer ended, presence, capacity, languages or skills changed.
    """
    jobs_service.enqueue(session, "routing.dispatch", {"expert_id": str(expert_id)})


def to_read(expert: Expert) -> ExpertRead:
    return ExpertRead(
        id=expert.id,
        display_name=expert.display_name,
        country=expert.country,
        timezone=expert.timezone,
        presence=expert.presence,
        languages={x.language: x.proficiency for x in expert.languages},
        skills={x.skill: x.level for x in expert.skills},
        capacity={x.channel: x.max_concurrent for x in expert.capacities},
        created_at=expert.created_at,
    )


def lock_expert(session: Session, expert_id: uuid.UUID) -> Expert:
    """Load an expert row locked until commit, so capacity checks on it serialise."""
    expert = session.scalar(
        locked(session, select(Expert).where(Expert.id == expert_id)).execution_options(
            populate_existing=True
        )
    )
    if expert is None:
        raise ExpertNotFound()
    return expert


def set_presence(session: Session, principal: Principal, presence: Presence) -> Expert:
    """Go available, away or offline; going available pulls waiting work."""
    expert = current_expert(session, principal)
    # Setting one's presence is answering: a streak of lapsed offers starts again.
    expert.offers_lapsed_in_a_row = 0
    if expert.presence == presence:
        session.flush()
        return expert
    expert.presence = presence
    expert.presence_changed_at = clock.now()
    record_presence_span(session, expert.id, presence, at=expert.presence_changed_at)
    if presence == Presence.AVAILABLE:
        request_dispatch(session, expert.id)
    session.flush()
    return expert


def record_presence_span(
    session: Session, expert_id: uuid.UUID, presence: Presence, *, at: datetime
) -> None:
    """Open a presence span when the expert goes available, close the open one otherwise.

    The one place presence history is written; every change of ``Expert.presence`` calls it.
    """
    if presence != Presence.AVAILABLE:
        session.execute(
            update(PresenceSpan)
            .where(PresenceSpan.expert_id == expert_id, PresenceSpan.ended_at.is_(None))
            .values(ended_at=at)
        )
        return
    is_open = session.scalar(
        select(PresenceSpan.id)
        .where(PresenceSpan.expert_id == expert_id, PresenceSpan.ended_at.is_(None))
        .limit(1)
    )
    if is_open is None:
        session.add(PresenceSpan(expert_id=expert_id, started_at=at))


def record_lapse(session: Session, expert_id: uuid.UUID, *, limit: int) -> bool:
    """Count an offer the expert let lapse; at ``limit`` in a row, set them away (and say so).

    Return whether the expert was set away now. A ``limit`` of 0 never sets anyone away. Plain
    UPDATEs, no row lock first: offers being written for the expert at the same time (their
    foreign key check) need not wait for this.
    """
    lapsed = session.execute(
        update(Expert)
        .where(Expert.id == expert_id)
        .values(offers_lapsed_in_a_row=Expert.offers_lapsed_in_a_row + 1)
        .returning(Expert.offers_lapsed_in_a_row)
    ).scalar_one()
    if limit <= 0 or lapsed < limit:
        return False
    at = clock.now()
    set_away = session.execute(
        update(Expert)
        .where(Expert.id == expert_id, Expert.presence == Presence.AVAILABLE)
        .values(presence=Presence.AWAY, presence_changed_at=at)
        .returning(Expert.id)
    ).first()
    if set_away is None:
        return False
    record_presence_span(session, expert_id, Presence.AWAY, at=at)
    notify.touch(session, *queue_topics(session.connection(), expert_id))
    audit_service.record(
        session,
        actor=SYSTEM,
        action="expert.set_away",
        subject_type="expert",
        subject_id=expert_id,
        brand_id=None,
        data={"reason": "offers lapsed", "offers_lapsed_in_a_row": lapsed},
    )
    session.flush()
    return True


def reset_lapses(session: Session, expert_id: uuid.UUID) -> None:
    """The expert answered an offer: their streak of lapsed offers ends."""
    session.execute(
        update(Expert)
        .where(Expert.id == expert_id, Expert.offers_lapsed_in_a_row != 0)
        .values(offers_lapsed_in_a_row=0)
    )


def away_notice(expert: Expert, *, limit: int) -> str | None:
    """Why the expert is away, when we set them away after lapsed offers; None otherwise."""
    if limit <= 0 or expert.presence != Presence.AWAY or expert.offers_lapsed_in_a_row < limit:
        return None
    return (
        f"We set you away after you let {expert.offers_lapsed_in_a_row} offers in a row lapse, "
        "so tickets stop waiting for an answer. Set yourself available when you can take "
        "offers again."
    )


def active_program_ids(session: Session, expert_id: uuid.UUID) -> list[uuid.UUID]:
    statement = select(Enrollment.program_id).where(
        Enrollment.expert_id == expert_id, Enrollment.status == EnrollmentStatus.ACTIVE
    )
    return list(session.scalars(statement))


CHANNEL_WORDS = {"chat": "chat", "email": "email", "api": "helpdesk (API)"}


def application_gaps(expert: Expert, program: Program) -> list[str]:
    """What the expert's profile lacks before they may apply to ``program``, one sentence each.

    Applying asks what routing cannot do without: a country, a language the program serves,
    room for tickets on one of its channels and a skill in one of its categories (the level
    each category asks for is shown with the program; the brand judges it on approval).
    """
    gaps = []
    if not expert.country:
        gaps.append("Add your country to your profile")
    spoken = {x.language for x in expert.languages}
    if program.languages and not spoken & set(program.languages):
        gaps.append(f"Add {language_list(program.languages)} to your languages")
    worked = {x.channel for x in expert.capacities if x.max_concurrent > 0}
    if program.channels and not worked & set(program.channels):
        channels = " or ".join(CHANNEL_WORDS.get(c, c) for c in program.channels)
        gaps.append(f"Take {channels} tickets: set how many you work at once in your profile")
    categories = [c for c in program.categories if c.is_gig_eligible]
    skills = {x.skill for x in expert.skills}
    if categories and not skills & {c.key for c in categories}:
        names = ", ".join(c.name for c in categories)
        gaps.append(f"Pick at least one skill in this program's categories ({names})")
    return gaps


def apply(session: Session, principal: Principal, program_id: uuid.UUID) -> Enrollment:
    """Apply to a program whose requirements the profile meets; the brand approves."""
    expert = current_expert(session, principal)
    program = brands_service.get_program(session, principal, program_id)
    if not program.is_open:
        raise ProgramClosed()
    existing = session.scalar(
        select(Enrollment).where(
            Enrollment.expert_id == expert.id, Enrollment.program_id == program.id
        )
    )
    if existing is not None:
        raise AlreadyEnrolled(existing.status)
    gaps = application_gaps(expert, program)
    if gaps:
        raise ApplicationIncomplete(program.name, gaps)
    enrollment = Enrollment(expert_id=expert.id, program_id=program.id)
    session.add(enrollment)
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="enrollment.applied",
        subject_type="enrollment",
        subject_id=enrollment.id,
        brand_id=program.brand_id,
    )
    return enrollment


def get_enrollment(session: Session, principal: Principal, enrollment_id: uuid.UUID) -> Enrollment:
    enrollment = session.scalar(
        readable_enrollments(principal).where(Enrollment.id == enrollment_id)
    )
    if enrollment is None:
        raise EnrollmentNotFound()
    return enrollment


def change_enrollment(
    session: Session,
    principal: Principal,
    enrollment_id: uuid.UUID,
    status: EnrollmentStatus,
    *,
    reason: str = "",
) -> Enrollment:
    """Move an enrollment along its life: brand staff approve and remove, experts pause.

    A pause or removal by the brand needs a named admin and a written reason (``reason``).
    """
    enrollment = get_enrollment(session, principal, enrollment_id)
    self_service = principal.is_expert and status in {
        EnrollmentStatus.PAUSED,
        EnrollmentStatus.ACTIVE,
        EnrollmentStatus.REMOVED,
    }
    if principal.is_expert and not self_service:
        raise PermissionDenied("experts can pause, resume or leave an enrollment, nothing else")
    if not principal.is_expert and not (principal.can_manage_brand or principal.is_platform_admin):
        raise PermissionDenied("only the brand's admins decide on enrollments")
    if (
        principal.is_expert
        and enrollment.status
        in {
            EnrollmentStatus.APPLIED,
            EnrollmentStatus.ONBOARDING,
        }
        and status == EnrollmentStatus.ACTIVE
    ):
        raise PermissionDenied("the brand approves applications; wait for its decision")
    if enrollment.status == EnrollmentStatus.PAUSED and status == EnrollmentStatus.ACTIVE:
        _check_may_resume(enrollment, principal)
    apply_status(session, enrollment, status, actor=principal, reason=reason)
    return enrollment


def _check_may_resume(enrollment: Enrollment, principal: Principal) -> None:
    """Only whoever paused an enrollment resumes it: the expert their own pause, the brand its."""
    paused_by = enrollment.paused_by  # None: paused before this was recorded; either resumes
    if principal.is_expert and paused_by == PausedBy.BRAND:
        raise PermissionDenied(
            "the brand paused this enrollment; only the brand can resume it (ask its team)"
        )
    if not principal.is_expert and paused_by == PausedBy.EXPERT:
        raise PermissionDenied(
            "the expert paused this enrollment themselves; only they can resume it"
        )


def apply_status(
    session: Session,
    enrollment: Enrollment,
    status: EnrollmentStatus,
    *,
    actor: Principal,
    reason: str | None = None,
    is_reinstatement: bool = False,
) -> None:
    """Move an enrollment whose change the caller has authorised along an allowed transition.

    The one place an enrollment's status changes. Restricting an expert (pause, removal) other
    than by their own choice takes a named person (a signed-in user, never SYSTEM, a job or an
    API key) and a written reason; the decision is kept and shown to the expert. With
    ``is_reinstatement`` a person may bring a removed enrollment back (a review overturned it).
    """
    allowed = ENROLLMENT_TRANSITIONS[enrollment.status]
    if is_reinstatement and enrollment.status == EnrollmentStatus.REMOVED:
        allowed = frozenset({EnrollmentStatus.ACTIVE})
        _named_person(session, actor, status)
    if status not in allowed:
        raise EnrollmentTransitionNotAllowed(enrollment.status, status, sorted(allowed))
    reason = (reason or "").strip()
    is_own_choice = actor.is_expert and actor.expert_id == enrollment.expert_id
    decided_by = None
    if status in RESTRICTED_STATUSES and not is_own_choice:
        decided_by = _named_person(session, actor, status)
        if not reason:
            raise DecisionNeedsAReason(status)
    before = enrollment.status
    enrollment.status = status
    enrollment.status_changed_at = clock.now()
    if status == EnrollmentStatus.PAUSED:
        enrollment.paused_by = PausedBy.EXPERT if actor.is_expert else PausedBy.BRAND
    else:
        enrollment.paused_by = None
    program = brands_service.get_program(session, SYSTEM, enrollment.program_id)
    data: dict[str, str] = {"from": before, "to": status}
    if reason:
        data["reason"] = reason
    audit_service.record(
        session,
        actor=actor,
        action="enrollment.status_changed",
        subject_type="enrollment",
        subject_id=enrollment.id,
        brand_id=program.brand_id,
        data=data,
    )
    if decided_by is not None:
        session.add(
            EnrollmentDecision(
                enrollment_id=enrollment.id,
                expert_id=enrollment.expert_id,
                program_id=enrollment.program_id,
                from_status=before,
                to_status=status,
                decided_by_user_id=decided_by.id,
                decided_by_name=decided_by.display_name or decided_by.email,
                reason=reason,
            )
        )
    if status == EnrollmentStatus.ACTIVE:
        jobs_service.enqueue(session, "routing.dispatch", {"program_id": str(program.id)})
    session.flush()


def _named_person(session: Session, actor: Principal, status: EnrollmentStatus) -> User:
    """The signed-in person deciding a restriction; refuse systems, jobs and API keys."""
    if actor.is_system or actor.user_id is None or actor.api_key_id is not None:
        raise DecisionNeedsAPerson(status)
    if not (actor.is_brand_staff or actor.is_platform_admin):
        raise DecisionNeedsAPerson(status)
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise DecisionNeedsAPerson(status)
    return user


def list_decisions(
    session: Session, principal: Principal, *, expert_id: uuid.UUID | None = None
) -> list[EnrollmentDecision]:
    """Decisions restricting enrollments the principal may read, newest first."""
    readable = readable_enrollments(principal).with_only_columns(Enrollment.id)
    statement = select(EnrollmentDecision).where(EnrollmentDecision.enrollment_id.in_(readable))
    if expert_id is not None:
        statement = statement.where(EnrollmentDecision.expert_id == expert_id)
    order = (EnrollmentDecision.created_at.desc(), EnrollmentDecision.id)
    return list(session.scalars(statement.order_by(*order).limit(200)))


def record_rating(
    session: Session, *, expert_id: uuid.UUID, program_id: uuid.UUID, score: int
) -> None:
    """Add a counted rating to the expert's rating totals in this program."""
    enrollment = session.scalar(
        locked(
            session,
            select(Enrollment).where(
                Enrollment.expert_id == expert_id, Enrollment.program_id == program_id
            ),
        )
    )
    if enrollment is None:
        return
    enrollment.rating_count += 1
    enrollment.rating_sum += score


def withdraw_rating(
    session: Session, *, expert_id: uuid.UUID, program_id: uuid.UUID, score: int
) -> None:
    """Take a counted rating back out of the totals (an appeal overturned it)."""
    enrollment = find_enrollment(session, expert_id=expert_id, program_id=program_id, lock=True)
    if enrollment is None or enrollment.rating_count == 0:
        return
    enrollment.rating_count -= 1
    enrollment.rating_sum -= score


def find_enrollment(
    session: Session, *, expert_id: uuid.UUID, program_id: uuid.UUID, lock: bool = False
) -> Enrollment | None:
    """The expert's enrollment in the program, if any (system use: no principal check)."""
    statement = select(Enrollment).where(
        Enrollment.expert_id == expert_id, Enrollment.program_id == program_id
    )
    if lock:
        statement = locked(session, statement)
    return session.scalar(statement)


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def check_availability(blocks: list[AvailabilityBlock]) -> None:
    """Refuse blocks that end before they start or overlap another block of the same day."""
    by_day: dict[int, list[AvailabilityBlock]] = {}
    for block in blocks:
        if block.end_hour <= block.start_hour:
            raise AvailabilityInvalid(
                f"{WEEKDAY_NAMES[block.weekday]}: the hours must end after they start "
                f"({block.start_hour:02d}:00 to {block.end_hour:02d}:00)"
            )
        by_day.setdefault(block.weekday, []).append(block)
    for weekday, day in by_day.items():
        day.sort(key=lambda b: b.start_hour)
        for before, after in itertools.pairwise(day):
            if after.start_hour < before.end_hour:
                raise AvailabilityInvalid(
                    f"{WEEKDAY_NAMES[weekday]}: {before.start_hour:02d}:00-"
                    f"{before.end_hour:02d}:00 and {after.start_hour:02d}:00-"
                    f"{after.end_hour:02d}:00 overlap"
                )


def availability_of(session: Session, expert_id: uuid.UUID) -> list[ExpertAvailability]:
    """The expert's stated weekly hours, by weekday and start."""
    return list(
        session.scalars(
            select(ExpertAvailability)
            .where(ExpertAvailability.expert_id == expert_id)
            .order_by(ExpertAvailability.weekday, ExpertAvailability.start_hour)
        )
    )


def set_availability(
    session: Session, principal: Principal, blocks: list[AvailabilityBlock]
) -> list[ExpertAvailability]:
    """Replace the signed-in expert's stated weekly hours (in their own time zone)."""
    expert = current_expert(session, principal)
    check_availability(blocks)
    session.execute(delete(ExpertAvailability).where(ExpertAvailability.expert_id == expert.id))
    for block in blocks:
        session.add(
            ExpertAvailability(
                expert_id=expert.id,
                weekday=block.weekday,
                start_hour=block.start_hour,
                end_hour=block.end_hour,
            )
        )
    session.flush()
    return availability_of(session, expert.id)
