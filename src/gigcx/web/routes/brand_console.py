"""The brand console: dashboard, live queue, tickets, in-house queue, programs, experts, keys."""

from fastapi import APIRouter

from gigcx.web.routes import (
    brand_answers,
    brand_api_keys,
    brand_audit,
    brand_chat,
    brand_community,
    brand_dashboard,
    brand_experts,
    brand_mailboxes,
    brand_pay,
    brand_privacy,
    brand_program_ai,
    brand_programs,
    brand_quality,
    brand_queue,
    brand_rights,
    brand_simulations,
    brand_sso,
    brand_staff,
    brand_tickets,
    brand_training,
    brand_webhooks,
    brand_zendesk,
)

router = APIRouter(include_in_schema=False)
for module in (
    brand_dashboard,
    brand_queue,
    brand_tickets,
    brand_programs,
    brand_experts,
    brand_quality,
    brand_training,
    brand_api_keys,
    brand_chat,
    brand_staff,
    brand_sso,
    brand_pay,
    brand_rights,
    brand_answers,
    brand_program_ai,
    brand_mailboxes,
    brand_webhooks,
    brand_zendesk,
    brand_community,
    brand_privacy,
    brand_audit,
    brand_simulations,
):
    router.include_router(module.router)
