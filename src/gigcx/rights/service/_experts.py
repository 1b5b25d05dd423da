"""An expert's data: export everything, erase what no law makes us keep.

Kept after an erasure, because tax and pay law require it for the legal retention years (and the
expert may still be owed money): the ledger (earnings with their amounts, terms and tickets),
payouts and payout runs, and the expert row itself under a placeholder name, so those records
still point at one payee. The country is kept with them (it decides which tax rules applied).
Wiped: name, email, sign-in, payout details (IBAN, PayPal, account holder), languages, skills,
capacities, alert settings; the expert's name and email are replaced in the messages, feedback
and appeals they wrote.
"""

import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gigcx.auth.models import AccessToken, PasswordResetRequest, PasswordResetToken, User
from gigcx.channels.community.models import AlertSettings, Feedback
from gigcx.channels.sso.models import SsoIdentity
from gigcx.experts.enums import Presence
from gigcx.experts.models import (
    Enrollment,
    Expert,
    ExpertAvailability,
    ExpertCapacity,
    ExpertLanguage,
    ExpertSkill,
    PresenceSpan,
)
from gigcx.kit.ids import sha256_hex
from gigcx.payments.models import Earning, Payout, PayoutMethod
from gigcx.quality.models import Dispute, Rating, Review, TierWarning
from gigcx.rights.errors import ExpertStillWorking
from gigcx.rights.service._archive import Archive
from gigcx.rights.service._subjects import ERASED, erased_email
from gigcx.rights.service._wipe import Counts, mails_to, needles_for, redact
from gigcx.tickets.enums import AuthorKind
from gigcx.tickets.models import Assignment, Message, Offer, Ticket
from gigcx.training.models import Certification, QuizAttempt

ERASED_EXPERT_NAME = "Erased expert"
KEPT_FOR_TAX_AND_PAY = (
    "earnings (the ledger): amounts, currencies, dates, terms, the tickets they pay for",
    "payouts and payout runs: what was paid, when, in which currency",
    "the expert record under a placeholder name, with its country, so the above name one payee",
)

README = """Your data on GigCX, as of {when} (UTC).

expert.json        your profile, languages, skills, capacities and sign-in account
payout_method.json where your payouts go
enrollments.json   your programs, tiers and quality scores
pay.json           your earnings (the ledger) and payouts
work.json          the offers and assignments you had (ticket ids and times)
quality.json       ratings of your work (scores and reasons), QA reviews, appeals, warnings
training.json      your quiz attempts and certifications
feedback.json      what you wrote to brands and their answers
"""


def _rows(session: Session, statement: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{name: getattr(row, name) for name in fields} for row in session.scalars(statement)]


def build_expert_export(
    session: Session, expert: Expert, *, when: str
) -> tuple[bytes, dict[str, int]]:
    """Return the zip and how many records of each kind it holds."""
    archive = Archive()
    archive.text("README.txt", README.format(when=when))
    user = session.scalar(select(User).where(User.expert_id == expert.id))
    archive.json(
        "expert.json",
        {
            "id": expert.id,
            "display_name": expert.display_name,
            "email": expert.email,
            "country": expert.country,
            "timezone": expert.timezone,
            "created_at": expert.created_at,
            "payout_details": expert.payout_details,
            "languages": {lang.language: lang.proficiency for lang in expert.languages},
            "skills": {skill.skill: skill.level for skill in expert.skills},
            "capacities": {c.channel: c.max_concurrent for c in expert.capacities},
            "account": None
            if user is None
            else {"email": user.email, "created_at": user.created_at, "is_active": user.is_active},
        },
    )
    method = session.scalar(select(PayoutMethod).where(PayoutMethod.expert_id == expert.id))
    archive.json(
        "payout_method.json",
        None
        if method is None
        else {
            "kind": method.kind,
            "account_holder": method.account_holder,
            "iban": method.iban,
            "paypal_email": method.paypal_email,
            "updated_at": method.updated_at,
        },
    )
    mine = Enrollment.expert_id == expert.id
    enrollments = _rows(
        session,
        select(Enrollment).where(mine).order_by(Enrollment.created_at),
        ("program_id", "status", "tier", "quality_score", "certified_until", "created_at"),
    )
    archive.json("enrollments.json", enrollments)
    earnings = _rows(
        session,
        select(Earning).where(Earning.expert_id == expert.id).order_by(Earning.created_at),
        ("created_at", "kind", "amount", "currency", "description", "ticket_id", "terms"),
    )
    payouts = _rows(
        session,
        select(Payout).where(Payout.expert_id == expert.id).order_by(Payout.created_at),
        ("week", "brand_id", "currency", "total", "line_count", "created_at"),
    )
    archive.json("pay.json", {"earnings": earnings, "payouts": payouts})
    offers = _rows(
        session,
        select(Offer).where(Offer.expert_id == expert.id).order_by(Offer.created_at),
        ("ticket_id", "status", "created_at", "expires_at", "responded_at", "breakdown"),
    )
    assignments = _rows(
        session,
        select(Assignment).where(Assignment.expert_id == expert.id).order_by(Assignment.started_at),
        ("ticket_id", "channel", "started_at", "ended_at", "end_reason"),
    )
    archive.json("work.json", {"offers": offers, "assignments": assignments})
    quality = {
        "ratings": _rows(
            session,
            select(Rating).where(Rating.expert_id == expert.id).order_by(Rating.created_at),
            ("ticket_id", "score", "reason", "is_voided", "created_at"),
        ),
        "reviews": _rows(
            session,
            select(Review).where(Review.expert_id == expert.id).order_by(Review.created_at),
            ("ticket_id", "status", "score", "answers", "comment", "completed_at"),
        ),
        "appeals": _rows(
            session,
            select(Dispute).where(Dispute.expert_id == expert.id).order_by(Dispute.created_at),
            ("subject_type", "subject_id", "reason", "status", "decision_reason", "decided_at"),
        ),
        "warnings": _rows(
            session,
            select(TierWarning).where(TierWarning.expert_id == expert.id),
            ("program_id", "kind", "status", "improve", "score", "target_score", "due_at"),
        ),
    }
    archive.json("quality.json", quality)
    archive.json(
        "training.json",
        {
            "quiz_attempts": _rows(
                session,
                select(QuizAttempt).where(QuizAttempt.expert_id == expert.id),
                ("course_id", "course_version", "number", "percent", "is_passed", "created_at"),
            ),
            "certifications": _rows(
                session,
                select(Certification).where(Certification.expert_id == expert.id),
                ("program_id", "course_id", "course_version", "issued_at", "expires_at"),
            ),
        },
    )
    feedback = _rows(
        session,
        select(Feedback).where(Feedback.expert_id == expert.id).order_by(Feedback.created_at),
        ("program_id", "ticket_id", "kind", "body", "status", "reply", "created_at"),
    )
    archive.json("feedback.json", feedback)
    counts = {
        "enrollments": len(enrollments),
        "earnings": len(earnings),
        "payouts": len(payouts),
        "offers": len(offers),
        "assignments": len(assignments),
        "feedback": len(feedback),
    }
    return archive.close(), counts


