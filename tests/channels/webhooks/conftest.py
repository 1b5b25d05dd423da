import random
from collections.abc import Iterator

import pytest

from gigcx.channels.webhooks import delivery
from tests.channels.webhooks.receiver import _receiver, receiver

__all__ = ["_receiver", "receiver"]


@pytest.fixture(autouse=True)
def seeded_jitter(monkeypatch: pytest.MonkeyPatch) -> Iterator[random.Random]:
    """The retry jitter from a seeded source; a test replays the same seed to know the waits."""
    source = random.Random(11)
    monkeypatch.setattr(delivery, "jitter_source", source)
    yield source
