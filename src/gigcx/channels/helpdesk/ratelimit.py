"""A token bucket per helpdesk account: our own pace under the account's limit, and its 429s.

Zendesk counts requests per account per minute and answers 429 with ``Retry-After`` past it.
Every call first takes a token; when the bucket is empty the caller waits for the next token if
that is soon (``max_wait``), else gives up with ``HelpdeskRateLimited`` and its job runs again
later. A 429 empties the bucket until ``Retry-After`` has passed, for every caller of the account
in this process. The clock and the wait are injectable, so tests never sleep.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from gigcx.channels.helpdesk.errors import HelpdeskRateLimited

# Longest a call waits for a token before its job is put off instead.
MAX_WAIT_SECONDS = 5.0
MIN_WAIT_SECONDS = 0.001
EPSILON = 1e-6


@dataclass
class Clock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass
class TokenBucket:
    per_minute: int
    clock: Clock
    tokens: float = 0.0
    updated_at: float = 0.0
    paused_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.tokens = float(self.capacity)
        self.updated_at = self.clock.now()

    @property
    def capacity(self) -> int:
        # Bursts of up to a tenth of the minute's budget (at least one call).
        return max(1, self.per_minute // 10)

    def _refill(self, now: float) -> None:
        rate = self.per_minute / 60.0
        self.tokens = min(float(self.capacity), self.tokens + (now - self.updated_at) * rate)
        self.updated_at = now

    def _wait_for_token(self) -> float:
        """Take a token and return 0, or return how long until one is there."""
        with self.lock:
            now = self.clock.now()
            if now < self.paused_until:
                return self.paused_until - now
            self._refill(now)
            # A hair below a whole token counts as one: float steps must not wait forever.
            if self.tokens >= 1.0 - EPSILON:
                self.tokens = max(0.0, self.tokens - 1.0)
                return 0.0
            return max((1.0 - self.tokens) * 60.0 / self.per_minute, MIN_WAIT_SECONDS)

    def acquire(self, *, max_wait: float = MAX_WAIT_SECONDS) -> None:
        """Take one token, waiting up to ``max_wait`` in all, or raise HelpdeskRateLimited."""
        waited = 0.0
        while True:
            wait = self._wait_for_token()
            if wait <= 0.0:
                return
            if waited + wait > max_wait:
                raise HelpdeskRateLimited(wait)
            self.clock.sleep(wait)
            waited += wait

    def pause(self, seconds: float) -> None:
        """The account said 429: no calls for ``seconds``."""
        with self.lock:
            self.paused_until = max(self.paused_until, self.clock.now() + seconds)
            self.tokens = 0.0


_clock = Clock()
_buckets: dict[str, TokenBucket] = {}
_buckets_lock = threading.Lock()


def use_clock(clock: Clock) -> None:
    """Run every bucket on ``clock`` (tests: a fake one whose sleep moves time on)."""
    global _clock
    with _buckets_lock:
        _clock = clock
        _buckets.clear()


def bucket_for(account: str, per_minute: int) -> TokenBucket:
    """The bucket of one helpdesk account (by its base URL), shared by the whole process."""
    with _buckets_lock:
        bucket = _buckets.get(account)
        if bucket is None or bucket.per_minute != per_minute:
            bucket = TokenBucket(per_minute=max(1, per_minute), clock=_clock)
            _buckets[account] = bucket
        return bucket
