"""Replay two weeks of support through the real services, in the order things happen.

A discrete-event simulation: customers write in, experts accept or decline offers, reply, ask,
wait, resolve or escalate, the in-house team works escalations and customers rate. Each step
runs with the clock at its moment, and so does the real job runner for every due job (offer
expiry, SLA checks, payments, auto-resolution, closing). Nothing is back-dated afterwards:
every timestamp is the one the services wrote.
"""

import contextlib
import heapq
import itertools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gigcx import tasks
from gigcx.demo import compose, content
from gigcx.demo.world import BrandRef, ExpertRef, Progress, World
from gigcx.errors import DomainError
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.jobs import runner
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.kit import clock
from gigcx.quality import service as quality_service
from gigcx.quality.enums import RatingReason
from gigcx.quality.schemas import RatingCreate
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, TicketStatus
from gigcx.tickets.models import Offer, Ticket

assert tasks  # the job runner needs every handler registered

# How an accepted ticket goes on, and how often.
PATHS = {"quick": 45, "question": 24, "wait_reply": 12, "wait_silent": 6, "escalate": 7}
RATING_SHARE = 0.6
SWEEP_EVERY = timedelta(minutes=15)
SILENCE_WINDOW = timedelta(hours=72)


def _minutes(rng: random.Random, low: float, high: float, factor: float = 1.0) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high) * factor)


@dataclass
class Thread:
    """What the simulation remembers about one ticket."""

    ticket_id: uuid.UUID
    draft: compose.Draft
    path: str
    handled_in_house: bool = False


