from sqlalchemy import Select, select, true

from gigcx.auth.principal import Principal
from gigcx.payments.models import Earning, Payout


def readable_earnings(principal: Principal) -> Select[Earning]:
    """Earnings this principal may read: its own, or those paid by its brand."""
    statement = select(Earning)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_expert:
        return statement.where(Earning.expert_id == principal.expert_id)
    if principal.is_brand_staff:
        return statement.where(Earning.brand_id == principal.brand_id)
    return statement.where(true().is_(False))


def readable_payouts(principal: Principal) -> Select[Payout]:
    """Payouts this principal may read: its own, or those its brand pays."""
    statement = select(Payout)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_expert:
        return statement.where(Payout.expert_id == principal.expert_id)
    if principal.is_brand_staff:
        return statement.where(Payout.brand_id == principal.brand_id)
    return statement.where(true().is_(False))
