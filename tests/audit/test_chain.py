"""The audit chain: sealing, and verification that finds a changed, deleted or moved event."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gigcx.audit import _chain
from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditChain, AuditEvent
from gigcx.auth.principal import SYSTEM
from gigcx.kit import clock

BRAND = uuid.UUID("00000000-0000-4000-8000-00000000b001")
OTHER = uuid.UUID("00000000-0000-4000-8000-00000000b002")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def write(session: Session, count: int, *, brand_id: uuid.UUID | None = BRAND) -> list[AuditEvent]:
    events = []
    for n in range(count):
        with clock.travel_to(START + timedelta(minutes=n)):
            events.append(
                audit_service.record(
                    session,
                    actor=SYSTEM,
                    action="test.happened",
                    subject_type="thing",
                    subject_id=uuid.uuid4(),
                    brand_id=brand_id,
                    data={"n": n, "score": 4.0, "ratio": 0.25, "words": ["a", "b"]},
                )
            )
    session.flush()
    return events


def first_break(session: Session) -> tuple[str, int] | None:
    audit_service.seal(session)
    found = audit_service.verify(session).first_break
    return None if found is None else (found.chain, found.seq)


def test_sealing_numbers_each_chain_from_one_in_the_order_events_were_written(
    session: Session,
) -> None:
    write(session, 3)
    write(session, 2, brand_id=None)
    write(session, 1, brand_id=OTHER)

    assert audit_service.seal(session) == 6
    assert audit_service.seal(session) == 0

    rows = session.execute(
        select(AuditEvent.chain, AuditEvent.seq, AuditEvent.data["n"].as_integer()).order_by(
            AuditEvent.chain, AuditEvent.seq
        )
    ).all()
    assert rows == [
        (str(BRAND), 1, 0),
        (str(BRAND), 2, 1),
        (str(BRAND), 3, 2),
        (str(OTHER), 1, 0),
        ("platform", 1, 0),
        ("platform", 2, 1),
    ]
    verification = audit_service.verify(session)
    assert verification.is_intact
    assert sorted((r.chain, r.checked) for r in verification.reports) == [
        (str(BRAND), 3),
        (str(OTHER), 1),
        ("platform", 2),
    ]


def test_a_changed_event_breaks_the_chain_at_its_place(session: Session) -> None:
    events = write(session, 5)
    audit_service.seal(session)
    session.execute(
        update(AuditEvent).where(AuditEvent.id == events[2].id).values(data={"n": 99}),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()

    assert first_break(session) == (str(BRAND), 3)


def test_a_changed_event_with_its_hashes_recomputed_still_breaks_the_chain(
    session: Session,
) -> None:
    events = write(session, 5)
    audit_service.seal(session)
    forged = session.get_one(AuditEvent, events[1].id)
    forged.data = {"n": 99}
    forged.content_hash = _chain.content_hash(forged)
    session.flush()
    session.expire_all()

    assert first_break(session) == (str(BRAND), 2)


def test_a_deleted_event_breaks_the_chain_at_its_place(session: Session) -> None:
    events = write(session, 5)
    audit_service.seal(session)
    session.execute(delete(AuditEvent).where(AuditEvent.id == events[3].id))
    session.expire_all()

    assert first_break(session) == (str(BRAND), 4)


def test_deleting_the_newest_events_breaks_the_chain_after_the_last_one_left(
    session: Session,
) -> None:
    events = write(session, 5)
    audit_service.seal(session)
    session.execute(delete(AuditEvent).where(AuditEvent.id.in_([e.id for e in events[3:]])))
    session.expire_all()

    assert first_break(session) == (str(BRAND), 4)


def test_two_events_swapped_break_the_chain_at_the_first_of_them(session: Session) -> None:
    events = write(session, 5)
    audit_service.seal(session)
    second, third = events[1].id, events[2].id
    for event_id, seq in ((second, -1), (third, 2), (second, 3)):
        session.execute(
            update(AuditEvent).where(AuditEvent.id == event_id).values(seq=seq),
            execution_options={"synchronize_session": False},
        )
    session.expire_all()

    assert first_break(session) == (str(BRAND), 2)


def test_a_changed_event_not_sealed_yet_is_found_by_its_content_hash(session: Session) -> None:
    [event] = write(session, 1)
    session.execute(
        update(AuditEvent).where(AuditEvent.id == event.id).values(action="test.other"),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()

    verification = audit_service.verify(session)

    assert verification.changed_unsealed == [event.id]
    assert not verification.is_intact


def test_pruning_keeps_the_rest_of_the_chain_verifiable_and_is_audited(session: Session) -> None:
    write(session, 6)
    write(session, 2, brand_id=OTHER)
    audit_service.seal(session)

    with clock.travel_to(START + timedelta(days=400)):
        pruned = audit_service.prune(session, brand_id=BRAND, before=START + timedelta(minutes=4))
    audit_service.seal(session)

    assert pruned == 4
    state = session.get_one(AuditChain, str(BRAND))
    assert (state.pruned_seq, state.last_seq) == (4, 7)
    left = session.execute(
        select(AuditEvent.seq, AuditEvent.action)
        .where(AuditEvent.chain == str(BRAND))
        .order_by(AuditEvent.seq)
    ).all()
    assert left == [(5, "test.happened"), (6, "test.happened"), (7, "audit.pruned")]
    assert audit_service.verify(session).is_intact
    other = session.scalar(select(AuditChain.pruned_seq).where(AuditChain.chain == str(OTHER)))
    assert other == 0


def test_a_checkpoint_moved_by_hand_to_hide_deleted_events_is_found(session: Session) -> None:
    events = write(session, 5)
    audit_service.seal(session)
    session.execute(delete(AuditEvent).where(AuditEvent.id.in_([e.id for e in events[:2]])))
    state = session.get_one(AuditChain, str(BRAND))
    state.pruned_seq = 2
    state.pruned_hash = events[1].chain_hash or ""
    session.flush()
    session.expire_all()

    assert first_break(session) == (str(BRAND), 2)


def test_pruning_again_later_moves_the_checkpoint_and_verifies(session: Session) -> None:
    write(session, 6)
    audit_service.seal(session)
    with clock.travel_to(START + timedelta(days=400)):
        first = audit_service.prune(session, brand_id=BRAND, before=START + timedelta(minutes=2))
    with clock.travel_to(START + timedelta(days=800)):
        second = audit_service.prune(session, brand_id=BRAND, before=START + timedelta(days=500))
    audit_service.seal(session)

    assert (first, second) == (2, 5)
    remaining = session.scalars(
        select(AuditEvent.action).where(AuditEvent.chain == str(BRAND)).order_by(AuditEvent.seq)
    ).all()
    assert remaining == ["audit.pruned"]
    assert audit_service.verify(session).is_intact
