"""The done-when test: 200 Zendesk tickets synced two ways, a crash in the middle, no duplicate.

Only Zendesk is fake (a real HTTP server replaying its documented payload shapes); the database,
the job runner, intake, routing, the event subscribers and the push jobs are the real ones.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.helpdesk import service as helpdesk_service
from gigcx.channels.helpdesk.enums import Direction, SyncStatus
from gigcx.channels.helpdesk.models import HelpdeskComment, HelpdeskLink, HelpdeskSync
from gigcx.channels.helpdesk.service import _push
from gigcx.channels.helpdesk.zendesk import HANDED_BACK_TAG
from gigcx.jobs import service as jobs_service
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, OfferStatus
from gigcx.tickets.models import Message, Offer, Ticket
from tests.factories.experts import as_expert, make_expert
from tests.factories.helpdesk import HANDBACK_GROUP, TAG, connect, helpdesk_program
from tests.factories.tickets import run_jobs
from tests.servers.zendesk import AGENT_ID, FakeClock, Zendesk

COUNT = 200


class ProcessKilled(BaseException):
    """The job runner's process dies: nothing after this point runs or commits."""


def is_resolved(i: int) -> bool:
    return i % 5 == 0


def is_escalated(i: int) -> bool:
    return i % 7 == 0 and not is_resolved(i)


def has_note(i: int) -> bool:
    return i % 4 == 0


