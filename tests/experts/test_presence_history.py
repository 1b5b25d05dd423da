"""Presence history: every change of presence opens or closes a span, in one place."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.experts.models import PresenceSpan
from tests.factories.experts import as_expert, make_expert


def spans(session: Session, expert_id: object) -> list[tuple[bool, bool]]:
    rows = session.scalars(
        select(PresenceSpan)
        .where(PresenceSpan.expert_id == expert_id)
        .order_by(PresenceSpan.started_at)
    )
    return [(row.started_at is not None, row.ended_at is not None) for row in rows]


def test_going_available_opens_a_span_and_going_away_or_offline_closes_it(
    session: Session,
) -> None:
    expert = make_expert(session, presence=Presence.OFFLINE)
    me = as_expert(expert)

    experts_service.set_presence(session, me, Presence.AVAILABLE)
    opened = spans(session, expert.id)
    experts_service.set_presence(session, me, Presence.AVAILABLE)  # no change, no new span
    experts_service.set_presence(session, me, Presence.AWAY)
    experts_service.set_presence(session, me, Presence.OFFLINE)  # nothing open to close
    experts_service.set_presence(session, me, Presence.AVAILABLE)

    assert opened == [(True, False)]
    assert spans(session, expert.id) == [(True, True), (True, False)]
    first = session.scalars(
        select(PresenceSpan)
        .where(PresenceSpan.expert_id == expert.id)
        .order_by(PresenceSpan.started_at)
    ).first()
    assert first is not None and first.ended_at is not None
    assert first.ended_at >= first.started_at


def test_being_set_away_after_lapsed_offers_closes_the_span(session: Session) -> None:
    expert = make_expert(session, presence=Presence.OFFLINE)
    experts_service.set_presence(session, as_expert(expert), Presence.AVAILABLE)

    experts_service.record_lapse(session, expert.id, limit=2)
    after_one = spans(session, expert.id)
    set_away = experts_service.record_lapse(session, expert.id, limit=2)

    assert after_one == [(True, False)]
    assert set_away is True
    assert spans(session, expert.id) == [(True, True)]
