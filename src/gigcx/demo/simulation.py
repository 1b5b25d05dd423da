"""The demo's simulated people at work, so a demo left running looks alive.

On demo brands only (``brands.is_demo``), every run of the job ``demo.simulate``:

- keeps a few experts online per program, one for each of its languages where one can be
  (an expert the lapse rule set away comes back when needed);
- lets customers write in now and then while a program's queue is short;
- lets online experts answer their offers after a moment's thought: most accept, some decline,
  a few let them lapse;
- lets experts work what they hold: first the approved answer the bot would send for the
  ticket's topic in its language (else a short holding reply and then a solution), a while
  later they resolve it.

Everything goes through the services a person's request would use (intake, routing, replies,
resolution), so pay, quality and analytics follow as for real work. An expert someone is
signed in as is left to that person.

Each decision is a draw keyed by the schedule's seed, the run and what it is about, and each step
waits on the state it leaves behind (an answered offer is no longer pending, a reply starts the
wait for the next step, a new ticket holds further arrivals off for ARRIVAL_GAP): a run
repeated at the same moment changes nothing, and two job runners never do a step twice.
"""

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.assist import service as assist_service
from gigcx.assist.errors import ReplyBlocked
from gigcx.auth.enums import Role
from gigcx.auth.models import AccessToken, User
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands.models import Brand, Program
from gigcx.db.dialect import locked, serialize
from gigcx.demo import compose
from gigcx.demo.catalog import BRANDS
from gigcx.demo.world import BrandRef, ProgramRef
from gigcx.errors import DomainError
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus, Presence
from gigcx.experts.models import Enrollment, Expert, ExpertLanguage
from gigcx.kit import clock
from gigcx.privacy import orm, scrub
from gigcx.routing import service as routing_service
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, OfferStatus, TicketStatus
from gigcx.tickets.models import Assignment, Customer, Message, Offer, Ticket

# Nobody answers an offer faster than this; then, per run, an expert accepts or declines with
# these chances (about 4 in 5 offers are accepted, 1 in 7 declined, the rest lapse).
THINK_FIRST = timedelta(seconds=15)
ACCEPT_CHANCE = 0.30
DECLINE_CHANCE = 0.06
# Replies come at least this long after the assignment or the last reply, resolution after the
# last reply; per run with these chances.
REPLY_AFTER = timedelta(seconds=40)
REPLY_CHANCE = 0.5
RESOLVE_AFTER = timedelta(seconds=70)
RESOLVE_CHANCE = 0.4
# Customers write in while fewer tickets than this wait in a program, not two in ARRIVAL_GAP.
QUEUE_TARGET = 3
ARRIVAL_CHANCE = 0.15
ARRIVAL_GAP = timedelta(seconds=45)
MIN_ONLINE = 2
# Experts come online to cover a program's language they read at least this well (of 5).
FLUENT = 3
# A run does at most this much of each kind of work; the rest waits for the next run.
MAX_STEPS = 40

WAITING_STATUSES = (TicketStatus.NEW, TicketStatus.QUEUED, TicketStatus.OFFERED)


@dataclass
class Activity:
    """What one run did."""

    came_online: int = 0
    written_in: int = 0
    accepted: int = 0
    declined: int = 0
    replied: int = 0
    resolved: int = 0


def simulate(session: Session, *, seed: int, run: int) -> Activity:
    """Let the demo brands' simulated experts and customers do what is due now; ``run`` counts
    the runs of one schedule, so each run draws anew and a retried run draws the same."""
    activity = Activity()
    brand_ids = list(session.scalars(select(Brand.id).where(Brand.is_demo.is_(True))))
    if not brand_ids:
        return activity
    # Two runners running the simulation at once take turns (PostgreSQL; SQLite has one writer).
    serialize(session, "demo.simulate")
    step = _Run(session, f"{seed}|{run}", brand_ids, activity)
    step.keep_experts_online()
    step.let_customers_write_in()
    step.answer_offers()
    step.work_tickets()
    return activity


