"""Change notifications over Redis pub/sub, where ``GIGCX_REDIS_URL`` is set.

Each process publishes its commits' notifications to one channel (``RedisPublisher``) and keeps
one subscribing connection (``RedisListener``) that hands every notification to its hub, as
``PostgresListener`` does with LISTEN/NOTIFY. It works whatever the database: several SQLite
server processes then push to each other too, and PostgreSQL behind a pooler needs no direct
listening address.

Redis is never in a request's way. A commit only puts its payloads on a queue; one thread per
process sends them. When Redis cannot be reached the payloads are dropped with a warning (a
notification says "look again", not what changed) and, once Redis answers again, a payload that
wakes every feed goes out first; the listeners themselves wake every feed after reconnecting.
"""

import atexit
import logging
import queue
import threading
from collections.abc import Callable, Iterable

import redis

from gigcx.db import fanout

log = logging.getLogger(__name__)

# Short: a Redis that does not answer must not leave notifications queued for long.
CONNECT_TIMEOUT_SECONDS = 2.0
# How often a publisher that lost notifications tries to tell the listeners so.
_RETRY_SECONDS = 2.0
# Patience for the last notifications when the process exits (the CLI commits, then exits).
_EXIT_FLUSH_SECONDS = 2.0
_STOP = None


def client(url: str, name: str | None = None) -> redis.Redis:
    """A Redis client that gives up quickly when the server does not answer."""
    return redis.Redis.from_url(
        url,
        client_name=name,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_keepalive=True,
        health_check_interval=30,
    )


def listener_name(channel: str) -> str:
    """The client name of a connection listening on ``channel`` (CLIENT LIST shows it)."""
    printable = "".join(c if "!" <= c <= "~" else "_" for c in channel)
    return f"gigcx-live-listener:{printable}"


def reachable(url: str) -> str | None:
    """None if Redis at ``url`` answers PING, else why not."""
    try:
        connection = client(url)
        try:
            connection.ping()
        finally:
            connection.close()
    except (redis.RedisError, OSError) as error:
        return str(error) or type(error).__name__
    return None


class RedisPublisher:
    """Publishes payloads to ``channel`` from a thread of its own, in the order given."""

    def __init__(self, url: str, *, channel: str, wake_all: Callable[[], str]):
        self.url = url
        self.channel = channel
        self.wake_all = wake_all
        self.sent = 0
        # Set while payloads are being dropped: the next successful send starts with wake_all().
        self.lost = threading.Event()
        self._queue: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
        self._client = client(url)
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
        self._client.close()

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
                self._send([])
                continue
            batch = [first]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            payloads = [payload for item in batch if item for payload in item]
            if payloads or self.lost.is_set():
                self._send(payloads)
            if _STOP in batch:
                return

    def _send(self, payloads: list[str]) -> None:
        if self.lost.is_set():
            payloads = [self.wake_all(), *payloads]
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for payload in payloads:
                    pipe.publish(self.channel, payload)
                pipe.execute()
        except (redis.RedisError, OSError) as error:
            if not self.lost.is_set():
                log.warning(
                    "live notifications could not be published to Redis (%s); feeds of other "
                    "processes are woken once it answers again",
                    error,
                )
            self.lost.set()
            return
        if self.lost.is_set():
            log.info("live notifications reach Redis again")
        self.lost.clear()
        self.sent += len(payloads)


class RedisListener(fanout.Listener):
    """One connection SUBSCRIBEd to the notifications' channel, in a thread of its own.

    ``handle`` gets each payload. While Redis cannot be reached, the hub's feeds look again every
    ``fallback_seconds``; whenever the subscription is confirmed again after the first time
    (redis-py reconnects by itself, or this loop connects anew after an error), every feed is
    woken, since notifications sent meanwhile are gone.
    """

    errors = (redis.RedisError, OSError)
    thread_name = "gigcx-live-redis"

    def __init__(
        self,
        url: str,
        *,
        channel: str,
        handle: Callable[[str], None],
        target: fanout.Hub | None = None,
        fallback_seconds: float = 2.0,
    ):
        super().__init__(channel=channel, handle=handle, target=target)
        self.url = url
        self.fallback_seconds = fallback_seconds
        self.confirmations = 0
        # What the hub's fallback was before an outage made this listener set its own.
        self._fallback_before: tuple[float | None] | None = None

    def _lost(self, error: BaseException, pause: float) -> None:
        self._fall_back()
        log.warning(
            "live notifications (Redis): %s; feeds look again every %.0f s until it "
            "answers; reconnecting in %.1f s",
            error,
            self.fallback_seconds,
            pause,
        )

    def _listen(self, *, reconnected: bool) -> None:
        # Reconnections show in the subscription confirmations (see ``_take``).
        connection = client(self.url, listener_name(self.channel))
        pubsub = connection.pubsub()
        try:
            pubsub.subscribe(self.channel)
            while not self.stopping.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._take(message)
        finally:
            pubsub.close()
            connection.close()

    def _fall_back(self) -> None:
        if self._fallback_before is None:
            self._fallback_before = (self.target.fallback_seconds,)
            self.target.fallback_seconds = self.fallback_seconds
            # Feeds asleep without a timeout take up the fallback once woken.
            self.target.wake_all()

    def _recover(self) -> None:
        if self._fallback_before is not None:
            (self.target.fallback_seconds,) = self._fallback_before
            self._fallback_before = None

    def _take(self, message: dict[str, object]) -> None:
        if message["type"] == "subscribe":
            self.confirmations += 1
            self._recover()
            if self.confirmations > 1:
                self.target.wake_all()
            self.listening.set()
        elif message["type"] == "message":
            data = message["data"]
            self.handle(data.decode() if isinstance(data, bytes) else str(data))
