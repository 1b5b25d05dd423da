"""A synthetic marketplace for the benchmarks, built with bulk inserts.

Brands and programs go through the real services (so their rules are valid); the thousands of
experts, enrollments, background work and tickets are written with SQLAlchemy Core in batches.
"""

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from gigcx.auth.principal import SYSTEM
from gigcx.brands import service as brands_service
from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate, RateIn
from gigcx.experts.models import Enrollment, Expert, ExpertCapacity, ExpertLanguage, ExpertSkill
from gigcx.kit import clock
from gigcx.routing import roster
from gigcx.tickets.models import Assignment, Customer, Offer, Ticket

# Languages in the order programs take them; every program serves English.
LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "nl", "ja")
# Share of a program's tickets per language position (English first).
LANGUAGE_TICKET_WEIGHTS = (0.55, 0.15, 0.1, 0.08, 0.07, 0.05)
GIG_CATEGORIES = ("billing", "shipping", "returns", "account", "technical")
INHOUSE_CATEGORY = "legal"
CHANNELS = ("chat", "email")
BATCH = 2000


@dataclass(frozen=True)
class ProgramInfo:
    id: uuid.UUID
    brand_id: uuid.UUID
    languages: tuple[str, ...]
    customer_ids: tuple[uuid.UUID, ...]


@dataclass
class Marketplace:
    programs: list[ProgramInfo] = field(default_factory=list)
    expert_ids: list[uuid.UUID] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def _insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), list(rows[start : start + BATCH]))


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _program_create(index: int, languages: tuple[str, ...]) -> ProgramCreate:
    categories = [
        CategoryIn(key=key, name=key.title(), required_skill_level=1 + (i + index) % 3)
        for i, key in enumerate(GIG_CATEGORIES)
    ]
    categories.append(CategoryIn(key=INHOUSE_CATEGORY, name="Legal", is_gig_eligible=False))
    rates = [
        RateIn(category_key=key, complexity=complexity, amount=amount)
        for key in GIG_CATEGORIES
        for complexity, amount in (("low", "1.50"), ("medium", "3.00"), ("high", "6.00"))
    ]
    return ProgramCreate.model_validate(
        {
            "name": f"Program {index}",
            "slug": f"program-{index}",
            "languages": list(languages),
            "channels": list(CHANNELS),
            "categories": [c.model_dump() for c in categories],
            "rates": [r.model_dump() for r in rates],
            "max_offers": 50,
        }
    )


def create_programs(
    session: Session, *, programs: int, brands: int, customers_per_brand: int = 200
) -> list[ProgramInfo]:
    """Open brands and their programs through the services; add a pool of customers."""
    brand_ids: list[uuid.UUID] = []
    customers: dict[uuid.UUID, tuple[uuid.UUID, ...]] = {}
    for b in range(brands):
        brand = brands_service.create_brand(
            session,
            SYSTEM,
            BrandCreate(
                name=f"Bench Brand {b}",
                slug=f"bench-brand-{b}",
                admin_email=f"admin{b}@bench.example",
                admin_password="bench-password",
            ),
        )
        brand_ids.append(brand.id)
        ids = tuple(uuid.uuid4() for _ in range(customers_per_brand))
        customers[brand.id] = ids
        # Through the objects: emails and names are encrypted and looked up by a blind index.
        session.add_all(
            Customer(id=cid, brand_id=brand.id, email=f"c{i}@b{b}.example", name=f"Customer {i}")
            for i, cid in enumerate(ids)
        )
    infos: list[ProgramInfo] = []
    for p in range(programs):
        brand_id = brand_ids[p % brands]
        languages = ("en", *LANGUAGES[1 + p % 3 : 1 + p % 3 + 3 + p % 3])
        program = brands_service.create_program(
            session, SYSTEM, _program_create(p, languages), brand_id=brand_id
        )
        infos.append(ProgramInfo(program.id, brand_id, languages, customers[brand_id]))
    session.flush()
    return infos


