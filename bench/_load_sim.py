"""The simulated people of bench/load.py: customers writing in, experts working their offers.

Customers arrive at a steady rate (Poisson) and write in through ``POST /api/v1/tickets`` with
the brand's API key. Every expert keeps its offer feed open (``/expert/offers/stream``, the live
region the expert's dashboard shows) and, when an offer appears on it, accepts it, replies,
resolves the ticket (``/api/v1/offers/{id}/accept``, ``/api/v1/tickets/{id}/messages``,
``/resolve``); then the customer rates it (``/api/v1/tickets/{id}/rating``). When each offer
was first seen is kept, to set against when it was made.
"""

import asyncio
import itertools
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import _fixture
from _http import Pool, server_sent_events
from _load_seed import ExpertLogin, World

FEED = "/expert/offers/stream"
OFFER_ID = re.compile(r"/expert/offers/([0-9a-f-]{36})/accept")
REPLY = "Thanks for writing in. Your order left our warehouse today and arrives within two days."
# An answer that says the offer went elsewhere (taken, withdrawn, expired): no error.
GONE = frozenset({404, 409})
RECONNECT_SECONDS = 1.0
# A batch of feeds that has not shown its first event by then stops the bench.
CONNECT_SECONDS = 120.0


@dataclass(frozen=True)
class Pace:
    """Seconds an expert (and a customer) take between the steps of a ticket, as ranges."""

    accept: tuple[float, float] = (0.2, 1.0)
    reply: tuple[float, float] = (1.0, 3.0)
    resolve: tuple[float, float] = (0.5, 1.5)
    rate: tuple[float, float] = (0.5, 2.0)


@dataclass
class Tally:
    """What happened in one measuring window."""

    intake: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    calls: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)

    def call(self, kind: str, seconds: float) -> None:
        self.calls.setdefault(kind, []).append(seconds)


