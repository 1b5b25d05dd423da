"""The digest of missed offers: what lapsed or went to another expert, mailed once a period."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.brands.models import Program
from gigcx.channels.community import service as community_service
from gigcx.channels.community.enums import DigestFrequency
from gigcx.channels.community.models import OfferDigest
from gigcx.channels.community.schemas import AlertSettingsUpdate
from gigcx.channels.community.tasks import DIGEST_JOB, schedule_digests
from gigcx.channels.email.models import OutboundEmail
from gigcx.experts.models import Expert
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets.enums import OfferStatus
from gigcx.tickets.models import Offer
from gigcx.views import expert as expert_views
from tests.factories.brands import make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs
from tests.servers.smtp import SmtpServer

# A Wednesday; its day's digest covers Tuesday.
NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
TUESDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def opt_in(session: Session, expert: Expert, digest: DigestFrequency) -> None:
    community_service.update_alert_settings(
        session, as_expert(expert), AlertSettingsUpdate(digest=digest)
    )


def offers_of(session: Session, expert: Expert) -> list[Offer]:
    return list(session.scalars(select(Offer).where(Offer.expert_id == expert.id)))


def missed_setup(session: Session) -> tuple[Program, Expert, Expert, list[Offer]]:
    """On Tuesday, ``ada`` lets one offer lapse and loses another to ``bo``."""
    brand = make_brand(session)
    program = make_program(session, brand, offers_at_once=2, offer_ttl_seconds=300)
    ada = make_expert(session, programs=[program], capacity={"chat": 5})
    bo = make_expert(session, programs=[program], capacity={"chat": 5})
    with clock.travel_to(TUESDAY_NOON):
        first = make_ticket(session, program)
        second = make_ticket(session, program)
        ada_first, ada_second = (
            session.scalars(
                select(Offer).where(Offer.expert_id == ada.id, Offer.ticket_id == t.id)
            ).one()
            for t in (first, second)
        )
        bo_second = session.scalars(
            select(Offer).where(Offer.expert_id == bo.id, Offer.ticket_id == second.id)
        ).one()
        routing_service.accept_offer(session, as_expert(bo), bo_second.id)
    with clock.travel_to(TUESDAY_NOON + timedelta(minutes=6)):
        routing_service.expire_offer(session, ada_first.id)
    session.flush()
    return program, ada, bo, [ada_first, ada_second]


def test_the_last_period_is_yesterday_or_last_iso_week() -> None:
    daily = community_service.last_period(DigestFrequency.DAILY, NOW)
    weekly = community_service.last_period(DigestFrequency.WEEKLY, NOW)

    assert (daily.key, daily.start, daily.end) == (
        "2026-12-01",
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2026, 12, 2, tzinfo=UTC),
    )
    assert (weekly.key, weekly.start, weekly.end) == (
        "2026-W48",
        datetime(2026, 11, 23, tzinfo=UTC),
        datetime(2026, 11, 30, tzinfo=UTC),
    )


def test_a_daily_digest_counts_lapsed_and_taken_offers_and_the_pay_missed(
    session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    _, ada, bo, missed = missed_setup(session)
    opt_in(session, ada, DigestFrequency.DAILY)
    opt_in(session, bo, DigestFrequency.DAILY)
    statuses = {offer.id: offer.status for offer in offers_of(session, ada)}
    assert sorted(statuses.values()) == [OfferStatus.EXPIRED, OfferStatus.RESCINDED]
    prices = [expert_views.offer_summary(session, offer).pay for offer in missed]
    total = sum((p.amount for p in prices if p is not None), Decimal("0"))

    written = community_service.send_digests(session, at=NOW)
    session.commit()
    run_jobs(factory)

    assert written == 2
    [mail] = smtp_server.received.to(ada.email)
    text = mail.get_content()
    assert mail["Subject"] == "Your missed offers: 2 offers (2026-12-01)"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "Offers you missed from 2026-12-01 to 2026-12-01: 2" in text
    assert "  lapsed before you answered: 1" in text
    assert "  taken by another expert first: 1" in text
    assert f"Pay you missed: {total} USD" in text
    assert "Casey" not in text and "charged twice" not in text
    # Bo took his offer: a digest row for the period, and no mail.
    assert smtp_server.received.to(bo.email) == []
    bo_digest = session.scalars(select(OfferDigest).where(OfferDigest.expert_id == bo.id)).one()
    assert (bo_digest.offer_count, bo_digest.email_id) == (0, None)
    ada_digest = session.scalars(select(OfferDigest).where(OfferDigest.expert_id == ada.id)).one()
    assert (ada_digest.offer_count, ada_digest.missed_pay) == (2, {"USD": str(total)})


def test_a_period_is_mailed_once_however_often_the_job_runs(
    session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    _, ada, _, _ = missed_setup(session)
    opt_in(session, ada, DigestFrequency.DAILY)

    first = community_service.send_digests(session, at=NOW)
    again = community_service.send_digests(session, at=NOW + timedelta(hours=5))
    session.commit()
    run_jobs(factory)

    assert (first, again) == (1, 0)
    assert len(smtp_server.received.to(ada.email)) == 1
    digests = session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "offer_digest"))
    assert len(digests.all()) == 1


def test_experts_who_did_not_opt_in_get_no_digest(
    session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    _, ada, _, _ = missed_setup(session)

    written = community_service.send_digests(session, at=NOW)
    session.commit()
    run_jobs(factory)

    assert written == 0
    assert smtp_server.received.to(ada.email) == []
    assert session.scalars(select(OfferDigest).where(OfferDigest.expert_id == ada.id)).all() == []


def test_a_weekly_digest_waits_for_the_week_to_end(session: Session) -> None:
    _, ada, _, _ = missed_setup(session)
    opt_in(session, ada, DigestFrequency.WEEKLY)

    during = community_service.send_digest(session, ada, DigestFrequency.WEEKLY, NOW)
    monday = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    after = community_service.send_digest(session, ada, DigestFrequency.WEEKLY, monday)

    # Wednesday's run covers the week before (nothing missed then); next Monday's the week.
    assert during is not None and (during.period, during.offer_count) == ("2026-W48", 0)
    assert after is not None and (after.period, after.offer_count) == ("2026-W49", 2)


def test_the_digest_job_is_queued_once_and_rearms_itself(session: Session) -> None:
    schedule_digests(session)
    schedule_digests(session)

    queued = session.scalars(
        select(Job).where(Job.name == DIGEST_JOB, Job.status == JobStatus.QUEUED)
    ).all()
    assert len(queued) == 1