def add_experts(
    session: Session,
    programs: Sequence[ProgramInfo],
    *,
    per_program: int,
    rng: random.Random,
    chat_capacity: tuple[int, int] = (0, 4),
    email_capacity: tuple[int, int] = (2, 8),
    now: datetime | None = None,
) -> list[uuid.UUID]:
    """Add available experts, each active in one program, with varied languages and skills."""
    now = now or clock.now()
    experts: list[dict[str, Any]] = []
    languages: list[dict[str, Any]] = []
    skills: list[dict[str, Any]] = []
    capacities: list[dict[str, Any]] = []
    enrollments: list[dict[str, Any]] = []
    expert_ids: list[uuid.UUID] = []
    for p, program in enumerate(programs):
        for _ in range(per_program):
            n = len(expert_ids)
            expert_id = uuid.uuid4()
            expert_ids.append(expert_id)
            last_assigned = None
            if rng.random() < 0.7:
                last_assigned = now - timedelta(minutes=rng.uniform(1, 240))
            experts.append(
                {
                    "id": expert_id,
                    "display_name": f"Expert {n}",
                    "email": f"expert{n}@bench.example",
                    "country": rng.choice(("US", "GB", "DE", "FR", "ES", "BR", "IN", "PH")),
                    "timezone": "UTC",
                    "presence": "available",
                    "presence_changed_at": now - timedelta(minutes=rng.uniform(0, 180)),
                    "last_assigned_at": last_assigned,
                    "created_at": now - timedelta(days=rng.uniform(1, 400)),
                }
            )
            spoken = {"en"} if rng.random() < 0.8 else set()
            spoken.update(rng.sample(program.languages[1:], k=rng.randint(1, 2)))
            languages.extend(
                {"expert_id": expert_id, "language": code, "proficiency": rng.randint(3, 5)}
                for code in sorted(spoken)
            )
            skills.extend(
                {"expert_id": expert_id, "skill": key, "level": rng.randint(1, 5)}
                for key in rng.sample(GIG_CATEGORIES, k=rng.randint(2, 5))
            )
            capacities.append(
                {
                    "expert_id": expert_id,
                    "channel": "chat",
                    "max_concurrent": rng.randint(*chat_capacity),
                }
            )
            capacities.append(
                {
                    "expert_id": expert_id,
                    "channel": "email",
                    "max_concurrent": rng.randint(*email_capacity),
                }
            )
            ratings = rng.randint(1, 300) if rng.random() < 0.6 else 0
            enrollments.append(
                {
                    "id": uuid.uuid4(),
                    "expert_id": expert_id,
                    "program_id": program.id,
                    "status": "active",
                    "status_changed_at": now - timedelta(days=rng.uniform(0, 300)),
                    "rating_count": ratings,
                    "rating_sum": round(ratings * rng.uniform(3.2, 4.9)),
                }
            )
            if len(programs) > 1 and rng.random() < 0.1:
                # Some experts also applied to, or paused in, another program: not eligible there.
                other = programs[(p + rng.randint(1, len(programs) - 1)) % len(programs)]
                enrollments.append(
                    {
                        "id": uuid.uuid4(),
                        "expert_id": expert_id,
                        "program_id": other.id,
                        "status": rng.choice(("applied", "paused", "onboarding")),
                        "status_changed_at": now,
                        "rating_count": 0,
                        "rating_sum": 0,
                    }
                )
    is_postgres = session.get_bind().dialect.name == "postgresql"
    if is_postgres:
        # PostgreSQL's roster triggers rewrite each batch's experts once per table (minutes at
        # 10,000 experts): switched off for this transaction, the roster is built once below.
        session.execute(text("SET LOCAL session_replication_role = replica"))
    _insert(session, _table(Expert), experts)
    _insert(session, _table(ExpertLanguage), languages)
    _insert(session, _table(ExpertSkill), skills)
    _insert(session, _table(ExpertCapacity), capacities)
    _insert(session, _table(Enrollment), enrollments)
    if is_postgres:
        session.execute(text("SET LOCAL session_replication_role = origin"))
        roster.rebuild(session)
    # On SQLite the routing roster follows these bulk inserts by itself (database triggers).
    return expert_ids


def ticket_rows(
    programs: Sequence[ProgramInfo],
    count: int,
    *,
    rng: random.Random,
    status: str = "new",
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Rows for new tickets spread over the programs, languages, categories and channels."""
    now = now or clock.now()
    rows: list[dict[str, Any]] = []
    for _ in range(count):
        program = rng.choice(programs)
        weights = LANGUAGE_TICKET_WEIGHTS[: len(program.languages)]
        language = rng.choices(program.languages, weights=weights)[0]
        rows.append(
            {
                "id": uuid.uuid4(),
                "brand_id": program.brand_id,
                "program_id": program.id,
                "customer_id": rng.choice(program.customer_ids),
                "channel": "chat" if rng.random() < 0.7 else "email",
                "language": language,
                "category": rng.choice(GIG_CATEGORIES),
                "complexity": rng.choice(("low", "medium", "high")),
                "priority": 3,
                # Empty: a subject is encrypted, and an empty one is stored as it is.
                "subject": "",
                "status": status,
                "status_changed_at": now,
                "assignee_id": None,
                "last_expert_id": None,
                "first_response_due_at": now + timedelta(minutes=15),
                "resolution_due_at": now + timedelta(hours=24),
                "created_at": now,
            }
        )
    return rows


def add_tickets(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    _insert(session, _table(Ticket), rows)


def add_background_work(
    session: Session,
    programs: Sequence[ProgramInfo],
    expert_ids: Sequence[uuid.UUID],
    *,
    rng: random.Random,
    assigned_share: float = 0.15,
    offered_share: float = 0.1,
) -> tuple[int, int]:
    """Give some experts an open assignment and some a pending offer, on background tickets."""
    now = clock.now()
    assigned = rng.sample(list(expert_ids), k=int(len(expert_ids) * assigned_share))
    offered = rng.sample(list(expert_ids), k=int(len(expert_ids) * offered_share))
    tickets = ticket_rows(programs, len(assigned), rng=rng, status="assigned", now=now)
    tickets += ticket_rows(programs, len(offered), rng=rng, status="offered", now=now)
    for row, expert_id in zip(tickets, assigned, strict=False):
        row["channel"] = "chat"
        row["assignee_id"] = expert_id
        row["last_expert_id"] = expert_id
    add_tickets(session, tickets)
    _insert(
        session,
        _table(Assignment),
        [
            {
                "id": uuid.uuid4(),
                "ticket_id": row["id"],
                "expert_id": expert_id,
                "channel": "chat",
                "started_at": now,
            }
            for row, expert_id in zip(tickets, assigned, strict=False)
        ],
    )
    _insert(
        session,
        _table(Offer),
        [
            {
                "id": uuid.uuid4(),
                "ticket_id": row["id"],
                "expert_id": expert_id,
                "status": "pending",
                "rank": 1,
                "score": 0.5,
                "breakdown": {},
                "expires_at": now + timedelta(minutes=2),
                "created_at": now,
            }
            for row, expert_id in zip(tickets[len(assigned) :], offered, strict=True)
        ],
    )
    return len(assigned), len(offered)


def count_rows(session: Session, tables: Iterable[Any]) -> dict[str, int]:
    return {
        _table(model).name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in tables
    }
