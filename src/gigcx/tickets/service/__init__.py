"""Ticket use cases; the only home of ``ticket.status``."""

from gigcx.tickets.service._attachments import (
    add_attachment,
    attachments_of,
    check_attachment,
    get_attachment,
)
from gigcx.tickets.service._inquiries import (
    TAKE_IN_JOB,
    OpenInquiry,
    close_inquiry,
    get_inquiry,
    open_inquiry,
    receive_inquiry,
)
from gigcx.tickets.service._intake import add_customer_message, create_ticket
from gigcx.tickets.service._links import (
    customer_link_token,
    customer_of,
    inquiry_for_link,
    ticket_for_link,
)
from gigcx.tickets.service._sla import (
    check_sla,
    is_current_round,
    schedule_sla_checks,
    schedule_wait_check,
    wait_started_at,
)
from gigcx.tickets.service._state import (
    end_assignment,
    get_ticket,
    lock_ticket,
    pending_offer_count,
    rescind_pending_offers,
    transition,
)
from gigcx.tickets.service._work import (
    announce_message,
    assign,
    cancel,
    escalate,
    escalate_locked,
    is_own_recent_resolution,
    mark_waiting,
    reply,
    resolve,
    resolve_locked,
)

__all__ = [
    "TAKE_IN_JOB",
    "OpenInquiry",
    "add_attachment",
    "add_customer_message",
    "announce_message",
    "assign",
    "attachments_of",
    "cancel",
    "check_attachment",
    "check_sla",
    "close_inquiry",
    "create_ticket",
    "customer_link_token",
    "customer_of",
    "end_assignment",
    "escalate",
    "escalate_locked",
    "get_attachment",
    "get_inquiry",
    "get_ticket",
    "inquiry_for_link",
    "is_current_round",
    "is_own_recent_resolution",
    "lock_ticket",
    "mark_waiting",
    "open_inquiry",
    "pending_offer_count",
    "receive_inquiry",
    "reply",
    "rescind_pending_offers",
    "resolve",
    "resolve_locked",
    "schedule_sla_checks",
    "schedule_wait_check",
    "ticket_for_link",
    "transition",
    "wait_started_at",
]