def check_expert_erasable(session: Session, expert: Expert) -> None:
    """Refuse while the expert holds tickets: the customers waiting on them come first."""
    held = session.scalars(select(Ticket.id).where(Ticket.assignee_id == expert.id)).all()
    if held:
        raise ExpertStillWorking(
            f"the expert holds {len(held)} ticket(s); hand them on (release or reassign) and "
            "erase again"
        )


def erase_expert(session: Session, expert: Expert) -> dict[str, int]:
    """Anonymise the expert; keep the ledger and payouts (see the module's note)."""
    check_expert_erasable(session, expert)
    counts = Counts()
    users = list(session.scalars(select(User).where(User.expert_id == expert.id)))
    user_ids = [user.id for user in users]
    emails = sorted({expert.email.lower(), *(user.email.lower() for user in users)})
    needles = needles_for(
        expert.email,
        expert.display_name,
        *(u.email for u in users),
        *(u.display_name for u in users),
    )
    _wipe_mail_to(session, emails, counts)
    session.execute(
        delete(PasswordResetRequest).where(
            PasswordResetRequest.email_hash.in_([sha256_hex(e) for e in emails])
        )
    )
    expert.display_name = ERASED_EXPERT_NAME
    expert.email = erased_email(expert.id)
    expert.payout_details = ""
    expert.presence = Presence.OFFLINE
    # Stated hours and presence history say when a person is at their desk: erased too.
    children = (ExpertLanguage, ExpertSkill, ExpertCapacity, ExpertAvailability, PresenceSpan)
    for child in children:
        session.execute(delete(child).where(child.expert_id == expert.id))
    session.execute(delete(AlertSettings).where(AlertSettings.expert_id == expert.id))
    method = session.scalar(select(PayoutMethod).where(PayoutMethod.expert_id == expert.id))
    if method is not None:
        method.account_holder = ""
        method.iban = ""
        method.paypal_email = ""
        counts.add("payout_methods", 1)
    for user_id in user_ids:
        session.execute(delete(AccessToken).where(AccessToken.user_id == user_id))
        session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user_id))
        session.execute(delete(SsoIdentity).where(SsoIdentity.user_id == user_id))
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(
                email=erased_email(user_id),
                display_name="",
                is_active=False,
                password_hash="!erased",  # noqa: S106 - matches no password
            )
        )
        counts.add("accounts", 1)
    counts.add("messages", _redact_written(session, expert.id, needles))
    session.flush()
    session.expire_all()
    return counts.values


def _wipe_mail_to(session: Session, emails: list[str], counts: Counts) -> None:
    """Mail sent to the expert (offer alerts, digests, resets): address and text wiped."""
    for mail in mails_to(session, emails):
        mail.to_address = erased_email(mail.id)
        mail.subject = ERASED
        mail.text_body = ERASED
        mail.headers = {}
        mail.last_error = None
        counts.add("mails", 1)


def _redact_written(session: Session, expert_id: uuid.UUID, needles: list[str]) -> int:
    """Replace the expert's name and email in what they wrote to customers and brands."""
    changed = 0
    for message in session.scalars(
        select(Message).where(
            Message.author_kind == AuthorKind.EXPERT, Message.author_id == expert_id
        )
    ):
        body = redact(message.body, needles)
        if body != message.body:
            message.body = body
            changed += 1
    for feedback in session.scalars(select(Feedback).where(Feedback.expert_id == expert_id)):
        feedback.body = redact(feedback.body, needles)
        feedback.reply = redact(feedback.reply, needles)
    for dispute in session.scalars(select(Dispute).where(Dispute.expert_id == expert_id)):
        dispute.reason = redact(dispute.reason, needles)
        dispute.decision_reason = redact(dispute.decision_reason, needles)
    for review in session.scalars(select(Review).where(Review.expert_id == expert_id)):
        review.comment = redact(review.comment, needles)
    return changed