class _Run:
    def __init__(
        self, session: Session, draw: str, brand_ids: list[uuid.UUID], activity: Activity
    ) -> None:
        self.session = session
        self.draw = draw
        self.brand_ids = brand_ids
        self.activity = activity
        self.now = clock.now()
        self.people_at_the_keyboard = self._signed_in_experts()

    # -- chance and safety ---------------------------------------------------------------------

    def _chance(self, *about: object) -> float:
        return self._rng(*about).random()

    def _rng(self, *about: object) -> random.Random:
        return random.Random("|".join([self.draw, *map(str, about)]))

    def _attempt(self, step: Callable[[], object]) -> bool:
        """Do one step in a savepoint; a step the world has overtaken (a 409) is skipped."""
        try:
            with self.session.begin_nested():
                step()
        except DomainError:
            return False
        return True

    def _signed_in_experts(self) -> set[uuid.UUID]:
        statement = (
            select(User.expert_id)
            .join(AccessToken, AccessToken.user_id == User.id)
            .where(
                User.expert_id.is_not(None),
                AccessToken.revoked_at.is_(None),
                AccessToken.expires_at > self.now,
            )
        )
        return {expert_id for expert_id in self.session.scalars(statement) if expert_id}

    def _as_expert(self, expert_id: uuid.UUID) -> Principal:
        user_id = self.session.scalar(select(User.id).where(User.expert_id == expert_id))
        return Principal(role=Role.EXPERT, user_id=user_id, expert_id=expert_id)

    # -- presence ------------------------------------------------------------------------------

    def keep_experts_online(self) -> None:
        """Bring simulated experts online where a program has fewer than MIN_ONLINE, or nobody
        online who writes one of its languages."""
        programs = self.session.scalars(
            select(Program).where(Program.brand_id.in_(self.brand_ids)).order_by(Program.slug)
        ).all()
        for program in programs:
            members = self.session.execute(
                select(Expert.id, Expert.presence)
                .join(Enrollment, Enrollment.expert_id == Expert.id)
                .where(
                    Enrollment.program_id == program.id,
                    Enrollment.status == EnrollmentStatus.ACTIVE,
                )
                .order_by(Expert.email)
            ).all()
            online = {e for e, presence in members if presence == Presence.AVAILABLE}
            resting = [
                expert_id
                for expert_id, _ in members
                if expert_id not in online and expert_id not in self.people_at_the_keyboard
            ]
            speaks = self._fluent_languages([expert_id for expert_id, _ in members])
            covering: list[uuid.UUID] = []
            for language in sorted(str(code) for code in program.languages):
                if any(language in speaks.get(e, set()) for e in online | set(covering)):
                    continue
                covering += [e for e in resting if language in speaks.get(e, set())][:1]
            more = max(0, MIN_ONLINE - len(online) - len(covering))
            coming = covering + [e for e in resting if e not in covering][:more]
            for expert_id in coming:
                principal = self._as_expert(expert_id)
                go = partial(
                    experts_service.set_presence, self.session, principal, Presence.AVAILABLE
                )
                if self._attempt(go):
                    self.activity.came_online += 1

    def _fluent_languages(self, expert_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
        rows = self.session.execute(
            select(ExpertLanguage.expert_id, ExpertLanguage.language).where(
                ExpertLanguage.expert_id.in_(expert_ids),
                ExpertLanguage.proficiency >= FLUENT,
            )
        )
        speaks: dict[uuid.UUID, set[str]] = {}
        for expert_id, language in rows:
            speaks.setdefault(expert_id, set()).add(language)
        return speaks

    # -- customers -----------------------------------------------------------------------------

    def let_customers_write_in(self) -> None:
        """Now and then a customer writes in to a demo program whose queue is short."""
        programs = self.session.scalars(
            select(Program)
            .where(Program.brand_id.in_(self.brand_ids), Program.is_open.is_(True))
            .order_by(Program.slug)
        ).all()
        for program in programs:
            ref = _program_ref(self.session, program)
            if ref is None:
                continue
            # One arrival per program at a time: concurrent runs wait here and then see it.
            locked_program = locked(self.session, select(Program).where(Program.id == program.id))
            self.session.scalars(locked_program).one()
            waiting = self.session.scalar(
                select(func.count()).where(
                    Ticket.program_id == program.id, Ticket.status.in_(WAITING_STATUSES)
                )
            )
            newest = self.session.scalar(
                select(func.max(Ticket.created_at)).where(Ticket.program_id == program.id)
            )
            if (waiting or 0) >= QUEUE_TARGET or (newest and newest > self.now - ARRIVAL_GAP):
                continue
            if self._chance("arrival", program.slug) >= ARRIVAL_CHANCE:
                continue
            draft = compose.Composer(self._rng("customer", program.slug), [ref]).draft(
                self.now, program=ref
            )
            if self._attempt(partial(_write_in, self.session, program, draft)):
                self.activity.written_in += 1

    # -- offers --------------------------------------------------------------------------------

    def answer_offers(self) -> None:
        """Simulated experts accept or decline pending offers, or let them lapse."""
        rows = self.session.execute(
            select(
                Offer.id,
                Offer.expert_id,
                Ticket.id,
                Ticket.subject,
                Customer.id,
                Customer.email,
                Expert.email,
            )
            .join(Ticket, Ticket.id == Offer.ticket_id)
            .join(Customer, Customer.id == Ticket.customer_id)
            .join(Expert, Expert.id == Offer.expert_id)
            .where(
                Ticket.brand_id.in_(self.brand_ids),
                Offer.status == OfferStatus.PENDING,
                Offer.expires_at > self.now,
                Offer.created_at <= self.now - THINK_FIRST,
            )
            .order_by(Offer.created_at, Offer.rank)
            .limit(MAX_STEPS)
        ).all()
        for (
            offer_id,
            expert_id,
            ticket_id,
            sealed_subject,
            customer_id,
            sealed_email,
            expert_email,
        ) in rows:
            if expert_id in self.people_at_the_keyboard:
                continue
            subject = orm.open_column(self.session, Ticket.subject, ticket_id, sealed_subject)
            customer_email = orm.open_column(
                self.session, Customer.email, customer_id, sealed_email
            )
            roll = self._chance("offer", subject, customer_email, expert_email)
            principal = self._as_expert(expert_id)
            if roll < ACCEPT_CHANCE:
                accept = partial(routing_service.accept_offer, self.session, principal, offer_id)
                if self._attempt(accept):
                    self.activity.accepted += 1
            elif roll < ACCEPT_CHANCE + DECLINE_CHANCE:
                decline = partial(routing_service.decline_offer, self.session, principal, offer_id)
                if self._attempt(decline):
                    self.activity.declined += 1

    # -- work ----------------------------------------------------------------------------------

    def work_tickets(self) -> None:
        """Simulated experts answer and resolve the tickets they hold."""
        rows = self.session.execute(
            select(Ticket.id, Ticket.assignee_id)
            .where(
                Ticket.brand_id.in_(self.brand_ids),
                Ticket.status == TicketStatus.ASSIGNED,
                Ticket.assignee_id.is_not(None),
            )
            .order_by(Ticket.status_changed_at, Ticket.created_at, Ticket.id)
            .limit(MAX_STEPS)
        ).all()
        for ticket_id, expert_id in rows:
            if expert_id is None or expert_id in self.people_at_the_keyboard:
                continue
            self._attempt(partial(self._work, ticket_id, expert_id))

    def _work(self, ticket_id: uuid.UUID, expert_id: uuid.UUID) -> None:
        # Under the ticket's lock, so a second runner sees this run's reply before it decides.
        ticket = tickets_service.lock_ticket(self.session, SYSTEM, ticket_id)
        if ticket.status != TicketStatus.ASSIGNED or ticket.assignee_id != expert_id:
            return
        started_at = self.session.scalar(
            select(func.max(Assignment.started_at)).where(
                Assignment.ticket_id == ticket.id,
                Assignment.expert_id == expert_id,
                Assignment.ended_at.is_(None),
            )
        )
        if started_at is None:
            return
        messages = self.session.scalars(
            select(Message)
            .where(Message.ticket_id == ticket.id, Message.is_internal.is_(False))
            .order_by(Message.created_at)
        ).all()
        customer_at = max(
            (m.created_at for m in messages if m.author_kind == AuthorKind.CUSTOMER),
            default=ticket.created_at,
        )
        answered_before = any(
            m.author_kind in (AuthorKind.EXPERT, AuthorKind.AGENT, AuthorKind.BOT)
            and m.created_at < customer_at
            for m in messages
        )
        replies = [
            m
            for m in messages
            if m.author_kind == AuthorKind.EXPERT
            and m.author_id == expert_id
            and m.created_at >= started_at
            and m.created_at > customer_at
        ]
        last = max([started_at, *(m.created_at for m in replies)])
        customer = self.session.get_one(Customer, ticket.customer_id)
        plan = self._replies_for(ticket, customer, expert_id, answered_before=answered_before)
        # The demo's own words, for when a pre-send check the program enforces refuses a reply.
        plainer = compose.solution(random.Random(customer.email), ticket.language, ticket.category)
        done = len(replies)
        roll = self._chance("work", ticket.subject, customer.email, done)
        principal = self._as_expert(expert_id)
        if done < len(plan):
            if self.now - last >= REPLY_AFTER and roll < REPLY_CHANCE:
                self._reply(principal, ticket, plan[done], instead=plainer)
                self.activity.replied += 1
        elif self.now - last >= RESOLVE_AFTER and roll < RESOLVE_CHANCE:
            tickets_service.resolve(self.session, principal, ticket.id)
            self.activity.resolved += 1

    def _replies_for(
        self, ticket: Ticket, customer: Customer, expert_id: uuid.UUID, *, answered_before: bool
    ) -> list[str]:
        """The approved answer for the ticket's topic in its language; else hold, then solve."""
        language = ticket.language
        # The same words on every run for one ticket: only the moment of each step is drawn.
        rng = random.Random(f"{ticket.subject}|{customer.email}")
        solution = compose.solution(rng, language, ticket.category)
        if answered_before:
            return [solution]
        first_name = customer.name.split()[0] if customer.name.strip() else None
        answer = assist_service.bot_answer_for(
            self.session, ticket.program_id, ticket.category, language
        )
        if answer is not None:
            return [scrub.fill_customer_name(answer.body, first_name)]
        expert_name = self.session.get_one(Expert, expert_id).display_name.split(" ")[0]
        holding = compose.first_reply(rng, language, first_name or "", expert_name)
        return [holding.replace(" ,", ",").replace("  ", " "), solution]

    def _reply(self, principal: Principal, ticket: Ticket, body: str, *, instead: str) -> None:
        """Send a reply through the pre-send checks; if they refuse it, send ``instead``."""
        try:
            with self.session.begin_nested():
                assist_service.send_reply(
                    self.session, principal, ticket.id, body, is_internal=False
                )
        except ReplyBlocked:
            assist_service.send_reply(
                self.session, principal, ticket.id, instead, is_internal=False
            )


def _program_ref(session: Session, program: Program) -> ProgramRef | None:
    """The demo catalog's description of a demo program, to draw customers' messages from."""
    brand = session.get_one(Brand, program.brand_id)
    for brand_spec in BRANDS:
        if brand_spec.slug != brand.slug:
            continue
        for spec in brand_spec.programs:
            if spec.slug == program.slug:
                customer = Principal(role=Role.CUSTOMER, brand_id=brand.id)
                brand_ref = BrandRef(
                    spec=brand_spec,
                    id=brand.id,
                    admin=SYSTEM,
                    intake=customer,
                    agent=SYSTEM,
                    agent_first_name=brand_spec.agent_name.split(" ")[0],
                )
                return ProgramRef(spec=spec, brand=brand_ref, id=program.id)
    return None


def _write_in(session: Session, program: Program, draft: compose.Draft) -> None:
    """Take the message in as the brand's contact page does: triage first where a model reads."""
    customer = Principal(role=Role.CUSTOMER, brand_id=program.brand_id)
    route_after_triage = assist_service.routes_after_triage(session, program.id)
    ticket, _ = tickets_service.create_ticket(
        session,
        customer,
        draft.request,
        idempotency_key=None,
        route_after_triage=route_after_triage,
        guess_category=partial(assist_service.guess_category, session, program.id),
    )
    if not route_after_triage:
        routing_service.route_locked(session, ticket)
