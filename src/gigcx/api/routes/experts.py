import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from gigcx.api.deps import BrandStaff, ExpertPrincipal, Page, PageDep, SessionDep, paginate
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.experts import service as experts_service
from gigcx.experts.enums import Presence
from gigcx.experts.models import Expert, ExpertLanguage
from gigcx.experts.queries import readable_experts
from gigcx.experts.schemas import (
    AvailabilityBlock,
    AvailabilityRead,
    AvailabilityUpdate,
    ExpertCreate,
    ExpertRead,
    ExpertUpdate,
    PresenceUpdate,
    SignUpRead,
)
from gigcx.kit.money import quantize
from gigcx.kit.schemas import LANGUAGE_PATTERN
from gigcx.payments import service as payments_service
from gigcx.payments.schemas import BalanceRead

router = APIRouter(prefix="/experts", tags=["experts"], responses=ERROR_RESPONSES)


@router.post("", status_code=202)
def sign_up(session: SessionDep, body: ExpertCreate) -> SignUpRead:
    """Sign up as an expert with a name, an email and a password, then sign in. Public.

    The rest of the profile (country, time zone, languages, skills, capacity) may come here
    or later through PATCH /experts/me; applying to a program says what it still lacks.
    The answer is the same whether or not the email has an account already, so it tells
    nobody who is registered: a new email gets its account; a known one keeps its password.
    """
    experts_service.sign_up(session, body)
    return SignUpRead(detail=experts_service.SIGN_UP_RECEIVED)


@router.get("/me")
def my_profile(session: SessionDep, principal: ExpertPrincipal) -> ExpertRead:
    return experts_service.to_read(experts_service.current_expert(session, principal))


@router.patch("/me")
def update_my_profile(
    session: SessionDep, principal: ExpertPrincipal, body: ExpertUpdate
) -> ExpertRead:
    """Change languages, skills, capacity and the rest of the profile."""
    return experts_service.to_read(experts_service.update_profile(session, principal, body))


@router.put("/me/presence")
def set_presence(
    session: SessionDep, principal: ExpertPrincipal, body: PresenceUpdate
) -> ExpertRead:
    """Go available, away or offline; only available experts get offers."""
    expert = experts_service.set_presence(session, principal, body.presence)
    return experts_service.to_read(expert)


def _availability_read(session: SessionDep, principal: ExpertPrincipal) -> AvailabilityRead:
    expert = experts_service.current_expert(session, principal)
    blocks = experts_service.availability_of(session, expert.id)
    return AvailabilityRead(
        timezone=expert.timezone,
        blocks=[
            AvailabilityBlock(weekday=b.weekday, start_hour=b.start_hour, end_hour=b.end_hour)
            for b in blocks
        ],
    )


@router.get("/me/availability")
def my_availability(session: SessionDep, principal: ExpertPrincipal) -> AvailabilityRead:
    """The weekly hours you say you usually work, in your own time zone."""
    return _availability_read(session, principal)


@router.put("/me/availability")
def set_my_availability(
    session: SessionDep, principal: ExpertPrincipal, body: AvailabilityUpdate
) -> AvailabilityRead:
    """Replace your weekly hours (your own time zone; planning reads them, routing does not)."""
    experts_service.set_availability(session, principal, body.blocks)
    return _availability_read(session, principal)


@router.get("/me/balance")
def my_balance(session: SessionDep, principal: ExpertPrincipal) -> list[BalanceRead]:
    """What the ledger owes you, per currency."""
    assert principal.expert_id is not None
    return [
        BalanceRead(currency=money.currency, amount=quantize(money.amount), entries=count)
        for money, count in payments_service.balances(session, principal, principal.expert_id)
    ]


@router.get("")
def list_experts(
    session: SessionDep,
    principal: BrandStaff,
    page: PageDep,
    presence: Presence | None = None,
    language: Annotated[str | None, Query(pattern=LANGUAGE_PATTERN, examples=["en"])] = None,
) -> Page[ExpertRead]:
    """Experts enrolled in the brand's programs, by name."""
    statement = readable_experts(principal)
    if presence is not None:
        statement = statement.where(Expert.presence == presence)
    if language is not None:
        code = language.lower().replace("_", "-")
        speakers = select(ExpertLanguage.expert_id).where(ExpertLanguage.language == code)
        statement = statement.where(Expert.id.in_(speakers))
    return paginate(
        session, statement.order_by(Expert.display_name, Expert.id), page, experts_service.to_read
    )


@router.get("/{expert_id}")
def get_expert(session: SessionDep, principal: BrandStaff, expert_id: uuid.UUID) -> ExpertRead:
    """An expert enrolled in one of the brand's programs."""
    return experts_service.to_read(experts_service.get_expert(session, principal, expert_id))
