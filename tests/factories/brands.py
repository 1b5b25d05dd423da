import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.principal import SYSTEM, Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Brand, Program
from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate, RateIn

_numbers = itertools.count(1)
COMPLEXITIES = ("low", "medium", "high")


def make_brand(session: Session, *, currency: str = "USD") -> Brand:
    n = next(_numbers)
    data = BrandCreate(
        name=f"Brand {n}",
        slug=f"brand-{n}",
        currency=currency,
        admin_email=f"admin{n}@brand{n}.example.com",
        admin_password="correct horse battery",
    )
    return brands_service.create_brand(session, SYSTEM, data)


def brand_admin(brand: Brand) -> Principal:
    return Principal(role=Role.BRAND_ADMIN, brand_id=brand.id)


def brand_api(brand: Brand) -> Principal:
    return Principal(role=Role.API_KEY, brand_id=brand.id)


def rate_card(categories: tuple[str, ...], amounts: dict[str, str] | None = None) -> list[RateIn]:
    amounts = amounts or {"low": "2.00", "medium": "3.50", "high": "6.00"}
    return [
        RateIn(category_key=key, complexity=c, amount=Decimal(amounts[c]))
        for key in categories
        for c in COMPLEXITIES
    ]


def make_program(
    session: Session,
    brand: Brand,
    *,
    languages: tuple[str, ...] = ("en",),
    gig_categories: tuple[str, ...] = ("billing",),
    inhouse_categories: tuple[str, ...] = ("legal",),
    required_level: int = 1,
    **overrides: Any,
) -> Program:
    categories = [
        CategoryIn(key=key, name=key.title(), required_skill_level=required_level)
        for key in gig_categories
    ] + [CategoryIn(key=key, name=key.title(), is_gig_eligible=False) for key in inhouse_categories]
    data = ProgramCreate(
        name=f"Program {next(_numbers)}",
        slug=f"program-{next(_numbers)}",
        languages=list(languages),
        channels=["chat", "email"],
        categories=categories,
        rates=rate_card(gig_categories),
        **overrides,
    )
    return brands_service.create_program(session, brand_admin(brand), data, brand_id=brand.id)
