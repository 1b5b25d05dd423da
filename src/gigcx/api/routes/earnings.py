import uuid

from fastapi import APIRouter

from gigcx.api.deps import CurrentPrincipal, Page, PageDep, SessionDep, paginate
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.payments import service as payments_service
from gigcx.payments.schemas import EarningRead, ReversalCreate

router = APIRouter(prefix="/earnings", tags=["earnings"], responses=ERROR_RESPONSES)


@router.get("")
def list_earnings(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageDep,
    expert_id: uuid.UUID | None = None,
) -> Page[EarningRead]:
    """Ledger entries: an expert's own, or those the brand owes; newest first."""
    statement = payments_service.earnings_statement(principal, expert_id=expert_id)
    return paginate(session, statement, page, EarningRead.model_validate)


@router.post("/{earning_id}/reverse", status_code=201)
def reverse(
    session: SessionDep, principal: CurrentPrincipal, earning_id: uuid.UUID, body: ReversalCreate
) -> EarningRead:
    """Cancel an earning with an opposite entry; the original is never edited."""
    reversal = payments_service.reverse_earning(session, principal, earning_id, reason=body.reason)
    return EarningRead.model_validate(reversal)