def test_200_tickets_sync_both_ways_through_a_crash_without_a_duplicate_comment(
    session: Session,
    factory: sessionmaker[Session],
    zendesk: Zendesk,
    limiter_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = helpdesk_program(session)
    expert = make_expert(session, programs=[program], capacity={"api": COUNT + 10})
    connection = connect(session, program)
    session.commit()
    external = []
    for i in range(COUNT):
        requester = zendesk.add_user(f"Customer {i}", f"customer{i}@example.com")
        external.append(
            zendesk.add_ticket(
                subject=f"Order {i}",
                description=f"Question {i}",
                requester_id=requester,
                tags=[TAG],
            )
        )
    bystander = zendesk.add_user("Not ours", "other@example.com")
    others = [
        zendesk.add_ticket(subject="Sales", description="x", requester_id=bystander, tags=["sales"])
        for _ in range(5)
    ]

    # Pull: the export comes in pages of 100; each page queues the next.
    jobs_service.enqueue(session, helpdesk_service.PULL_JOB, {"connection_id": str(connection.id)})
    session.commit()
    run_jobs(factory)

    links = {link.external_ticket_id: link for link in session.scalars(select(HelpdeskLink)).all()}
    assert sorted(links) == sorted(t.id for t in external)
    assert not any(t.id in links for t in others)
    exports = [p for m, p in zendesk.requests if p.endswith("/incremental/tickets/cursor.json")]
    assert len(exports) == (COUNT + 5) // 100 + 1  # pages of 100

    # The expert answers every ticket through the services; some get notes, some are resolved,
    # some escalated.
    me = as_expert(expert)
    for i, ticket in enumerate(external):
        ticket_id = links[ticket.id].ticket_id
        offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket_id)).one()
        assert offer.status == OfferStatus.PENDING
        routing_service.accept_offer(session, me, offer.id)
        tickets_service.reply(session, me, ticket_id, f"Answer {i}", is_internal=False)
        if has_note(i):
            tickets_service.reply(session, me, ticket_id, f"Note {i}", is_internal=True)
        if is_resolved(i):
            tickets_service.resolve(session, me, ticket_id)
        elif is_escalated(i):
            tickets_service.escalate(session, me, ticket_id, reason=f"Refund over limit {i}")
    session.commit()

    # The crash: the first five updates are applied by Zendesk and then the connection drops;
    # later the job runner's process dies right after Zendesk took a write (the 150th of 200).
    zendesk.drop_after_write = 5
    real_record_done = _push.record_done
    calls = 0

    def dying_record_done(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == COUNT * 3 // 4:
            raise ProcessKilled()
        real_record_done(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_push, "record_done", dying_record_done)
    with pytest.raises(ProcessKilled):
        run_jobs(factory)
    monkeypatch.setattr(_push, "record_done", real_record_done)
    session.expire_all()
    stuck = session.scalars(
        select(Job).where(Job.name == helpdesk_service.PUSH_JOB, Job.status == JobStatus.RUNNING)
    ).all()
    assert len(stuck) == 1

    # The rerun: other runners go on; the dead one's lease runs out; retries come due.
    run_jobs(factory)
    for minutes in (5, 30, 120):
        with clock.shifted(timedelta(minutes=minutes)):
            run_jobs(factory)

    syncs = session.scalars(select(HelpdeskSync)).all()
    assert {sync.status for sync in syncs} == {SyncStatus.DONE}
    expected_writes = sum(1 + has_note(i) + is_resolved(i) + is_escalated(i) for i in range(COUNT))
    assert len(syncs) == expected_writes
    # The five dropped updates were found on the ticket by their markers at the second try;
    # the killed run's writes too (its attempts were rolled back with it).
    assert sorted(sync.attempts for sync in syncs if sync.attempts != 1) == [2] * 5
    updates = [path for method, path in zendesk.requests if method == "PUT"]
    assert len(updates) == expected_writes  # no write was sent twice

    for i, ticket in enumerate(external):
        ours = zendesk.comments_by(ticket.id, AGENT_ID)
        public = [c.body for c in ours if c.public]
        private = [c.body for c in ours if not c.public]
        assert public == [f"Answer {i}"], (i, public)
        expected_private = [f"Note {i}"] if has_note(i) else []
        if is_escalated(i):
            expected_private.append(
                f"GigCX handed this ticket back to your team. Reason: Refund over limit {i}"
            )
        assert private == expected_private, (i, private)
        if is_resolved(i):
            assert ticket.status == "solved"
        elif is_escalated(i):
            assert (ticket.status, ticket.group_id) == ("open", HANDBACK_GROUP)
            assert HANDED_BACK_TAG in ticket.tags
        else:
            assert ticket.status == "new"

    # Customers write again in Zendesk; our own comments echo back through the export too.
    followed_up = [i for i in range(COUNT) if i % 10 == 3]
    for i in followed_up:
        zendesk.customer_writes(external[i].id, f"Follow-up {i}")
    for _ in range(2):
        connection = session.merge(connection)
        jobs_service.enqueue(
            session, helpdesk_service.PULL_JOB, {"connection_id": str(connection.id)}
        )
        session.commit()
        with clock.shifted(timedelta(minutes=150)):
            run_jobs(factory)

    for i, ticket in enumerate(external):
        messages = session.scalars(
            select(Message)
            .where(
                Message.ticket_id == links[ticket.id].ticket_id,
                Message.author_kind == AuthorKind.CUSTOMER,
            )
            .order_by(Message.created_at, Message.id)
        ).all()
        bodies = [message.body for message in messages]
        expected = [f"Question {i}"] + ([f"Follow-up {i}"] if i in followed_up else [])
        assert bodies == expected, (i, bodies)
        assert len(zendesk.comments_by(ticket.id, AGENT_ID)) == 1 + has_note(i) + is_escalated(i)

    brand_tickets = (
        select(func.count()).select_from(Ticket).where(Ticket.brand_id == program.brand_id)
    )
    assert session.scalar(brand_tickets) == COUNT
    comments_in = (
        select(func.count())
        .select_from(HelpdeskComment)
        .where(HelpdeskComment.direction == Direction.IN)
    )
    assert session.scalar(comments_in) == COUNT + len(followed_up)
    # The limiter paced the calls on its own clock (no real waiting): every call past the
    # burst waited for its token.
    burst = 600 // 10
    assert limiter_clock.slept == pytest.approx((len(zendesk.requests) - burst) * 0.1, abs=0.05)
