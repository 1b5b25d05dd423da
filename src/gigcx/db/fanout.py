"""Fan-out of change notifications to the live feeds a server process holds open.

Each open feed subscribes to its topics and sleeps until one of them is notified: it reads the
database when something it shows may have changed, never on a timer per viewer. Notifications
reach the hub from this process's commits (``gigcx.db.notify``) and from one listening
connection per process that hears every other process's: ``PostgresListener`` (LISTEN/NOTIFY)
or, where Redis is configured, ``gigcx.db.redis_bus.RedisListener``.

A wake-up says "look again", not what changed: feeds re-read their state, so wake-ups that
arrive together collapse into one read, and a notification lost while the listening connection
was down costs nothing once every feed is woken after it reconnects.
"""

import asyncio
import atexit
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Self

import psycopg
from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

# "brand:*" is every topic of kind "brand".
ANY = "*"
_RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)
# How often a publisher that lost notifications tries to tell the listeners so.
_RETRY_SECONDS = 2.0
# Patience for the last notifications when the process exits (the CLI commits, then exits).
_EXIT_FLUSH_SECONDS = 2.0
_STOP = None


class Subscription:
    """One open feed's interest in some topics; ``wait`` returns when one of them is notified."""

    def __init__(self, hub: "Hub", topics: frozenset[str], loop: asyncio.AbstractEventLoop):
        self.hub = hub
        self.topics = topics
        self.loop = loop
        self.woken = asyncio.Event()
        # How many wake-ups reached this subscription (tests and the bench read it).
        self.wakeups = 0

    def wake(self) -> None:
        """Set from any thread."""
        self.loop.call_soon_threadsafe(self._set)

    def _set(self) -> None:
        self.wakeups += 1
        self.woken.set()

    async def wait(self, timeout: float) -> bool:
        """Whether a topic was notified (since the last wait) within ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self.woken.wait(), timeout)
        except TimeoutError:
            return False
        self.woken.clear()
        return True

    def close(self) -> None:
        self.hub.unsubscribe(self)

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Hub:
    """This process's subscriptions by topic."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_topic: dict[str, set[Subscription]] = {}
        self.published = 0
        # Set when commits of other processes cannot reach this one (several server processes
        # on SQLite): feeds then look again this often, as they did before notifications.
        self.fallback_seconds: float | None = None

    def refresh_seconds(self, wanted: float | None) -> float | None:
        """How long a feed may sleep without a notification: ``wanted`` (None: until one
        comes) or the fallback, whichever is shorter."""
        if self.fallback_seconds is None:
            return wanted
        return self.fallback_seconds if wanted is None else min(wanted, self.fallback_seconds)

    def subscribe(self, topics: Iterable[str]) -> Subscription:
        """Subscribe the running event loop's caller to ``topics``."""
        subscription = Subscription(self, frozenset(topics), asyncio.get_running_loop())
        with self._lock:
            for topic in subscription.topics:
                self._by_topic.setdefault(topic, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            for topic in subscription.topics:
                subscribers = self._by_topic.get(topic)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del self._by_topic[topic]

    def publish(self, topics: Iterable[str]) -> int:
        """Wake every subscription to one of ``topics``, or to all of its kind (``kind:*``),
        from any thread; return how many."""
        named = set(topics)
        named |= {f"{topic.partition(':')[0]}:{ANY}" for topic in named}
        with self._lock:
            self.published += 1
            woken = set().union(*(self._by_topic.get(topic, ()) for topic in named))
        for subscription in woken:
            subscription.wake()
        return len(woken)

    def wake_all(self) -> int:
        """Wake every subscription: notifications may have been missed."""
        with self._lock:
            woken = set().union(*self._by_topic.values())
        for subscription in woken:
            subscription.wake()
        return len(woken)

    def subscriber_count(self) -> int:
        with self._lock:
            return len(set().union(*self._by_topic.values()))


@lru_cache
def hub() -> Hub:
    """This process's hub."""
    return Hub()


def conninfo(url: URL) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """A thread that holds one subscription to change notifications and hands each payload to
    ``handle`` (``gigcx.db.notify.heard``: measure, then wake the feeds). When its connection
    fails it reconnects with a growing pause; ``_listen`` and ``_lost`` say how, per transport.
    """

    # The errors that mean "the connection is gone": reconnect.
    errors: tuple[type[BaseException], ...] = ()
    thread_name = "gigcx-live-listener"

    def __init__(self, *, channel: str, handle: Callable[[str], None], target: Hub | None):
        self.channel = channel
        self.handle = handle
        self.target = target or hub()
        self.stopping = threading.Event()
        self.listening = threading.Event()
        self.thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                self._listen(reconnected=failures > 0)
                failures = 0
            except self.errors as error:
                self.listening.clear()
                pause = _RECONNECT_SECONDS[min(failures, len(_RECONNECT_SECONDS) - 1)]
                failures += 1
                self._lost(error, pause)
                self.stopping.wait(pause)

    def _listen(self, *, reconnected: bool) -> None:
        """Subscribe, set ``listening``, and hand payloads on until ``stopping`` is set."""
        raise NotImplementedError

    def _lost(self, error: BaseException, pause: float) -> None:
        log.warning("live notifications: %s; reconnecting in %.1f s", error, pause)


class PostgresListener(Listener):
    """One connection that LISTENs for change notifications and hands them to the hub.

    When the connection drops it reconnects and then wakes every feed, since notifications sent
    meanwhile are gone.
    """

    errors = (psycopg.Error,)

    def __init__(
        self,
        url: URL,
        *,
        channel: str,
        handle: Callable[[str], None],
        target: Hub | None = None,
    ):
        super().__init__(channel=channel, handle=handle, target=target)
        self.conninfo = conninfo(url)

    def _listen(self, *, reconnected: bool) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(f'LISTEN "{self.channel}"')
            self.listening.set()
            if reconnected:
                self.target.wake_all()
            while not self.stopping.is_set():
                for notice in connection.notifies(timeout=1.0):
                    self.handle(notice.payload)


class Publisher:
    """Sends a process's notifications from a thread of its own, in the order given.

    A commit only puts its payloads on a queue; the thread sends whatever is queued at once,
    so notifications of commits made meanwhile go out together. A transport that fails drops
    the payloads with a warning (a notification says "look again", not what changed) and, once
    it works again, first sends ``wake_all()``, a payload that wakes every feed. ``_send`` says
    how, per transport; it raises one of ``errors`` when the transport fails.
    """

    errors: tuple[type[BaseException], ...] = ()
    transport = "the transport"

    def __init__(self, *, channel: str, wake_all: Callable[[], str]):
        self.channel = channel
        self.wake_all = wake_all
        self.sent = 0
        # Set while payloads are being dropped: the next successful send starts with wake_all().
        self.lost = threading.Event()
        self._queue: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        atexit.register(self.close, _EXIT_FLUSH_SECONDS)

    def publish(self, payloads: Iterable[str]) -> None:
        """Queue ``payloads`` for sending; returns at once."""
        self._queue.put(list(payloads))
        self._ensure_thread()

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued (for at most ``timeout`` seconds), then stop."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout)
        self._drop_connection()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="gigcx-live-publisher", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=_RETRY_SECONDS if self.lost.is_set() else None)
            except queue.Empty:
                self._try([])
                continue
            batch = [first]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            payloads = [payload for item in batch if item for payload in item]
            if payloads or self.lost.is_set():
                self._try(payloads)
            if _STOP in batch:
                return

    def _try(self, payloads: list[str]) -> None:
        if self.lost.is_set():
            payloads = [self.wake_all(), *payloads]
        try:
            self._send(payloads)
        except self.errors as error:
            if not self.lost.is_set():
                log.warning(
                    "live notifications could not be sent through %s (%s); feeds of other "
                    "processes are woken once it answers again",
                    self.transport,
                    error,
                )
            self.lost.set()
            self._drop_connection()
            return
        if self.lost.is_set():
            log.info("live notifications reach %s again", self.transport)
        self.lost.clear()
        self.sent += len(payloads)

    def _send(self, payloads: list[str]) -> None:
        raise NotImplementedError

    def _drop_connection(self) -> None:
        """Let go of the transport's connection, if it keeps one (the next send opens one)."""


