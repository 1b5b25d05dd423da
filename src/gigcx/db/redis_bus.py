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

import logging
from collections.abc import Callable

import redis

from gigcx.db import fanout

log = logging.getLogger(__name__)

# Short: a Redis that does not answer must not leave notifications queued for long.
CONNECT_TIMEOUT_SECONDS = 2.0


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


class RedisPublisher(fanout.Publisher):
    """Publishes payloads to ``channel`` from a thread of its own, in the order given."""

    errors = (redis.RedisError, OSError)
    transport = "Redis"

    def __init__(self, url: str, *, channel: str, wake_all: Callable[[], str]):
        super().__init__(channel=channel, wake_all=wake_all)
        self.url = url
        self._client = client(url)

    def _send(self, payloads: list[str]) -> None:
        with self._client.pipeline(transaction=False) as pipe:
            for payload in payloads:
                pipe.publish(self.channel, payload)
            pipe.execute()

    def close(self, timeout: float = 5.0) -> None:
        super().close(timeout)
        self._client.close()


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
