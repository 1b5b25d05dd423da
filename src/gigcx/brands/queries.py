from sqlalchemy import Select, select, true

from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand, Program


def readable_brands(principal: Principal) -> Select[Brand]:
    """Brands this principal may read."""
    statement = select(Brand)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Brand.id == principal.brand_id)
    return statement.where(true().is_(False))


def readable_programs(principal: Principal) -> Select[Program]:
    """Programs this principal may read: its brand's, or for experts the open marketplace."""
    statement = select(Program)
    if principal.is_platform_admin or principal.is_system:
        return statement
    if principal.is_brand_staff:
        return statement.where(Program.brand_id == principal.brand_id)
    if principal.is_expert:
        return statement.where(Program.is_open.is_(True))
    if principal.is_customer:
        return statement.where(Program.is_open.is_(True), Program.brand_id == principal.brand_id)
    return statement.where(true().is_(False))
