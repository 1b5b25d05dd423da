"""The demo brands and their programs: languages, channels, categories, rate cards, SLA targets."""

from dataclasses import dataclass, field
from decimal import Decimal

from gigcx.brands.enums import Channel, Complexity
from gigcx.brands.schemas import CategoryIn, ProgramCreate, RateIn, RoutingWeights


@dataclass(frozen=True)
class CategorySpec:
    key: str
    name: str
    weight: int  # share of the program's tickets
    level: int = 1  # required skill level
    rates: tuple[str, str, str] | None = None  # low, medium, high; None keeps it in-house


@dataclass(frozen=True)
class ProgramSpec:
    slug: str
    name: str
    description: str
    weight: int  # share of all tickets
    languages: dict[str, int]  # language -> share of the program's tickets
    categories: tuple[CategorySpec, ...]
    offer_ttl_seconds: int
    first_response_seconds: int
    resolution_seconds: int
    max_offers: int
    max_wait_seconds: int
    routing_weights: RoutingWeights = field(default_factory=RoutingWeights)

    def create(self) -> ProgramCreate:
        """Return the request that opens this program."""
        return ProgramCreate(
            name=self.name,
            slug=self.slug,
            description=self.description,
            languages=list(self.languages),
            channels=[Channel.CHAT, Channel.EMAIL],
            categories=[
                CategoryIn(
                    key=c.key,
                    name=c.name,
                    is_gig_eligible=c.rates is not None,
                    required_skill_level=c.level,
                )
                for c in self.categories
            ],
            rates=[
                RateIn(category_key=c.key, complexity=complexity, amount=Decimal(amount))
                for c in self.categories
                if c.rates is not None
                for complexity, amount in zip(Complexity, c.rates, strict=True)
            ],
            offer_ttl_seconds=self.offer_ttl_seconds,
            first_response_seconds=self.first_response_seconds,
            resolution_seconds=self.resolution_seconds,
            max_offers=self.max_offers,
            max_wait_seconds=self.max_wait_seconds,
            routing_weights=self.routing_weights,
        )

    @property
    def gig_categories(self) -> tuple[CategorySpec, ...]:
        return tuple(c for c in self.categories if c.rates is not None)


@dataclass(frozen=True)
class BrandSpec:
    key: str  # selects the brand's products, phrases and escalation reasons in the content
    name: str
    slug: str
    currency: str
    email_domain: str
    agent_name: str
    programs: tuple[ProgramSpec, ...]


MINUTE = 60
HOUR = 3600

ALPENGLOW = BrandSpec(
    key="outdoor",
    name="Alpenglow Outfitters",
    slug="alpenglow",
    currency="USD",
    email_domain="alpenglow.example",
    agent_name="Marcus Lee",
    programs=(
        ProgramSpec(
            slug="gear-help",
            name="Gear & Orders Help",
            description=(
                "Help hikers, climbers and campers with orders, returns, warranty claims and "
                "gear advice. Experts who use our gear outdoors are especially welcome."
            ),
            weight=45,
            languages={"en": 70, "es": 18, "fr": 12},
            categories=(
                CategorySpec(
                    "order-status", "Order status & delivery", 30, 1, ("1.50", "2.25", "3.50")
                ),
                CategorySpec(
                    "returns-exchanges", "Returns & exchanges", 25, 2, ("2.00", "3.25", "5.00")
                ),
                CategorySpec(
                    "product-advice", "Gear & sizing advice", 22, 3, ("3.00", "4.75", "7.50")
                ),
                CategorySpec(
                    "warranty-repairs", "Warranty & repairs", 15, 2, ("2.50", "4.00", "6.00")
                ),
                CategorySpec("payment-disputes", "Payment disputes & chargebacks", 8),
            ),
            offer_ttl_seconds=150,
            first_response_seconds=15 * MINUTE,
            resolution_seconds=24 * HOUR,
            max_offers=5,
            max_wait_seconds=30 * MINUTE,
        ),
    ),
)

LUMEN = BrandSpec(
    key="fintech",
    name="Lumen Money",
    slug="lumen",
    currency="EUR",
    email_domain="lumen.example",
    agent_name="Jonas Keller",
    programs=(
        ProgramSpec(
            slug="app-support",
            name="Everyday App Support",
            description=(
                "Answer Lumen customers about logging in, card payments, transfers and plans. "
                "Never ask for a full card number, PIN or password."
            ),
            weight=40,
            languages={"en": 40, "de": 25, "es": 12, "fr": 13, "pt": 10},
            categories=(
                CategorySpec("app-login", "Login & app access", 22, 1, ("1.40", "2.10", "3.20")),
                CategorySpec(
                    "card-payments", "Card payments & declines", 26, 2, ("2.00", "3.10", "4.80")
                ),
                CategorySpec("transfers", "Transfers & top-ups", 22, 2, ("2.20", "3.40", "5.20")),
                CategorySpec("fees-plans", "Fees & plans", 18, 1, ("1.30", "2.00", "3.00")),
                CategorySpec("identity-verification", "Identity verification", 7),
                CategorySpec("fraud-report", "Fraud & unauthorised transactions", 5),
            ),
            offer_ttl_seconds=120,
            first_response_seconds=10 * MINUTE,
            resolution_seconds=12 * HOUR,
            max_offers=4,
            max_wait_seconds=20 * MINUTE,
        ),
        ProgramSpec(
            slug="business",
            name="Lumen Business Accounts",
            description=(
                "Support small businesses with invoices, team cards and accounting integrations. "
                "Skill level 3 or higher in bookkeeping topics is required."
            ),
            weight=15,
            languages={"en": 55, "de": 30, "fr": 15},
            categories=(
                CategorySpec("invoicing", "Invoices & receipts", 35, 3, ("3.00", "4.50", "7.00")),
                CategorySpec(
                    "team-cards", "Team cards & spend limits", 30, 2, ("2.50", "3.80", "5.80")
                ),
                CategorySpec(
                    "accounting-integrations",
                    "Accounting integrations",
                    25,
                    3,
                    ("3.50", "5.50", "8.50"),
                ),
                CategorySpec("business-verification", "Business verification (KYB)", 10),
            ),
            offer_ttl_seconds=180,
            first_response_seconds=20 * MINUTE,
            resolution_seconds=24 * HOUR,
            max_offers=5,
            max_wait_seconds=45 * MINUTE,
            routing_weights=RoutingWeights(
                skill=0.35, language=0.15, quality=0.30, idle=0.1, load=0.1
            ),
        ),
    ),
)

BRANDS: tuple[BrandSpec, ...] = (ALPENGLOW, LUMEN)
