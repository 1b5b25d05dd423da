"""What a brand enters about its in-house cost; the bounds keep every figure plausible."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_HOURLY_COST = Decimal("10000")
MAX_MONTHLY_VOLUME = 10_000_000
MAX_AHT_SECONDS = 8 * 3600
MAX_HOURS_OPEN = 31 * 24

Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)]


class CategoryBaselineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monthly_volume: int | None = Field(default=None, ge=0, le=MAX_MONTHLY_VOLUME)
    aht_seconds: int | None = Field(default=None, ge=1, le=MAX_AHT_SECONDS)


class CostBaselineIn(BaseModel):
    """A program's in-house terms; shares are fractions (0.85, not 85)."""

    model_config = ConfigDict(extra="forbid")

    hourly_cost: Decimal = Field(gt=0, le=MAX_HOURLY_COST, max_digits=12, decimal_places=2)
    utilisation: Share = Field(gt=0)
    shrinkage: Share = Field(lt=Decimal("0.95"))
    aht_seconds: int = Field(ge=1, le=MAX_AHT_SECONDS)
    service_level_target: Share = Field(gt=0, lt=1)
    answer_within_seconds: int = Field(ge=0, le=24 * 3600)
    hours_open_per_month: int = Field(ge=1, le=MAX_HOURS_OPEN)
    gig_share: Share = Decimal("0.5")
    categories: dict[str, CategoryBaselineIn] = Field(default_factory=dict)
