"""Mail the experts invited to cover a gap (the invitation itself is planning's record)."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.channels.community.service._mail import link
from gigcx.channels.email.enums import AutoSubmitted
from gigcx.channels.email.outbound import queue_email
from gigcx.experts.models import Expert
from gigcx.planning.models import CoverageAction, CoverageInvitation

INVITATION_MAIL_KIND = "coverage_invitation"


def mail_coverage_invitation(session: Session, action_id: uuid.UUID) -> int:
    """Queue one mail to each expert the invitation went to; return how many."""
    action = session.get_one(CoverageAction, action_id)
    program = session.get_one(Program, action.program_id)
    brand = session.get_one(Brand, program.brand_id)
    emails = session.scalars(
        select(Expert.email)
        .join(CoverageInvitation, CoverageInvitation.expert_id == Expert.id)
        .where(CoverageInvitation.action_id == action.id)
        .order_by(Expert.email)
    ).all()
    text = "\n".join(
        [
            f"{brand.name} · {program.name}",
            "",
            action.note,
            "",
            f"Where and when work is expected in your programs: {link('/expert/forecast')}",
            "--",
            f"You get this mail as an active expert of {program.name} whose daytime covers "
            "that hour.",
        ]
    )
    for email in emails:
        queue_email(
            session,
            brand_id=program.brand_id,
            to=email,
            subject=f"{program.name}: experts wanted at an hour that suits you",
            text=text,
            kind=INVITATION_MAIL_KIND,
            auto_submitted=AutoSubmitted.AUTO_GENERATED,
        )
    return len(emails)
