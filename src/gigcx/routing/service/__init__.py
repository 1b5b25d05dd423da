"""Routing: offer each ticket to the best eligible expert, handle the answers, dispatch queues."""

from gigcx.routing.service._dispatch import (
    dispatch,
    dispatch_for_expert,
    effective_priority,
    escalate_if_waiting,
)
from gigcx.routing.service._offers import (
    accept_offer,
    decline_offer,
    expire_offer,
    explain,
    pending_offers_for,
)
from gigcx.routing.service._route import (
    RouteOutcome,
    _choose,
    offers_room,
    route_locked,
    route_ticket,
)
from gigcx.routing.service._waiting import Waiting, why_waiting

__all__ = [
    "RouteOutcome",
    "Waiting",
    "_choose",
    "accept_offer",
    "decline_offer",
    "dispatch",
    "dispatch_for_expert",
    "effective_priority",
    "escalate_if_waiting",
    "expire_offer",
    "explain",
    "offers_room",
    "pending_offers_for",
    "route_locked",
    "route_ticket",
    "why_waiting",
]
