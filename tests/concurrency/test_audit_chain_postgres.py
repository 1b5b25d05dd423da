"""Many writers and two sealers on PostgreSQL: one valid chain per brand, no place twice.

Writers never wait for the sealer (an event is inserted with its content hash only); sealers
take turns on an advisory lock, and the second one goes on from where the first one stopped.
"""

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.audit import service as audit_service
from gigcx.audit.models import AuditChain, AuditEvent
from gigcx.auth.principal import SYSTEM
from gigcx.db.session import make_engine, open_session, transaction_options, unit_of_work
from tests.concurrency.conftest import wait_until_blocked

BRANDS = (uuid.uuid4(), uuid.uuid4(), None)
WRITERS = 6
ROUNDS = 10
PER_ROUND = 5


@pytest.fixture
def engine(committing_database_url: str) -> Iterator[Engine]:
    engine = make_engine(committing_database_url, pool_size=12)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(
        bind=engine, expire_on_commit=False, execution_options=transaction_options(writes=True)
    )


def write(factory: sessionmaker[Session], brand_id: uuid.UUID | None, count: int) -> None:
    with unit_of_work(factory) as session:
        for n in range(count):
            audit_service.record(
                session,
                actor=SYSTEM,
                action="test.happened",
                subject_type="thing",
                subject_id=uuid.uuid4(),
                brand_id=brand_id,
                data={"n": n},
            )


def places(factory: sessionmaker[Session]) -> dict[str, list[int]]:
    with factory() as session:
        rows = session.execute(
            select(AuditEvent.chain, AuditEvent.seq).order_by(AuditEvent.chain, AuditEvent.seq)
        ).all()
    found: dict[str, list[int]] = {}
    for chain, seq in rows:
        assert seq is not None, "every event is sealed by now"
        found.setdefault(str(chain), []).append(seq)
    return found


def test_a_second_sealer_waits_for_the_first_and_writers_wait_for_neither(
    factory: sessionmaker[Session],
) -> None:
    brand = BRANDS[0]
    write(factory, brand, 3)
    first = open_session(factory, writes=True)
    assert audit_service.seal(first) == 3  # holds the sealing lock until it commits
    second_sealed: list[int] = []

    def second_sealer() -> None:
        with unit_of_work(factory) as session:
            second_sealed.append(audit_service.seal(session))

    thread = threading.Thread(target=second_sealer)
    thread.start()
    wait_until_blocked(factory, thread, event="advisory")
    # A writer commits while both sealers hold or wait for the lock.
    write(factory, brand, 2)
    first.commit()
    first.close()
    thread.join()

    assert second_sealed == [2]
    assert places(factory) == {str(brand): [1, 2, 3, 4, 5]}
    with factory() as session:
        assert audit_service.verify(session).is_intact


def test_concurrent_writers_and_two_sealers_make_one_valid_chain_per_brand(
    factory: sessionmaker[Session],
) -> None:
    start = threading.Barrier(WRITERS + 2)
    writers_done = threading.Event()
    errors: list[BaseException] = []
    sealed: list[int] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for round_ in range(ROUNDS):
                write(factory, BRANDS[(number + round_) % len(BRANDS)], PER_ROUND)
        except BaseException as error:
            errors.append(error)

    def sealer() -> None:
        try:
            start.wait()
            while True:
                # Read before sealing: a last pass after the writers finished seals the rest.
                finished = writers_done.is_set()
                with unit_of_work(factory) as session:
                    sealed.append(audit_service.seal(session))
                if finished:
                    return
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    threads += [threading.Thread(target=sealer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads[:WRITERS]:
        thread.join()
    writers_done.set()
    for thread in threads[WRITERS:]:
        thread.join()

    assert errors == []
    total = WRITERS * ROUNDS * PER_ROUND
    assert sum(sealed) == total
    found = places(factory)
    assert sorted(found) == sorted(audit_service.chain_of(b) for b in BRANDS)
    for seqs in found.values():
        assert seqs == list(range(1, len(seqs) + 1))
    assert sum(len(seqs) for seqs in found.values()) == total
    with factory() as session:
        assert session.scalar(select(func.count()).where(AuditEvent.seq.is_(None))) == 0
        heads = dict(session.execute(select(AuditChain.chain, AuditChain.last_seq)).all())
        verification = audit_service.verify(session)
    assert heads == {chain: len(seqs) for chain, seqs in found.items()}
    assert verification.is_intact
    assert sum(r.checked for r in verification.reports) == total
