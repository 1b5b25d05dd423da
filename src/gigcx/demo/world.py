"""What the demo set up and keeps replaying against: brands, programs, experts, the clock."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from gigcx.auth.principal import Principal
from gigcx.demo.catalog import BrandSpec, ProgramSpec

# Called with a phase ("experts", "tickets"), how many are done and how many there are in all.
Progress = Callable[[str, int, int], None]


def no_progress(_phase: str, _done: int, _total: int) -> None:
    """Report nothing."""


@dataclass(frozen=True, eq=False)
class BrandRef:
    spec: BrandSpec
    id: uuid.UUID
    admin: Principal
    intake: Principal  # the brand's API key: creates tickets, adds customer messages, rates
    agent: Principal  # the in-house agent who works escalations
    agent_first_name: str


@dataclass(frozen=True, eq=False)
class ProgramRef:
    spec: ProgramSpec
    brand: BrandRef
    id: uuid.UUID


@dataclass
class ExpertRef:
    id: uuid.UUID
    principal: Principal
    email: str
    display_name: str
    timezone: str
    quality: float  # the mean rating customers tend to give this expert
    accept_rate: float  # share of offers accepted
    speed: float  # multiplies response and handling times
    shift_start: float  # local hour when a working day usually begins
    shift_hours: float
    work_days: int  # per week
    active_program_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def first_name(self) -> str:
        return self.display_name.split(" ")[0]


@dataclass
class World:
    brands: list[BrandRef]
    programs: list[ProgramRef]
    experts: dict[uuid.UUID, ExpertRef]
    start: datetime  # first historical ticket
    horizon: datetime  # the real time when seeding began
