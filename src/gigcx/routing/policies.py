"""Routing policies: the order in which routing offers a ticket to the eligible experts with room.

Every policy starts from the same eligible experts with free capacity, scored as in
gigcx.routing.scoring (so each offer keeps its explainable breakdown), and only reorders them:

score              the weighted score, best first (the default)
longest_idle       the expert idle longest first (idle since the last ticket or coming online)
round_robin        experts in a fixed order (by id), starting after the expert the program
                   offered its last ticket to
random             a shuffle drawn from the ticket (its creation time and offers so far), so
                   the same ticket in the same state draws the same order
specialists_first  experts skilled (at the required level) in the fewest of the program's crowd
                   categories first, then the higher skill level, then the longest idle: the
                   flexible experts stay free for the work only they can take (Wallace & Whitt;
                   Chevalier et al.: specialists first, then longest idle within a tier)

A follow-up still goes to the ticket's previous expert first, whatever the policy
(gigcx.routing.service._route._choose).
"""

import random
import uuid
from collections.abc import Mapping

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gigcx.brands.enums import RoutingPolicy
from gigcx.brands.models import Program
from gigcx.experts.models import ExpertSkill
from gigcx.routing.scoring import Scored
from gigcx.tickets.models import Offer, Ticket

POLICIES: tuple[RoutingPolicy, ...] = tuple(RoutingPolicy)
POLICY_NAMES: dict[RoutingPolicy, str] = {
    RoutingPolicy.SCORE: "GigCX score",
    RoutingPolicy.LONGEST_IDLE: "Longest idle",
    RoutingPolicy.ROUND_ROBIN: "Round robin",
    RoutingPolicy.RANDOM: "Random",
    RoutingPolicy.SPECIALISTS_FIRST: "Specialists first",
}


def longest_idle(ranked: list[Scored]) -> list[Scored]:
    """The expert idle longest first; ties by id."""
    return sorted(ranked, key=lambda s: (s.candidate.idle_since, s.candidate.expert_id))


def round_robin(ranked: list[Scored], last_expert_id: uuid.UUID | None) -> list[Scored]:
    """Experts by id, starting with the first after ``last_expert_id``."""
    ordered = sorted(ranked, key=lambda s: s.candidate.expert_id)
    if last_expert_id is None:
        return ordered
    after = [s for s in ordered if s.candidate.expert_id > last_expert_id]
    return after + [s for s in ordered if s.candidate.expert_id <= last_expert_id]


def shuffled(ranked: list[Scored], draw_key: str) -> list[Scored]:
    """A random order drawn from ``draw_key`` (the same key draws the same order)."""
    ordered = longest_idle(ranked)
    random.Random(draw_key).shuffle(ordered)
    return ordered


def specialists_first(ranked: list[Scored], breadth: Mapping[uuid.UUID, int]) -> list[Scored]:
    """Fewest qualified categories first, then higher skill, then longest idle."""
    return sorted(
        ranked,
        key=lambda s: (
            breadth.get(s.candidate.expert_id, 0),
            -s.candidate.skill_level,
            s.candidate.idle_since,
            s.candidate.expert_id,
        ),
    )


def draw_key(ticket: Ticket) -> str:
    return f"{ticket.created_at.isoformat()}|{ticket.offer_count}|{ticket.category}"


def reorder(
    session: Session, program: Program, ticket: Ticket, ranked: list[Scored]
) -> list[Scored]:
    """Order the scored candidates by the program's routing policy (score order is kept)."""
    policy = RoutingPolicy(program.routing_policy)
    if policy == RoutingPolicy.SCORE or len(ranked) < 2:
        return ranked
    if policy == RoutingPolicy.LONGEST_IDLE:
        return longest_idle(ranked)
    if policy == RoutingPolicy.ROUND_ROBIN:
        return round_robin(ranked, _last_offered(session, program.id))
    if policy == RoutingPolicy.RANDOM:
        return shuffled(ranked, draw_key(ticket))
    return specialists_first(ranked, _breadth(session, program, ranked))


def _last_offered(session: Session, program_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(
        select(Offer.expert_id)
        .join(Ticket, Ticket.id == Offer.ticket_id)
        .where(Ticket.program_id == program_id)
        .order_by(Offer.created_at.desc(), Offer.rank.desc())
        .limit(1)
    )


def _breadth(session: Session, program: Program, ranked: list[Scored]) -> dict[uuid.UUID, int]:
    """How many of the program's crowd categories each candidate is skilled enough for."""
    conditions = [
        (ExpertSkill.skill == c.key) & (ExpertSkill.level >= c.required_skill_level)
        for c in program.categories
        if c.is_gig_eligible
    ]
    if not conditions:
        return {}
    rows = session.execute(
        select(ExpertSkill.expert_id, func.count())
        .where(
            ExpertSkill.expert_id.in_([s.candidate.expert_id for s in ranked]),
            or_(*conditions),
        )
        .group_by(ExpertSkill.expert_id)
    ).all()
    return {expert_id: int(count) for expert_id, count in rows}