class Simulation:
    """Customers and experts against one server; ``tally`` is where events are counted now."""

    def __init__(
        self, world: World, host: str, port: int, *, pace: Pace, rng: random.Random
    ) -> None:
        self.world = world
        self.host = host
        self.port = port
        self.pace = pace
        self.rng = rng
        self.pool = Pool(host, port)
        self.tally = Tally()
        # Offer id -> when (epoch seconds) an expert's feed first showed it.
        self.seen: dict[uuid.UUID, float] = {}
        self.connected: set[uuid.UUID] = set()
        self.feed_events = 0
        self.in_flight = 0
        # Tickets sent so far (each counted when its request starts).
        self.sent = 0
        self.stopping = False
        self._numbers = itertools.count()
        self._run = uuid.uuid4().hex[:8]
        self._api = {"authorization": f"Bearer {world.api_key}"}
        self._tasks: set[asyncio.Task[None]] = set()

    # -- bookkeeping ------------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def timed(
        self,
        kind: str,
        method: str,
        path: str,
        data: Any,
        headers: dict[str, str],
        tally: Tally | None = None,
    ) -> tuple[int, Any]:
        """One API call, timed and counted (in ``tally``, else the current one); a transport
        failure counts as an error (status 0)."""
        tally = tally or self.tally
        started = time.perf_counter()
        try:
            status, body = await self.pool.json(method, path, data, headers)
        except (OSError, ConnectionError, asyncio.IncompleteReadError) as error:
            tally.errors[f"{kind}: {type(error).__name__}"] += 1
            return 0, None
        tally.call(kind, time.perf_counter() - started)
        if status >= 500 or (status >= 400 and status not in GONE):
            tally.errors[f"{kind}: HTTP {status}"] += 1
        return status, body

    async def stop(self) -> None:
        self.stopping = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.pool.close()

    # -- customers --------------------------------------------------------------------------

    async def arrivals(self, rate: float, seconds: float) -> None:
        """Send tickets at ``rate`` a second (Poisson) for ``seconds``; each request's time
        counts from when it was due, so a client or server that falls behind shows."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        end = due + seconds
        while True:
            due += self.rng.expovariate(rate)
            if due >= end:
                break
            await asyncio.sleep(max(due - loop.time(), 0))
            self.sent += 1
            self.spawn(self.write_in(due))
        await asyncio.sleep(max(end - loop.time(), 0))

    def ticket_body(self, index: int) -> dict[str, Any]:
        program = self.world.program
        weights = _fixture.LANGUAGE_TICKET_WEIGHTS[: len(program.languages)]
        return {
            "program_id": str(program.id),
            "customer": {"email": f"c-{self._run}-{index}@load.example", "name": "Ana Lima"},
            "channel": "chat" if self.rng.random() < 0.7 else "email",
            "language": self.rng.choices(program.languages, weights=weights)[0],
            "category": self.rng.choice(_fixture.GIG_CATEGORIES),
            "subject": "Where is my order?",
            "body": "Hello, my order has not arrived yet. Can you help me, please?",
        }

    async def write_in(self, due: float) -> None:
        index = next(self._numbers)
        tally = self.tally  # the window the ticket was sent in counts it
        headers = {**self._api, "idempotency-key": f"{self._run}-{index}"}
        self.in_flight += 1
        try:
            status, body = await self.timed(
                "intake", "POST", "/api/v1/tickets", self.ticket_body(index), headers, tally
            )
        finally:
            self.in_flight -= 1
        if status == 201 and isinstance(body, dict):
            tally.outcomes[f"ticket {body.get('status')}"] += 1
            tally.intake.append(asyncio.get_running_loop().time() - due)
        else:
            tally.outcomes[f"HTTP {status}"] += 1

    async def rate_ticket(self, ticket_id: str) -> None:
        await self.pause(self.pace.rate)
        score = self.rng.choice((3, 4, 5, 5, 5))
        rating = {"score": score, "reason": "helpful" if score > 3 else "slow"}
        status, _ = await self.timed(
            "rate", "POST", f"/api/v1/tickets/{ticket_id}/rating", rating, self._api
        )
        if status == 201:
            self.tally.outcomes["rated"] += 1

    # -- experts ----------------------------------------------------------------------------

    async def pause(self, bounds: tuple[float, float]) -> None:
        await asyncio.sleep(self.rng.uniform(*bounds))

    async def follow(self, expert: ExpertLogin) -> None:
        """Keep the expert's offer feed open (reconnecting with Last-Event-ID, as a browser
        does) and work each new offer it shows."""
        last_id = ""
        known: set[uuid.UUID] = set()
        cookie = {"cookie": f"gigcx_session={expert.token}"}
        while not self.stopping:
            headers = {**cookie, **({"last-event-id": last_id} if last_id else {})}
            try:
                async for name, event_id, data in server_sent_events(
                    self.host, self.port, FEED, headers
                ):
                    now = time.time()
                    self.connected.add(expert.expert_id)
                    if name != "html":
                        continue
                    self.feed_events += 1
                    last_id = event_id
                    for offer_id in map(uuid.UUID, OFFER_ID.findall(data)):
                        if offer_id not in known:
                            known.add(offer_id)
                            self.seen.setdefault(offer_id, now)
                            self.spawn(self.work(expert, offer_id))
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                if self.stopping:
                    return
                self.tally.errors[f"feed: {type(error).__name__}"] += 1
            self.connected.discard(expert.expert_id)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def work(self, expert: ExpertLogin, offer_id: uuid.UUID) -> None:
        """Accept the offer, reply, resolve; the customer then rates."""
        bearer = {"authorization": f"Bearer {expert.token}"}
        await self.pause(self.pace.accept)
        status, offer = await self.timed(
            "accept", "POST", f"/api/v1/offers/{offer_id}/accept", None, bearer
        )
        if status in GONE:
            self.tally.outcomes["offer gone"] += 1
        if status != 200 or not isinstance(offer, dict):
            return
        ticket_id = str(offer["ticket_id"])
        await self.pause(self.pace.reply)
        status, _ = await self.timed(
            "reply", "POST", f"/api/v1/tickets/{ticket_id}/messages", {"body": REPLY}, bearer
        )
        if status != 201:
            return
        await self.pause(self.pace.resolve)
        status, _ = await self.timed(
            "resolve", "POST", f"/api/v1/tickets/{ticket_id}/resolve", None, bearer
        )
        if status == 200:
            self.tally.outcomes["resolved"] += 1
            await self.rate_ticket(ticket_id)

    async def connect_feeds(self, batch: int, progress: Callable[[int], None]) -> None:
        """Open every expert's feed, ``batch`` at a time, each batch showing before the next."""
        experts = self.world.experts
        for start in range(0, len(experts), batch):
            for expert in experts[start : start + batch]:
                self.spawn(self.follow(expert))
            goal = min(start + batch, len(experts))
            deadline = asyncio.get_running_loop().time() + CONNECT_SECONDS
            while len(self.connected) < goal:
                if asyncio.get_running_loop().time() > deadline:
                    problems = ", ".join(f"{k} x{v}" for k, v in self.tally.errors.items())
                    raise RuntimeError(
                        f"only {len(self.connected)} of {goal} feeds connected ({problems})"
                    )
                await asyncio.sleep(0.1)
            progress(len(self.connected))

    def busy(self) -> int:
        """Tasks besides the feeds: tickets being written in or worked."""
        return len(self._tasks) - len(self.world.experts)
