"""Rate limits against guessing and flooding, shared by every process through the database.

A rule allows so many attempts per key (an account, an IP address) in each of its windows.
Rules with several windows back off: a few attempts wait minutes, many wait hours. No lock
outlives its longest window, so nobody can lock an account for good, and a password reset by
mail (which proves the mailbox) lifts the account's sign-in lock at once.

Attempts are rows, not counters: concurrent requests in any number of processes only insert,
and a count over the window is exact enough (two racing requests may both pass the last slot).
"""

import hashlib
import hmac
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gigcx.auth.models import Attempt
from gigcx.config import get_secret_key
from gigcx.errors import DomainError
from gigcx.kit import clock


@dataclass(frozen=True)
class Rule:
    """At most ``count`` attempts per key within each ``window``."""

    name: str
    windows: tuple[tuple[int, timedelta], ...]

    @property
    def longest(self) -> timedelta:
        return max(window for _count, window in self.windows)


MINUTES = timedelta(minutes=1)
HOURS = timedelta(hours=1)

# Failed sign-ins (wrong password or wrong second-factor code), per account and per address.
SIGN_IN_ACCOUNT = Rule("sign_in:account", ((5, 15 * MINUTES), (10, HOURS), (20, 6 * HOURS)))
SIGN_IN_ADDRESS = Rule("sign_in:address", ((20, 15 * MINUTES), (60, HOURS), (200, 24 * HOURS)))
# Messages sent through a program's public contact form, per address.
CONTACT_ADDRESS = Rule("contact:address", ((10, 10 * MINUTES), (50, 24 * HOURS)))


class TooManyAttempts(DomainError):
    """HTTP 429 with ``Retry-After``: the detail says how long to wait."""

    status_code = 429

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = max(1, retry_after_seconds)
        minutes = max(1, math.ceil(self.retry_after_seconds / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many attempts. Try again in {minutes} {unit}.")
        self.headers = {"Retry-After": str(self.retry_after_seconds)}


Limited = tuple[Rule, str]


def _key_hash(rule: Rule, key: str) -> str:
    secret = get_secret_key().encode()
    return hmac.new(secret, f"{rule.name}:{key}".encode(), hashlib.sha256).hexdigest()


def _wait(session: Session, rule: Rule, key_hash: str, now: datetime) -> int:
    """Seconds until the key may try again under ``rule`` (0: now)."""
    wait = 0.0
    for count, window in rule.windows:
        since = now - window
        attempts = (
            select(Attempt.created_at)
            .where(Attempt.rule == rule.name, Attempt.key_hash == key_hash)
            .where(Attempt.created_at > since)
            .order_by(Attempt.created_at.desc())
            .limit(count)
            .subquery()
        )
        seen, oldest = session.execute(select(func.count(), func.min(attempts.c.created_at))).one()
        if seen >= count and oldest is not None:
            # The count-th latest attempt leaves the window first among those that block.
            wait = max(wait, (oldest + window - now).total_seconds())
    return math.ceil(wait)


def check(session: Session, limited: Iterable[Limited]) -> None:
    """Refuse with 429 if any (rule, key) has used up one of its windows."""
    now = clock.now()
    wait = max(
        (_wait(session, rule, _key_hash(rule, key), now) for rule, key in limited), default=0
    )
    if wait > 0:
        raise TooManyAttempts(wait)


def count(session: Session, limited: Iterable[Limited]) -> None:
    """Count one attempt against each (rule, key); forget the rule's attempts that expired."""
    now = clock.now()
    for rule, key in limited:
        # Attempts past the longest window count for nothing: the table holds one window.
        session.execute(
            delete(Attempt).where(
                Attempt.rule == rule.name, Attempt.created_at < now - rule.longest
            )
        )
        session.add(Attempt(rule=rule.name, key_hash=_key_hash(rule, key), created_at=now))
    session.flush()


def limit(session: Session, limited: Iterable[Limited]) -> None:
    """Refuse with 429 when over a limit, else count this attempt: the one call for a form."""
    pairs = list(limited)
    check(session, pairs)
    count(session, pairs)


def forget(session: Session, rule: Rule, key: str) -> None:
    """Clear the key's attempts under ``rule`` (a sign-in that succeeded, a password reset)."""
    key_hash = _key_hash(rule, key)
    session.execute(delete(Attempt).where(Attempt.rule == rule.name, Attempt.key_hash == key_hash))
