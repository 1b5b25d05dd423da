"""The community use cases: offer alerts, digests, announcements and feedback."""

from gigcx.channels.community.service._alerts import (
    OFFER_MAIL_KIND,
    alert_settings,
    mail_new_offers,
    offer_mail_text,
    update_alert_settings,
)
from gigcx.channels.community.service._announcements import (
    ANNOUNCEMENT_MAIL_KIND,
    ExpertAnnouncements,
    brand_announcements,
    expert_announcements,
    get_announcement,
    mark_announcement_read,
    post_announcement,
    program_announcements,
    unread_announcement_count,
    update_announcement,
)
from gigcx.channels.community.service._digest import (
    DIGEST_MAIL_KIND,
    Period,
    last_period,
    missed_offers,
    send_digest,
    send_digests,
)
from gigcx.channels.community.service._feedback import (
    answer_feedback,
    close_feedback,
    get_feedback,
    has_worked,
    list_feedback,
    mark_answer_seen,
    send_feedback,
    unseen_answers,
)
from gigcx.channels.community.service._invitations import (
    INVITATION_MAIL_KIND,
    mail_coverage_invitation,
)

__all__ = [
    "ANNOUNCEMENT_MAIL_KIND",
    "DIGEST_MAIL_KIND",
    "INVITATION_MAIL_KIND",
    "OFFER_MAIL_KIND",
    "ExpertAnnouncements",
    "Period",
    "alert_settings",
    "answer_feedback",
    "brand_announcements",
    "close_feedback",
    "expert_announcements",
    "get_announcement",
    "get_feedback",
    "has_worked",
    "last_period",
    "list_feedback",
    "mail_coverage_invitation",
    "mail_new_offers",
    "mark_announcement_read",
    "mark_answer_seen",
    "missed_offers",
    "offer_mail_text",
    "post_announcement",
    "program_announcements",
    "send_digest",
    "send_digests",
    "send_feedback",
    "unread_announcement_count",
    "unseen_answers",
    "update_alert_settings",
    "update_announcement",
]
