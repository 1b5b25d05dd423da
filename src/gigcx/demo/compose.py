"""Compose realistic customer inquiries and the words experts and agents answer with."""

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from gigcx.brands.enums import Channel, Complexity
from gigcx.demo import content
from gigcx.demo.catalog import CategorySpec
from gigcx.demo.inquiries import INQUIRIES
from gigcx.demo.world import ProgramRef
from gigcx.tickets.enums import Priority
from gigcx.tickets.schemas import CustomerIn, TicketCreate

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "pt": ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"),
}
COMPLEXITIES = {Complexity.LOW: 45, Complexity.MEDIUM: 40, Complexity.HIGH: 15}
PRIORITIES = {Priority.NORMAL: 70, Priority.HIGH: 17, Priority.LOW: 9, Priority.URGENT: 4}
URGENT_CATEGORIES = frozenset({"fraud-report", "app-login"})

T = TypeVar("T")


def ascii_slug(text: str) -> str:
    """Fold accents and drop what an email's local part should not hold."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def pick(rng: random.Random, weights: dict[T, int]) -> T:
    """Choose a key with probability proportional to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(frozen=True)
class Customer:
    name: str
    email: str

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0]


@dataclass(frozen=True)
class Draft:
    """A ticket about to be written in, with what the replies need to know."""

    program: ProgramRef
    category: CategorySpec
    language: str
    customer: Customer
    request: TicketCreate


class Composer:
    """Draw tickets the way customers of the demo brands write them, from one seeded generator."""

    def __init__(self, rng: random.Random, programs: list[ProgramRef]) -> None:
        self.rng = rng
        self.programs = programs
        self._customers: dict[tuple[str, str], list[Customer]] = {}
        self._emails: set[str] = set()

    def draft(self, when: datetime, *, program: ProgramRef | None = None) -> Draft:
        """Return a new inquiry written at ``when``."""
        rng = self.rng
        program = program or pick(rng, {p: p.spec.weight for p in self.programs})
        language = pick(rng, program.spec.languages)
        category = pick(rng, {c: c.weight for c in program.spec.categories})
        by_language = INQUIRIES[category.key]
        subject, body = rng.choice(by_language.get(language) or by_language["en"])
        slots = self._slots(program, language, when)
        customer = self._customer(program.brand.spec.slug, language)
        priority = pick(rng, PRIORITIES)
        if category.key in URGENT_CATEGORIES and rng.random() < 0.5:
            priority = Priority.URGENT if category.key == "fraud-report" else Priority.HIGH
        request = TicketCreate(
            program_id=program.id,
            customer=CustomerIn(email=customer.email, name=customer.name),
            channel=Channel.CHAT if rng.random() < 0.65 else Channel.EMAIL,
            language=language,
            category=category.key,
            subject=subject.format_map(slots),
            body=body.format_map(slots),
            priority=priority,
            complexity=pick(rng, COMPLEXITIES),
        )
        return Draft(program, category, language, customer, request)

    def _slots(self, program: ProgramRef, language: str, when: datetime) -> dict[str, str]:
        rng = self.rng
        brand_key = program.brand.spec.key
        return {
            "order": f"{program.brand.spec.slug[:2].upper()}-{rng.randint(100_000, 999_999)}",
            "product": rng.choice(content.PRODUCTS[brand_key]),
            "plan": rng.choice(content.PRODUCTS["fintech"]),
            "amount": f"{rng.uniform(8, 480):.2f}",
            "days": str(rng.randint(2, 9)),
            "city": rng.choice(content.CITIES),
            "merchant": rng.choice(content.MERCHANTS),
            "last4": f"{rng.randint(0, 9999):04d}",
            "integration": rng.choice(content.INTEGRATIONS),
            "invoice": f"INV-{when.year}-{rng.randint(1, 99_999):05d}",
            "weekday": rng.choice(WEEKDAYS.get(language, WEEKDAYS["en"])),
        }

    def _customer(self, brand_slug: str, language: str) -> Customer:
        pool = self._customers.setdefault((brand_slug, language), [])
        if pool and self.rng.random() < 0.2:
            return self.rng.choice(pool)  # a returning customer
        names = content.CUSTOMER_NAMES_BY_LANGUAGE.get(language, "en")
        first = self.rng.choice(content.FIRST_NAMES[names])
        last = self.rng.choice(content.LAST_NAMES[names])
        domain = self.rng.choice(content.CUSTOMER_EMAIL_DOMAINS)
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email, number = f"{local}@{domain}", 1
        while email in self._emails:
            number += 1
            email = f"{local}{number}@{domain}"
        self._emails.add(email)
        customer = Customer(f"{first} {last}", email)
        pool.append(customer)
        return customer


def first_reply(rng: random.Random, language: str, customer: str, expert: str) -> str:
    """Return an expert's greeting in the ticket's language."""
    template = rng.choice(content.FIRST_REPLIES.get(language) or content.FIRST_REPLIES["en"])
    return template.format(name=customer, expert=expert)


def question(rng: random.Random, language: str) -> str:
    """Return an expert's request for details."""
    return rng.choice(content.QUESTIONS.get(language) or content.QUESTIONS["en"])


def solution(rng: random.Random, language: str, category: str) -> str:
    """Return an expert's answer that resolves the inquiry."""
    fixes = content.FIXES.get(category, ("looked into it and sorted it out",))
    template = rng.choice(content.SOLUTIONS.get(language) or content.SOLUTIONS["en"])
    return template.format(fix=rng.choice(fixes))


def follow_up(rng: random.Random, language: str) -> str:
    """Return a customer's answer to an expert's question."""
    return rng.choice(
        content.CUSTOMER_FOLLOW_UPS.get(language) or content.CUSTOMER_FOLLOW_UPS["en"]
    )


def agent_reply(language: str, *, customer: str, agent: str, brand: str) -> str:
    """Return the in-house agent's answer to an escalated inquiry."""
    template = content.AGENT_REPLIES.get(language) or content.AGENT_REPLIES["en"]
    return template.format(name=customer, agent=agent, brand=brand)
