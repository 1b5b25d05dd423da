"""The simulated day: a discrete-event loop in virtual time through the real services.

Events (arrivals, experts answering offers, replying, resolving or escalating, customers
giving up, shifts starting and ending) sit on a heap by virtual time; due jobs (triage, offer
expiry, dispatch, escalation after the program's max wait, pay) sit in the jobs table. The loop
always takes whichever comes first and runs it with this thread's clock frozen at its instant
(``clock.frozen_at``), so every timestamp the services write is the virtual one and a run with
the same seed repeats exactly. A job runs inline, in a savepoint (a failed one leaves nothing, as
in the job runner; its payload round-tripped through JSON); one that fails is recorded as dead
and counted.

An event the world has overtaken (an offer rescinded before the expert's answer, a ticket
escalated before its customer gives up) is undone to its savepoint and skipped, as a real
client would get a 409.
"""

import heapq
import itertools
import json
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from gigcx.errors import DomainError
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.events import EVENT_JOB
from gigcx.jobs.models import Job
from gigcx.jobs.registry import get_task
from gigcx.kit import clock
from gigcx.planning.simulation.people import (
    ExpertPlan,
    Mix,
    OfferDraws,
    TicketPlan,
    escalation_chance,
    handle_seconds,
)
from gigcx.planning.simulation.world import World
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import OfferStatus, TicketStatus
from gigcx.tickets.models import Offer, Ticket
from gigcx.tickets.schemas import TicketCreate

WAITING = frozenset({TicketStatus.NEW, TicketStatus.QUEUED, TicketStatus.OFFERED})
# Share of the offers an expert does not accept that they decline (the rest lapse).
DECLINE_SHARE = 0.6
JOB_BATCH = 64
# Jobs that only tell people outside the simulated day (mail, webhooks, notifications): they
# change nothing the day measures, so they are marked done without running.
NOT_SIMULATED = frozenset({EVENT_JOB})
BODIES = {
    "en": "Hello, I need some help with {topic}. Can you take a look, please?",
    "es": "Hola, necesito ayuda con {topic}. ¿Pueden revisarlo, por favor?",
    "fr": "Bonjour, j'ai besoin d'aide pour {topic}. Pouvez-vous regarder, s'il vous plaît ?",
    "de": "Hallo, ich brauche Hilfe bei {topic}. Können Sie sich das bitte ansehen?",
    "pt": "Olá, preciso de ajuda com {topic}. Podem verificar, por favor?",
}
FIRST_REPLY = "Thanks for writing in. I'm on it and will get back to you in a moment."
ESCALATION_REASON = "This needs the in-house team's access to the account."

Progress = Callable[[int, int], None]


@dataclass
class Fate:
    """What the simulation did to one ticket (the database holds the rest)."""

    plan: TicketPlan
    ticket_id: uuid.UUID | None = None
    expert_number: int | None = None
    level: int = 0
    accepted_at: float | None = None
    abandoned_at: float | None = None
    handle: float = 0.0


@dataclass
class DayLog:
    """What one simulated day did, besides what it left in the database."""

    fates: list[Fate]
    start: datetime
    horizon: float
    steps: int = 0
    jobs_done: Counter[str] = field(default_factory=Counter)
    jobs_failed: Counter[str] = field(default_factory=Counter)
    jobs_not_simulated: Counter[str] = field(default_factory=Counter)
    job_seconds: dict[str, float] = field(default_factory=dict)  # wall time per job name
    skipped: Counter[str] = field(default_factory=Counter)
    wall_seconds: float = 0.0
    first_failure: str | None = None