class History:
    """Write ``count`` tickets between ``world.start`` and ``world.horizon`` and play them out."""

    def __init__(
        self,
        session: Session,
        world: World,
        rng: random.Random,
        progress: Progress,
        *,
        checkpoint: Callable[[], bool] | None = None,
    ) -> None:
        self.session = session
        self.world = world
        self.rng = rng
        self.progress = progress
        # Called between steps; when it committed, the next transaction has a new connection.
        self.checkpoint = checkpoint
        self.composer = compose.Composer(rng, world.programs)
        self.factory = self._runner_sessions()
        self.jobs = runner.RunStats()
        self._events: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._seen_offers: set[uuid.UUID] = set()
        self._threads: dict[uuid.UUID, Thread] = {}
        self._written = 0
        self._total = 0

    # -- the loop ---------------------------------------------------------------------------

    def play(self, count: int, *, total: int) -> None:
        """Schedule ``count`` arrivals over the period and run everything due before the horizon."""
        self._total = total
        for at in self._arrival_times(count):
            self._at(at, self._arrive)
        self._schedule_shifts()
        sweep = self.world.start + SWEEP_EVERY
        while sweep < self.world.horizon:
            for brand in self.world.brands:
                self._at(sweep, partial(self._sweep, brand))
            sweep += SWEEP_EVERY
        while self._step():
            self.commit_if_due()

    def commit_if_due(self) -> None:
        """Let the checkpoint commit (staged seeding); the runner then needs the new connection."""
        if self.checkpoint is not None and self.checkpoint():
            self.factory = self._runner_sessions()

    def _runner_sessions(self) -> sessionmaker[Session]:
        # The job runner's sessions share this unit of work: their commits release savepoints.
        return sessionmaker(
            bind=self.session.connection(),
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )

    def _step(self) -> bool:
        job_at = self.session.scalar(
            select(func.min(Job.run_at)).where(Job.status == JobStatus.QUEUED)
        )
        event_at = self._events[0][0] if self._events else None
        if (
            job_at is not None
            and job_at <= self.world.horizon
            and (event_at is None or job_at <= event_at)
        ):
            with clock.travel_to(job_at):
                self.run_jobs()
            return True
        if event_at is None or event_at > self.world.horizon:
            return False
        at, _, action = heapq.heappop(self._events)
        with clock.travel_to(at):
            # The world may have moved on (an offer expired first, a ticket closed): then the
            # step is undone to its savepoint and skipped, as a real client would see a 409.
            with contextlib.suppress(DomainError), self.session.begin_nested():
                action()
            self._notice_offers()
        return True

    def run_jobs(self) -> None:
        """Run every due job with the real job runner, then react to the offers it made."""
        self.session.flush()
        stats = runner.run_until_idle(self.factory)
        self.jobs.done += stats.done
        self.jobs.failed += stats.failed
        self._notice_offers()

    def _at(self, at: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self._events, (at, next(self._order), action))

    def _after(self, delay: timedelta, action: Callable[[], None]) -> None:
        self._at(clock.now() + delay, action)

    def _schedule_shifts(self) -> None:
        """Each expert works shifts in their own time zone, on some days of the week."""
        start, horizon = self.world.start, self.world.horizon
        for expert in self.world.experts.values():
            if not expert.active_program_ids:
                continue
            zone = ZoneInfo(expert.timezone)
            day = (start - timedelta(days=1)).astimezone(zone).date()
            while day <= horizon.astimezone(zone).date():
                if self.rng.random() < expert.work_days / 7:
                    hour = expert.shift_start + self.rng.uniform(-1, 1)
                    begins = datetime.combine(day, time(0), zone) + timedelta(hours=hour)
                    ends = begins + timedelta(hours=expert.shift_hours * self.rng.uniform(0.8, 1.2))
                    if ends > start:
                        online = partial(self._presence, expert, Presence.AVAILABLE)
                        self._at(max(begins.astimezone(UTC), start), online)
                        self._at(
                            ends.astimezone(UTC), partial(self._presence, expert, Presence.OFFLINE)
                        )
                day += timedelta(days=1)

    def _presence(self, expert: ExpertRef, presence: Presence) -> None:
        experts_service.set_presence(self.session, expert.principal, presence)

    def _arrival_times(self, count: int) -> list[datetime]:
        """Spread arrivals over the period, busier in European and American daytime."""
        start, end = self.world.start, self.world.horizon - timedelta(minutes=20)
        span = (end - start).total_seconds()
        times: list[datetime] = []
        while len(times) < count:
            at = start + timedelta(seconds=self.rng.uniform(0, span))
            busy = 1.0 if 8 <= at.hour <= 21 else 0.5 if at.hour in (6, 7, 22, 23) else 0.15
            if self.rng.random() < busy:
                times.append(at)
        return sorted(times)

    # -- customers --------------------------------------------------------------------------

    def write_in(self, draft: compose.Draft, path: str) -> Ticket:
        """Create the ticket through the brand's API key and route it, as the API does."""
        brand = draft.program.brand
        ticket, _ = tickets_service.create_ticket(
            self.session, brand.intake, draft.request, idempotency_key=None
        )
        routing_service.route_locked(self.session, ticket)
        self._threads[ticket.id] = Thread(ticket.id, draft, path)
        self._written += 1
        self.progress("tickets", self._written, self._total)
        return ticket

    def _arrive(self) -> None:
        draft = self.composer.draft(clock.now())
        self.write_in(draft, compose.pick(self.rng, PATHS))

    def _customer_answers(self, thread: Thread) -> None:
        body = compose.follow_up(self.rng, thread.draft.language)
        brand = thread.draft.program.brand
        tickets_service.add_customer_message(self.session, brand.intake, thread.ticket_id, body)

    def _rate(self, thread: Thread, quality: float) -> None:
        score = min(5, max(1, round(self.rng.gauss(quality, 0.8))))
        reason = self._reason(score, thread.draft.program.brand.spec.key)
        comments = content.RATING_COMMENTS[score]
        comment = self.rng.choice(comments) if thread.draft.language == "en" else ""
        quality_service.rate_ticket(
            self.session,
            thread.draft.program.brand.intake,
            thread.ticket_id,
            RatingCreate(score=score, reason=reason, comment=comment),
        )

    def _reason(self, score: int, brand_key: str) -> RatingReason:
        r = RatingReason
        outside = r.SHIPPING if brand_key == "outdoor" else r.POLICY
        options = {
            5: {r.HELPFUL: 5, r.FAST: 3, r.FRIENDLY: 3},
            4: {r.HELPFUL: 5, r.FAST: 2, r.FRIENDLY: 2, outside: 1},
            3: {r.SLOW: 3, r.OTHER: 2, outside: 3, r.PRODUCT: 2},
            2: {r.SLOW: 3, r.UNHELPFUL: 3, outside: 3, r.WRONG_ANSWER: 2, r.PRODUCT: 1},
            1: {r.UNHELPFUL: 3, r.WRONG_ANSWER: 2, outside: 3, r.RUDE: 1, r.PRODUCT: 1},
        }
        return compose.pick(self.rng, options[score])

    # -- experts ----------------------------------------------------------------------------

    def _notice_offers(self) -> None:
        """Let each expert who got a new offer decide: accept, decline or let it lapse."""
        rows = self.session.execute(
            select(Offer.id, Offer.ticket_id, Offer.expert_id, Offer.created_at, Offer.expires_at)
            .where(Offer.status == OfferStatus.PENDING)
            .order_by(Offer.created_at, Offer.rank)
        ).all()
        for offer_id, ticket_id, expert_id, offered_at, expires_at in rows:
            if offer_id in self._seen_offers:
                continue
            self._seen_offers.add(offer_id)
            expert = self.world.experts[expert_id]
            thread = self._threads.get(ticket_id)
            if thread is None:
                continue
            ttl = (expires_at - offered_at).total_seconds()
            roll = self.rng.random()
            if roll < expert.accept_rate:
                delay = timedelta(seconds=self.rng.uniform(0.05, 0.7) * ttl)
                self._at(offered_at + delay, partial(self._accept, thread, expert, offer_id))
            elif roll < expert.accept_rate + (1 - expert.accept_rate) * 0.75:
                delay = timedelta(seconds=self.rng.uniform(0.05, 0.5) * ttl)
                self._at(offered_at + delay, partial(self._decline, expert, offer_id))
            # else the offer lapses and the job runner expires it

    def _accept(self, thread: Thread, expert: ExpertRef, offer_id: uuid.UUID) -> None:
        routing_service.accept_offer(self.session, expert.principal, offer_id)
        email = thread.draft.request.channel == "email"
        delay = _minutes(self.rng, 1, 12, expert.speed) if email else _minutes(self.rng, 0.2, 3)
        self._after(delay, partial(self._greet, thread, expert))

    def _decline(self, expert: ExpertRef, offer_id: uuid.UUID) -> None:
        routing_service.decline_offer(self.session, expert.principal, offer_id)

    def _say(self, thread: Thread, expert: ExpertRef, body: str) -> None:
        tickets_service.reply(
            self.session, expert.principal, thread.ticket_id, body, is_internal=False
        )

    def _greet(self, thread: Thread, expert: ExpertRef) -> None:
        rng, language = self.rng, thread.draft.language
        body = compose.first_reply(
            rng, language, thread.draft.customer.first_name, expert.first_name
        )
        if thread.path == "quick":
            self._say(thread, expert, body)
            self._after(_minutes(rng, 2, 18, expert.speed), partial(self._solve, thread, expert))
            return
        if thread.path == "escalate":
            self._say(thread, expert, body)
            self._after(_minutes(rng, 3, 15, expert.speed), partial(self._escalate, thread, expert))
            return
        self._say(thread, expert, f"{body}\n\n{compose.question(rng, language)}")
        if thread.path == "question":
            self._after(_minutes(rng, 2, 30), partial(self._answer_then_solve, thread, expert))
            return
        tickets_service.mark_waiting(self.session, expert.principal, thread.ticket_id)
        if thread.path == "wait_reply":
            wait = timedelta(hours=rng.uniform(0.5, 30))
            self._after(wait, partial(self._answer_then_solve, thread, expert))
        elif rng.random() < 0.3:
            # Silent customers' tickets resolve after the program's window; some still rate.
            later = SILENCE_WINDOW + timedelta(hours=rng.uniform(2, 30))
            self._after(later, partial(self._rate, thread, expert.quality))

    def _answer_then_solve(self, thread: Thread, expert: ExpertRef) -> None:
        self._customer_answers(thread)
        self._after(_minutes(self.rng, 1, 12, expert.speed), partial(self._solve, thread, expert))

    def _solve(self, thread: Thread, expert: ExpertRef) -> None:
        body = compose.solution(self.rng, thread.draft.language, thread.draft.category.key)
        self._say(thread, expert, body)
        tickets_service.resolve(self.session, expert.principal, thread.ticket_id)
        if self.rng.random() < RATING_SHARE:
            delay = timedelta(minutes=self.rng.uniform(5, 600))
            self._after(delay, partial(self._rate, thread, expert.quality))

    def _escalate(self, thread: Thread, expert: ExpertRef) -> None:
        reasons = content.ESCALATION_REASONS[thread.draft.program.brand.spec.key]
        tickets_service.escalate(
            self.session, expert.principal, thread.ticket_id, reason=self.rng.choice(reasons)
        )

    # -- the in-house team ------------------------------------------------------------------

    def _sweep(self, brand: BrandRef) -> None:
        """The in-house agent answers the brand's escalations that waited at least 5 minutes."""
        cutoff = clock.now() - timedelta(minutes=5)
        escalated = self.session.scalars(
            select(Ticket.id)
            .where(
                Ticket.brand_id == brand.id,
                Ticket.status == TicketStatus.ESCALATED,
                Ticket.status_changed_at <= cutoff,
            )
            .order_by(Ticket.status_changed_at)
        ).all()
        for ticket_id in escalated:
            thread = self._threads.get(ticket_id)
            if thread is None or thread.handled_in_house:
                continue
            thread.handled_in_house = True
            body = compose.agent_reply(
                thread.draft.language,
                customer=thread.draft.customer.first_name,
                agent=brand.agent_first_name,
                brand=brand.spec.name,
            )
            tickets_service.reply(self.session, brand.agent, ticket_id, body, is_internal=False)
            self._after(_minutes(self.rng, 5, 50), partial(self._resolve_in_house, thread, brand))

    def _resolve_in_house(self, thread: Thread, brand: BrandRef) -> None:
        tickets_service.resolve(self.session, brand.agent, thread.ticket_id)
        # Customers rate the team, not an expert who handed the ticket on in good faith.
        if thread.path != "escalate" and self.rng.random() < 0.35:
            delay = timedelta(minutes=self.rng.uniform(10, 300))
            self._after(delay, partial(self._rate, thread, 4.1))
