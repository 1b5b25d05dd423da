import itertools
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from gigcx.brands.models import Program
from gigcx.experts.models import Expert
from gigcx.kit import clock
from gigcx.payments.enums import EarningKind, PayoutMethodKind
from gigcx.payments.models import Earning, PayoutMethod
from tests.factories.experts import make_expert

_numbers = itertools.count(1)


def make_earning(
    session: Session,
    expert: Expert,
    program: Program,
    amount: str | Decimal,
    *,
    at: datetime | None = None,
    kind: EarningKind = EarningKind.TASK,
    reverses: Earning | None = None,
    description: str = "test entry",
) -> Earning:
    """A ledger entry written directly, at ``at`` (now by default)."""
    earning = Earning(
        expert_id=expert.id,
        brand_id=program.brand_id,
        program_id=program.id,
        kind=kind if reverses is None else EarningKind.REVERSAL,
        amount=Decimal(amount),
        currency=program.currency,
        description=description,
        source_key=f"test:{next(_numbers)}" if reverses is None else f"reversal:{reverses.id}",
        reverses_id=reverses.id if reverses is not None else None,
        created_at=at or clock.now(),
    )
    session.add(earning)
    session.flush()
    return earning


# A valid IBAN (the standard's German example).
TEST_IBAN = "DE89370400440532013000"


def add_payout_method(session: Session, expert: Expert) -> PayoutMethod:
    """Give the expert a bank transfer payout method, so payout runs pay them."""
    method = PayoutMethod(
        expert_id=expert.id,
        kind=PayoutMethodKind.BANK_TRANSFER,
        account_holder=expert.display_name,
        iban=TEST_IBAN,
        updated_at=clock.now(),
    )
    session.add(method)
    session.flush()
    return method


def paid_expert(session: Session, program: Program) -> Expert:
    """An expert active in the program, with a payout method."""
    expert = make_expert(session, programs=[program])
    add_payout_method(session, expert)
    return expert
