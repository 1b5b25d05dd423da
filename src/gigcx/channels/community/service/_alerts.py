"""Offer alerts: the expert's choices, and a mail for each new offer to those who want one."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.channels.community.models import AlertSettings
from gigcx.channels.community.schemas import AlertSettingsUpdate
from gigcx.channels.community.service._mail import link, why_footer
from gigcx.channels.email.enums import AutoSubmitted
from gigcx.channels.email.outbound import queue_email
from gigcx.errors import PermissionDenied
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Offer
from gigcx.views import expert as expert_views

OFFER_MAIL_KIND = "offer_alert"


def _expert_id(principal: Principal) -> uuid.UUID:
    if not principal.is_expert or principal.expert_id is None:
        raise PermissionDenied("offer alerts are an expert's own; sign in with an expert account")
    return principal.expert_id


def alert_settings(session: Session, principal: Principal) -> AlertSettings:
    """The expert's alert choices (all off until they choose)."""
    expert_id = _expert_id(principal)
    settings = session.get(AlertSettings, expert_id)
    if settings is None:
        return AlertSettings(
            expert_id=expert_id,
            is_browser_on=False,
            is_sound_on=False,
            is_email_on=False,
            digest="off",
        )
    return settings


def update_alert_settings(
    session: Session, principal: Principal, data: AlertSettingsUpdate
) -> AlertSettings:
    """Turn the expert's offer alerts and digest on or off."""
    expert_id = _expert_id(principal)
    settings = session.get(AlertSettings, expert_id, with_for_update=True)
    if settings is None:
        settings = alert_settings(session, principal)
        session.add(settings)
    for name, value in data.model_dump(exclude_none=True).items():
        setattr(settings, name, value)
    settings.updated_at = clock.now()
    session.flush()
    return settings


def offer_mail_text(summary: expert_views.OfferSummary) -> tuple[str, str]:
    """Subject and text of a new-offer mail: nothing of the ticket's text or its customer."""
    if summary.pay is None:
        pay = "no rate-card line pays this task"
    elif summary.pay.is_paid_already:
        pay = "no new pay (you were already paid for this ticket)"
    else:
        pay = f"{summary.pay.amount} {summary.pay.currency}"
    subject = f"New offer: {summary.program} · {summary.topic} · {summary.language.upper()}"
    text = "\n".join(
        [
            "You have a new offer.",
            "",
            f"Program:   {summary.program} ({summary.brand})",
            f"Topic:     {summary.topic}",
            f"Language:  {summary.language.upper()}",
            f"Pays:      {pay}",
            f"Answer by: {summary.expires_at.strftime('%Y-%m-%d %H:%M')} UTC",
            "",
            f"Accept or decline it on your offers page: {link('/expert')}",
            why_footer("new-offer emails are on"),
        ]
    )
    return subject, text


def mail_new_offers(session: Session, brand_id: uuid.UUID, offer_ids: list[uuid.UUID]) -> int:
    """Queue a mail for each still pending offer whose expert asked for offer mails."""
    if not offer_ids:
        return 0
    rows = session.execute(
        select(Offer, Expert.email)
        .join(AlertSettings, AlertSettings.expert_id == Offer.expert_id)
        .join(Expert, Expert.id == Offer.expert_id)
        .where(
            Offer.id.in_(offer_ids),
            Offer.status == OfferStatus.PENDING,
            AlertSettings.is_email_on.is_(True),
        )
        .order_by(Offer.rank, Offer.id)
    ).all()
    for offer, email in rows:
        subject, text = offer_mail_text(expert_views.offer_summary(session, offer))
        queue_email(
            session,
            brand_id=brand_id,
            to=email,
            subject=subject,
            text=text,
            kind=OFFER_MAIL_KIND,
            auto_submitted=AutoSubmitted.AUTO_GENERATED,
        )
    return len(rows)