class Day:
    """Play one day of ``tickets`` against ``world``'s experts; ``run`` returns the log."""

    def __init__(
        self,
        session: Session,
        world: World,
        mix: Mix,
        tickets: list[TicketPlan],
        streams: list[OfferDraws],
        *,
        start: datetime,
        drain_seconds: float,
        progress: Progress | None = None,
    ) -> None:
        self.session = session
        self.world = world
        self.mix = mix
        self.start = start
        self.streams = streams
        self.progress = progress
        self.log = DayLog(
            [Fate(plan) for plan in tickets], start=start, horizon=24 * 3600 + drain_seconds
        )
        self.now = 0.0
        self._events: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._seen_offers: set[uuid.UUID] = set()
        self._fate_of: dict[uuid.UUID, Fate] = {}
        self._arrived = 0
        self._number_of = {expert_id: plan.number for expert_id, plan in world.experts.items()}
        self._plans = {plan.number: plan for plan in world.experts.values()}
        # Offers flushed since the last look: read back by id, so the look costs nothing
        # however many offers the day has made (a savepoint rolled back leaves none behind).
        self._new_offers: list[uuid.UUID] = []
        event.listen(session, "pending_to_persistent", self._collect_offer)

    def _collect_offer(self, _session: Session, instance: object) -> None:
        if isinstance(instance, Offer):
            self._new_offers.append(instance.id)

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> DayLog:
        began = time.perf_counter()
        for fate in self.log.fates:
            self._at(fate.plan.at, partial(self._arrive, fate))
        for plan in self.world.experts.values():
            for online, offline in plan.shifts:
                self._at(online, partial(self._presence, plan, Presence.AVAILABLE))
                self._at(
                    min(offline, self.log.horizon), partial(self._presence, plan, Presence.OFFLINE)
                )
        while self._step():
            pass
        self.session.flush()
        self.log.wall_seconds = time.perf_counter() - began
        return self.log

    def moment(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def _seconds(self, moment: datetime) -> float:
        return (moment - self.start).total_seconds()

    def _step(self) -> bool:
        job_at = self.session.scalar(
            select(Job.run_at).where(Job.status == JobStatus.QUEUED).order_by(Job.run_at).limit(1)
        )
        job_seconds = self._seconds(job_at) if job_at is not None else None
        event_at = self._events[0][0] if self._events else None
        if (
            job_seconds is not None
            and job_seconds <= self.log.horizon
            and (event_at is None or job_seconds <= event_at)
        ):
            self.now = max(job_seconds, self.now)
            with clock.frozen_at(self.moment(self.now)):
                self._run_jobs()
                self._notice_offers()
            return True
        if event_at is None or event_at > self.log.horizon:
            return False
        at, _, action = heapq.heappop(self._events)
        self.now = max(at, self.now)
        self.log.steps += 1
        with clock.frozen_at(self.moment(self.now)):
            try:
                with self.session.begin_nested():
                    action()
            except DomainError as error:
                self.log.skipped[type(error).__name__] += 1
            self._notice_offers()
        return True

    def _run_jobs(self) -> None:
        """Run every job due now, in order, each in its own savepoint."""
        moment = clock.now()
        while True:
            jobs = self.session.scalars(
                select(Job)
                .where(Job.status == JobStatus.QUEUED, Job.run_at <= moment)
                .order_by(Job.run_at, Job.created_at)
                .limit(JOB_BATCH)
            ).all()
            if not jobs:
                return
            for job in jobs:
                job.attempts += 1
                began = time.perf_counter()
                if job.name in NOT_SIMULATED:
                    job.status = JobStatus.DONE
                    job.finished_at = moment
                    self.log.jobs_not_simulated[job.name] += 1
                    continue
                try:
                    task = get_task(job.name)
                    with self.session.begin_nested():
                        task.run(self.session, json.loads(json.dumps(job.payload)))
                except Exception:
                    job.status = JobStatus.DEAD
                    job.last_error = traceback.format_exc(limit=8)
                    self.log.jobs_failed[job.name] += 1
                    if self.log.first_failure is None:
                        self.log.first_failure = f"{job.name}: {job.last_error}"
                else:
                    job.status = JobStatus.DONE
                    self.log.jobs_done[job.name] += 1
                job.finished_at = moment
                spent = time.perf_counter() - began
                self.log.job_seconds[job.name] = self.log.job_seconds.get(job.name, 0.0) + spent
            self.session.flush()

    def _at(self, at: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._events, (at, next(self._order), action))

    # -- customers --------------------------------------------------------------------------

    def _arrive(self, fate: Fate) -> None:
        plan = fate.plan
        program_id = self.world.program_id
        topic = plan.category.replace("-", " ").replace("_", " ")
        body = BODIES.get(plan.language, BODIES["en"]).format(topic=topic)
        request = TicketCreate.model_validate(
            {
                "program_id": program_id,
                "customer": {
                    "email": f"customer{plan.number:05d}@simulation.example",
                    "name": f"Customer {plan.number:05d}",
                },
                "channel": "chat",
                "language": plan.language,
                "category": plan.category,
                "body": body,
            }
        )
        ticket, _ = tickets_service.create_ticket(
            self.session, self.world.intake, request, idempotency_key=None
        )
        routing_service.route_locked(self.session, ticket)
        fate.ticket_id = ticket.id
        self._fate_of[ticket.id] = fate
        self._at(plan.at + plan.patience, partial(self._give_up, fate))
        self._arrived += 1
        if self.progress is not None:
            self.progress(self._arrived, len(self.log.fates))

    def _give_up(self, fate: Fate) -> None:
        """The customer leaves a ticket nobody took yet: the brand withdraws it."""
        if fate.accepted_at is not None or fate.ticket_id is None:
            return
        status = self.session.scalar(select(Ticket.status).where(Ticket.id == fate.ticket_id))
        if status not in WAITING:
            return
        tickets_service.cancel(self.session, self.world.brand_admin, fate.ticket_id)
        fate.abandoned_at = self.now

    # -- experts ----------------------------------------------------------------------------

    def _presence(self, plan: ExpertPlan, presence: Presence) -> None:
        experts_service.set_presence(self.session, self.world.principals[plan.number], presence)

    def _notice_offers(self) -> None:
        """Each expert who got a new offer decides: accept, decline or let it lapse."""
        if not self._new_offers:
            return
        new, self._new_offers = self._new_offers, []
        rows = self.session.execute(
            select(Offer.id, Offer.ticket_id, Offer.expert_id, Offer.expires_at).where(
                Offer.id.in_(new), Offer.status == OfferStatus.PENDING
            )
        ).all()
        found = []
        for offer_id, ticket_id, expert_id, expires_at in rows:
            if offer_id in self._seen_offers:
                continue
            self._seen_offers.add(offer_id)
            number = self._number_of.get(expert_id)
            fate = self._fate_of.get(ticket_id)
            if number is not None and fate is not None:
                found.append((fate.plan.number, number, offer_id, fate, expires_at))
        # In the order of the tickets and experts, not of the offers' random ids.
        for _, number, offer_id, fate, expires_at in sorted(found, key=lambda f: f[:2]):
            plan = self._plans[number]
            decision, delay_draw = self.streams[number].next()
            room = max(self._seconds(expires_at) - self.now - 1.0, 1.0)
            delay = min(3.0 + delay_draw * 30.0, room)
            if decision < plan.accept_chance:
                self._at(self.now + delay, partial(self._accept, fate, plan, offer_id))
            elif decision < plan.accept_chance + (1 - plan.accept_chance) * DECLINE_SHARE:
                self._at(self.now + delay, partial(self._decline, plan, offer_id))
            # else the offer lapses and its expiry job offers the ticket again

    def _accept(self, fate: Fate, plan: ExpertPlan, offer_id: uuid.UUID) -> None:
        principal = self.world.principals[plan.number]
        routing_service.accept_offer(self.session, principal, offer_id)
        fate.accepted_at = self.now
        fate.expert_number = plan.number
        fate.level = plan.skills.get(fate.plan.category, 1)
        fate.handle = handle_seconds(fate.plan, plan, self.mix, fate.level)
        reply_at = self.now + min(fate.plan.reply_after, fate.handle / 2)
        self._at(reply_at, partial(self._reply, fate, plan))
        self._at(self.now + fate.handle, partial(self._finish, fate, plan))

    def _decline(self, plan: ExpertPlan, offer_id: uuid.UUID) -> None:
        routing_service.decline_offer(self.session, self.world.principals[plan.number], offer_id)

    def _reply(self, fate: Fate, plan: ExpertPlan) -> None:
        assert fate.ticket_id is not None
        principal = self.world.principals[plan.number]
        tickets_service.reply(
            self.session, principal, fate.ticket_id, FIRST_REPLY, is_internal=False
        )

    def _finish(self, fate: Fate, plan: ExpertPlan) -> None:
        assert fate.ticket_id is not None
        principal = self.world.principals[plan.number]
        if fate.plan.outcome_draw < escalation_chance(fate.level):
            tickets_service.escalate(
                self.session, principal, fate.ticket_id, reason=ESCALATION_REASON
            )
        else:
            tickets_service.resolve(self.session, principal, fate.ticket_id)
