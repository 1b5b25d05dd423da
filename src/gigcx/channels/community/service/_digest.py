"""The digest of missed offers: per expert who opted in, once per day or week.

Each run looks at the last period that has ended (yesterday, or last week Monday to Monday,
in UTC) and writes one ``OfferDigest`` row per expert and period: a second run of the same
period finds the row and sends nothing again. A period without missed offers is recorded too,
without a mail.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.channels.community.enums import DigestFrequency
from gigcx.channels.community.models import AlertSettings, OfferDigest
from gigcx.channels.community.service._mail import link, why_footer
from gigcx.channels.email.enums import AutoSubmitted
from gigcx.channels.email.outbound import queue_email
from gigcx.db.dialect import serialize
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Offer
from gigcx.views import expert as expert_views

DIGEST_MAIL_KIND = "offer_digest"
MISSED_STATUSES = (OfferStatus.EXPIRED, OfferStatus.RESCINDED)
# At most this many offers are listed one by one in a mail; the counts cover them all.
LISTED_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Period:
    key: str
    start: datetime
    end: datetime


def last_period(frequency: DigestFrequency, at: datetime) -> Period:
    """The last whole day or ISO week (UTC) that ended at or before ``at``."""
    today = datetime(at.year, at.month, at.day, tzinfo=UTC)
    if frequency == DigestFrequency.WEEKLY:
        end = today - timedelta(days=today.weekday())
        start = end - timedelta(days=7)
        year, week, _ = start.isocalendar()
        return Period(f"{year}-W{week:02d}", start, end)
    start = today - timedelta(days=1)
    return Period(start.date().isoformat(), start, today)


def missed_offers(session: Session, expert_id: uuid.UUID, period: Period) -> list[Offer]:
    """Offers that lapsed unanswered or were withdrawn before the expert answered them."""
    return list(
        session.scalars(
            select(Offer)
            .where(
                Offer.expert_id == expert_id,
                Offer.status.in_(MISSED_STATUSES),
                Offer.responded_at >= period.start,
                Offer.responded_at < period.end,
            )
            .order_by(Offer.responded_at, Offer.id)
        )
    )


def _digest_text(
    period: Period,
    summaries: list[expert_views.OfferSummary],
    statuses: list[str],
    missed_pay: dict[str, Decimal],
) -> str:
    expired = statuses.count(OfferStatus.EXPIRED)
    rescinded = statuses.count(OfferStatus.RESCINDED)
    pay = ", ".join(f"{amount} {currency}" for currency, amount in sorted(missed_pay.items()))
    lines = [
        f"Offers you missed from {period.start.date().isoformat()} "
        f"to {(period.end - timedelta(days=1)).date().isoformat()}: {len(summaries)}",
        f"  lapsed before you answered: {expired}",
        f"  taken by another expert first: {rescinded}",
        f"Pay you missed: {pay or 'none priced'}",
        "",
    ]
    for summary, status in list(zip(summaries, statuses, strict=True))[:LISTED_LIMIT]:
        price = f"{summary.pay.amount} {summary.pay.currency}" if summary.pay else "unpriced"
        how = "lapsed" if status == OfferStatus.EXPIRED else "taken"
        lines.append(
            f"- {summary.program} · {summary.topic} · {summary.language.upper()} · {price} ({how})"
        )
    if len(summaries) > LISTED_LIMIT:
        lines.append(f"... and {len(summaries) - LISTED_LIMIT} more")
    lines += [
        "",
        f"Go available to get offers as they come: {link('/expert')}",
        why_footer("the digest of missed offers is on"),
    ]
    return "\n".join(lines)


def send_digest(
    session: Session, expert: Expert, frequency: DigestFrequency, at: datetime
) -> OfferDigest | None:
    """Write (and mail, when there is something to tell) the expert's digest of the last
    period; None when that period was already done."""
    period = last_period(frequency, at)
    done = session.scalar(
        select(OfferDigest.id).where(
            OfferDigest.expert_id == expert.id, OfferDigest.period == period.key
        )
    )
    if done is not None:
        return None
    offers = missed_offers(session, expert.id, period)
    summaries = [expert_views.offer_summary(session, offer) for offer in offers]
    missed_pay: dict[str, Decimal] = defaultdict(Decimal)
    for summary in summaries:
        if summary.pay is not None and not summary.pay.is_paid_already:
            missed_pay[summary.pay.currency] += summary.pay.amount
    digest = OfferDigest(
        expert_id=expert.id,
        period=period.key,
        period_start=period.start,
        period_end=period.end,
        offer_count=len(offers),
        missed_pay={currency: str(amount) for currency, amount in missed_pay.items()},
    )
    if offers:
        statuses = [str(offer.status) for offer in offers]
        noun = "offer" if len(offers) == 1 else "offers"
        email = queue_email(
            session,
            brand_id=None,
            to=expert.email,
            subject=f"Your missed offers: {len(offers)} {noun} ({period.key})",
            text=_digest_text(period, summaries, statuses, dict(missed_pay)),
            kind=DIGEST_MAIL_KIND,
            auto_submitted=AutoSubmitted.AUTO_GENERATED,
        )
        digest.email_id = email.id
    session.add(digest)
    session.flush()
    return digest


def send_digests(session: Session, *, at: datetime | None = None) -> int:
    """Do the digest of every expert who asked for one; return how many were written."""
    at = at or clock.now()
    serialize(session, "community.offer_digests")
    rows = session.execute(
        select(Expert, AlertSettings.digest)
        .join(AlertSettings, AlertSettings.expert_id == Expert.id)
        .where(AlertSettings.digest != DigestFrequency.OFF)
        .order_by(Expert.id)
    ).all()
    written = 0
    for expert, frequency in rows:
        if send_digest(session, expert, DigestFrequency(frequency), at) is not None:
            written += 1
    return written
