"""Announcements to a program's experts, experts' feedback to the brand, offer alerts."""

import uuid

from fastapi import APIRouter

from gigcx.api.deps import BrandStaff, CurrentPrincipal, ExpertPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.channels.community import service as community_service
from gigcx.channels.community.enums import FeedbackStatus
from gigcx.channels.community.schemas import (
    AlertSettingsRead,
    AlertSettingsUpdate,
    AnnouncementCreate,
    AnnouncementRead,
    AnnouncementUpdate,
    ExpertAnnouncementRead,
    FeedbackAnswer,
    FeedbackCreate,
    FeedbackRead,
)

router = APIRouter(tags=["community"], responses=ERROR_RESPONSES)


@router.get("/programs/{program_id}/announcements")
def list_program_announcements(
    session: SessionDep, principal: CurrentPrincipal, program_id: uuid.UUID
) -> list[AnnouncementRead]:
    """A program's announcements, newest first: brand staff see retired ones too, experts the
    live ones of programs they are enrolled in."""
    return [
        AnnouncementRead.model_validate(item)
        for item in community_service.program_announcements(session, principal, program_id)
    ]


@router.post("/programs/{program_id}/announcements", status_code=201)
def post_announcement(
    session: SessionDep, principal: BrandStaff, program_id: uuid.UUID, body: AnnouncementCreate
) -> AnnouncementRead:
    """Post an announcement to the program's experts; ``is_emailed`` also mails it to each
    active expert of the program."""
    announcement = community_service.post_announcement(session, principal, program_id, body)
    return AnnouncementRead.model_validate(announcement)


@router.patch("/announcements/{announcement_id}")
def update_announcement(
    session: SessionDep,
    principal: BrandStaff,
    announcement_id: uuid.UUID,
    body: AnnouncementUpdate,
) -> AnnouncementRead:
    """Edit an announcement, or retire it (``is_retired``: true) so experts no longer see it."""
    announcement = community_service.update_announcement(session, principal, announcement_id, body)
    return AnnouncementRead.model_validate(announcement)


@router.get("/me/announcements")
def my_announcements(
    session: SessionDep, principal: ExpertPrincipal
) -> list[ExpertAnnouncementRead]:
    """The announcements of your programs: unread first, then newest first."""
    return community_service.expert_announcements(session, principal).items


@router.post("/me/announcements/{announcement_id}/read", status_code=204)
def mark_announcement_read(
    session: SessionDep, principal: ExpertPrincipal, announcement_id: uuid.UUID
) -> None:
    """Mark an announcement read (again is fine)."""
    community_service.mark_announcement_read(session, principal, announcement_id)


@router.get("/me/alerts")
def my_alerts(session: SessionDep, principal: ExpertPrincipal) -> AlertSettingsRead:
    """How you hear of new offers: browser notification, sound, email, digest of missed ones."""
    return AlertSettingsRead.model_validate(community_service.alert_settings(session, principal))


@router.patch("/me/alerts")
def update_my_alerts(
    session: SessionDep, principal: ExpertPrincipal, body: AlertSettingsUpdate
) -> AlertSettingsRead:
    """Turn offer alerts on or off; fields left out keep their value."""
    settings = community_service.update_alert_settings(session, principal, body)
    return AlertSettingsRead.model_validate(settings)


@router.post("/me/feedback", status_code=201)
def send_feedback(
    session: SessionDep, principal: ExpertPrincipal, body: FeedbackCreate
) -> FeedbackRead:
    """Tell the brand something: on a program you are enrolled in (``program_id``) or on a
    ticket you worked (``ticket_id``), optionally naming the approved answer it is about."""
    return FeedbackRead.model_validate(community_service.send_feedback(session, principal, body))


@router.get("/me/feedback")
def my_feedback(session: SessionDep, principal: ExpertPrincipal) -> list[FeedbackRead]:
    """Your feedback and the brand's answers, newest first."""
    return [
        FeedbackRead.model_validate(item)
        for item in community_service.list_feedback(session, principal)
    ]


@router.get("/feedback")
def list_feedback(
    session: SessionDep, principal: BrandStaff, status: FeedbackStatus | None = None
) -> list[FeedbackRead]:
    """Feedback from the experts of your programs, newest first (200 at most), by status."""
    return [
        FeedbackRead.model_validate(item)
        for item in community_service.list_feedback(session, principal, status=status)
    ]


@router.get("/feedback/{feedback_id}")
def get_feedback(
    session: SessionDep, principal: CurrentPrincipal, feedback_id: uuid.UUID
) -> FeedbackRead:
    """One feedback: brand staff see their brand's, an expert only their own."""
    return FeedbackRead.model_validate(
        community_service.get_feedback(session, principal, feedback_id)
    )


@router.post("/feedback/{feedback_id}/answer")
def answer_feedback(
    session: SessionDep, principal: BrandStaff, feedback_id: uuid.UUID, body: FeedbackAnswer
) -> FeedbackRead:
    """Answer the expert (they see it with a notice); ``is_closing`` also closes it."""
    return FeedbackRead.model_validate(
        community_service.answer_feedback(session, principal, feedback_id, body)
    )


@router.post("/feedback/{feedback_id}/close")
def close_feedback(
    session: SessionDep, principal: BrandStaff, feedback_id: uuid.UUID
) -> FeedbackRead:
    """Close the feedback; it can no longer be answered."""
    return FeedbackRead.model_validate(
        community_service.close_feedback(session, principal, feedback_id)
    )
