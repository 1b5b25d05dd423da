"""Two reviewers approve two answers for the same intent and language at the same moment.

The first approval holds the bot's slot uncommitted; the second one's write is proven to wait
on it (PostgreSQL shows its backend waiting on a lock) before the first commits. Then the second
is refused with a 409 that says why, and the program keeps exactly one bot answer.
"""

import queue
import threading
import uuid

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from gigcx.assist import service as assist_service
from gigcx.assist.enums import AnswerStatus
from gigcx.assist.errors import BotSlotTaken
from gigcx.assist.models import Answer
from gigcx.assist.schemas import AnswerReview
from gigcx.auth.principal import SYSTEM
from gigcx.db.session import make_engine
from gigcx.errors import DomainError
from tests.factories.brands import make_brand, make_program


def proposals(factory: sessionmaker[Session]) -> list[uuid.UUID]:
    with factory() as session:
        program = make_program(session, make_brand(session))
        answers = [
            Answer(
                brand_id=program.brand_id,
                program_id=program.id,
                intent="billing",
                language="en",
                title=f"Double charges {n}",
                body=f"A double charge drops off within {n + 2} days.",
                status=AnswerStatus.PROPOSED,
            )
            for n in range(2)
        ]
        session.add_all(answers)
        session.commit()
        return [a.id for a in answers]


def test_concurrent_approvals_leave_one_bot_answer_and_refuse_the_other(
    committing_database_url: str,
) -> None:
    engine = make_engine(committing_database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    first_id, second_id = proposals(factory)
    approve = AnswerReview(decision=AnswerStatus.APPROVED)
    second_pid: queue.Queue[int] = queue.Queue()
    outcome: queue.Queue[BaseException | None] = queue.Queue()

    def second_reviewer() -> None:
        with factory() as session:
            second_pid.put(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
            try:
                assist_service.review_answer(session, SYSTEM, second_id, approve)
                session.commit()
                outcome.put(None)
            except DomainError as error:
                session.rollback()
                outcome.put(error)

    with factory() as first:
        assist_service.review_answer(first, SYSTEM, first_id, approve)  # flushed, not committed
        thread = threading.Thread(target=second_reviewer)
        thread.start()
        pid = second_pid.get(timeout=60)
        with engine.connect() as watcher:
            waited = False
            # Until the second approval waits on a lock, or ends without ever waiting.
            while not waited and thread.is_alive():
                state = watcher.execute(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": pid},
                ).scalar_one_or_none()
                waited = state == "Lock"
                watcher.rollback()
        assert waited, "the second approval never waited on the first one's slot"
        first.commit()
    thread.join()
    refused = outcome.get_nowait()

    assert isinstance(refused, BotSlotTaken)
    assert refused.status_code == 409
    with factory() as session:
        rows = session.execute(
            select(Answer.id, Answer.status, Answer.is_bot_answer).order_by(Answer.title)
        ).all()
    assert [tuple(r) for r in rows] == [
        (first_id, AnswerStatus.APPROVED, True),
        (second_id, AnswerStatus.PROPOSED, False),
    ]
    engine.dispose()
