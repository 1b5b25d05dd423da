"""Live-feed subscriptions held as a server process holds them: on an event loop of its own."""

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from gigcx.db import fanout, notify

# Only a guard against a hang, never a timing assertion: a wake-up that came arrives at the
# first turn of the loop.
GUARD_SECONDS = 60.0

T = TypeVar("T")


class Feeds:
    """Subscriptions to ``hub`` (default: this process's) on a loop running in its own thread,
    so the test's thread may itself be inside a loop (the browser tests' driver runs one)."""

    def __init__(self, hub: fanout.Hub | None = None) -> None:
        self.hub = hub or fanout.hub()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.open: list[fanout.Subscription] = []

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def subscribe(self, *topics: str) -> fanout.Subscription:
        async def subscribe() -> fanout.Subscription:
            return self.hub.subscribe(topics)

        subscription = self.run(subscribe())
        self.open.append(subscription)
        return subscription

    def woken(self, subscription: fanout.Subscription) -> bool:
        return self.run(subscription.wait(GUARD_SECONDS))

    def catch_up(self, session: Session) -> None:
        """Return once every earlier commit's notification has reached this hub (they come in
        order): commit a marker with ``session`` and wait for it."""
        marker = self.subscribe("marker:caught-up")
        notify.touch(session, "marker:caught-up")
        session.commit()
        assert self.woken(marker) is True
        marker.close()

    def settle(self) -> None:
        """Run what other threads handed to the loop before now."""
        self.run(asyncio.sleep(0))

    def close(self) -> None:
        for subscription in self.open:
            subscription.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@contextlib.contextmanager
def wakeups_held(hub: fanout.Hub | None = None) -> Iterator[None]:
    """Hold this process's wake-ups until the block ends, then send them together.

    Streams the test client serves read on the test's one database connection: woken while
    the test's thread still writes on it, they would use it from two threads at once.
    """
    target = hub or fanout.hub()
    held: set[str] = set()

    def hold(topics: Iterable[str]) -> int:
        held.update(topics)
        return 0

    target.publish = hold  # type: ignore[method-assign]
    try:
        yield
    finally:
        del target.publish
        if held:
            target.publish(held)