class PostgresPublisher(Publisher):
    """Sends notifications with ``pg_notify`` on a connection of its own, after the commits.

    A transaction that notifies holds PostgreSQL's notification queue lock from its commit's
    start to its end, WAL flush included, so such commits take turns across the cluster. Sent
    here, outside the writing transactions, in one short statement per batch that need not
    wait for its WAL flush (losing a notification to a crash of the server costs nothing: the
    listeners wake every feed when they reconnect), the writers' commits do not queue on it.
    """

    errors = (psycopg.Error,)
    transport = "PostgreSQL"
    _STATEMENT = (
        "SELECT set_config('synchronous_commit', 'off', true), "
        "count(pg_notify(%(channel)s, payload)) FROM unnest(%(payloads)s::text[]) AS payload"
    )

    def __init__(self, url: URL, *, channel: str, wake_all: Callable[[], str]):
        super().__init__(channel=channel, wake_all=wake_all)
        self.conninfo = conninfo(url)
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    def _send(self, payloads: list[str]) -> None:
        if not payloads:
            return
        if self._connection is None or self._connection.closed:
            # Never prepared: the connection may go through a pooler in transaction mode.
            self._connection = psycopg.connect(
                self.conninfo, autocommit=True, prepare_threshold=None, connect_timeout=5
            )
        # One statement is one transaction here: its set_config lasts until its own commit.
        self._connection.execute(self._STATEMENT, {"channel": self.channel, "payloads": payloads})

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
