"""Announcements: brand staff write to a program's experts; experts read and mark them read."""

import uuid
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Brand, Program
from gigcx.channels.community.errors import AnnouncementNotFound
from gigcx.channels.community.models import Announcement, AnnouncementRead
from gigcx.channels.community.queries import readable_announcements
from gigcx.channels.community.schemas import (
    AnnouncementCreate,
    AnnouncementUpdate,
    ExpertAnnouncementRead,
)
from gigcx.channels.community.service._mail import link
from gigcx.channels.email.enums import AutoSubmitted
from gigcx.channels.email.outbound import queue_email
from gigcx.errors import PermissionDenied
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.kit import clock

ANNOUNCEMENT_MAIL_KIND = "announcement"


def _require_staff(principal: Principal) -> None:
    if not (principal.is_brand_staff or principal.is_platform_admin):
        raise PermissionDenied("announcements are posted by the brand's staff")


def _mail_experts(session: Session, announcement: Announcement, program: Program) -> int:
    brand = session.get_one(Brand, program.brand_id)
    emails = session.scalars(
        select(Expert.email)
        .join(Enrollment, Enrollment.expert_id == Expert.id)
        .where(
            Enrollment.program_id == program.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
        .order_by(Expert.email)
    ).all()
    text = "\n".join(
        [
            f"{brand.name} · {program.name}",
            "",
            announcement.body,
            "",
            f"All announcements of your programs: {link('/expert/announcements')}",
            "--",
            f"You get this mail as an active expert of {program.name}.",
        ]
    )
    for email in emails:
        queue_email(
            session,
            brand_id=program.brand_id,
            to=email,
            subject=f"{program.name}: {announcement.title}",
            text=text,
            kind=ANNOUNCEMENT_MAIL_KIND,
            auto_submitted=AutoSubmitted.AUTO_GENERATED,
        )
    return len(emails)


def post_announcement(
    session: Session, principal: Principal, program_id: uuid.UUID, data: AnnouncementCreate
) -> Announcement:
    """Post an announcement to a program's experts, and mail it to the active ones if asked."""
    _require_staff(principal)
    program = brands_service.get_program(session, principal, program_id)
    announcement = Announcement(
        brand_id=program.brand_id,
        program_id=program.id,
        author_id=principal.user_id,
        title=data.title,
        body=data.body,
        is_emailed=data.is_emailed,
    )
    session.add(announcement)
    session.flush()
    if data.is_emailed:
        announcement.emailed_count = _mail_experts(session, announcement, program)
        session.flush()
    return announcement


def get_announcement(
    session: Session, principal: Principal, announcement_id: uuid.UUID
) -> Announcement:
    announcement = session.scalar(
        readable_announcements(principal).where(Announcement.id == announcement_id)
    )
    if announcement is None:
        raise AnnouncementNotFound()
    return announcement


def update_announcement(
    session: Session, principal: Principal, announcement_id: uuid.UUID, data: AnnouncementUpdate
) -> Announcement:
    """Edit an announcement's words, or retire it (or bring it back)."""
    _require_staff(principal)
    announcement = get_announcement(session, principal, announcement_id)
    now = clock.now()
    if data.title is not None:
        announcement.title = data.title
        announcement.updated_at = now
    if data.body is not None:
        announcement.body = data.body
        announcement.updated_at = now
    if data.is_retired is not None:
        announcement.retired_at = (announcement.retired_at or now) if data.is_retired else None
    session.flush()
    return announcement


def program_announcements(
    session: Session, principal: Principal, program_id: uuid.UUID
) -> list[Announcement]:
    """A program's announcements, newest first (staff see retired ones too)."""
    brands_service.get_program(session, principal, program_id)
    return list(
        session.scalars(
            readable_announcements(principal)
            .where(Announcement.program_id == program_id)
            .order_by(Announcement.created_at.desc(), Announcement.id)
        )
    )


def brand_announcements(
    session: Session, principal: Principal, *, program_id: uuid.UUID | None = None
) -> list[Announcement]:
    _require_staff(principal)
    statement = readable_announcements(principal)
    if program_id is not None:
        statement = statement.where(Announcement.program_id == program_id)
    return list(
        session.scalars(statement.order_by(Announcement.created_at.desc(), Announcement.id))
    )


@dataclass(frozen=True, slots=True)
class ExpertAnnouncements:
    items: list[ExpertAnnouncementRead]

    @property
    def unread_count(self) -> int:
        return sum(1 for item in self.items if not item.is_read)


def expert_announcements(session: Session, principal: Principal) -> ExpertAnnouncements:
    """The announcements of the expert's programs: unread first, newest first."""
    if not principal.is_expert:
        raise PermissionDenied("this list is an expert's; sign in with an expert account")
    read_at = (
        select(AnnouncementRead.read_at)
        .where(
            AnnouncementRead.announcement_id == Announcement.id,
            AnnouncementRead.expert_id == principal.expert_id,
        )
        .scalar_subquery()
    )
    is_read = case((read_at.is_(None), 0), else_=1)
    rows = session.execute(
        readable_announcements(principal)
        .join(Program, Program.id == Announcement.program_id)
        .join(Brand, Brand.id == Announcement.brand_id)
        .add_columns(Program.name, Brand.name, is_read)
        .order_by(is_read, Announcement.created_at.desc(), Announcement.id)
    ).all()
    return ExpertAnnouncements(
        [
            ExpertAnnouncementRead(
                id=item.id,
                program_id=item.program_id,
                program_name=program_name,
                brand_name=brand_name,
                title=item.title,
                body=item.body,
                created_at=item.created_at,
                is_read=bool(read),
            )
            for item, program_name, brand_name, read in rows
        ]
    )


def unread_announcement_count(session: Session, principal: Principal) -> int:
    read = select(AnnouncementRead.announcement_id).where(
        AnnouncementRead.expert_id == principal.expert_id
    )
    statement = readable_announcements(principal).where(Announcement.id.not_in(read))
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def mark_announcement_read(
    session: Session, principal: Principal, announcement_id: uuid.UUID
) -> None:
    """Mark an announcement read by the expert (again is fine)."""
    if not principal.is_expert or principal.expert_id is None:
        raise PermissionDenied("only experts mark announcements read")
    announcement = get_announcement(session, principal, announcement_id)
    if session.get(AnnouncementRead, (announcement.id, principal.expert_id)) is not None:
        return
    try:
        # Two tabs marking it at once: the second finds the first's row and is done too.
        with session.begin_nested():
            session.add(
                AnnouncementRead(announcement_id=announcement.id, expert_id=principal.expert_id)
            )
    except IntegrityError:
        pass
