"""whsec_ secrets of 24 to 64 bytes; our signature is the reference library's."""

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from gigcx.channels.webhooks import signing


@pytest.mark.parametrize("nbytes", [24, 32, 64])
def test_a_secret_holds_the_random_bytes_asked_for(nbytes: int) -> None:
    secret = signing.new_secret(nbytes)

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == nbytes
    assert signing.new_secret(nbytes) != secret


@pytest.mark.parametrize("nbytes", [0, 23, 65])
def test_a_secret_outside_the_specification_is_refused(nbytes: int) -> None:
    with pytest.raises(ValueError, match="24 to 64 random bytes"):
        signing.new_secret(nbytes)


def test_each_secret_signs_like_the_reference_library() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    body = '{"type":"webhook.test","data":{"ticket_id":"ü"}}'.encode()
    moment = datetime(2026, 12, 3, 22, 0, 5, tzinfo=UTC)

    header = signing.signature_header(
        [new, old], message_id="msg_abc", timestamp=int(moment.timestamp()), body=body
    )

    assert header == " ".join(
        Webhook(secret).sign("msg_abc", moment, body) for secret in (new, old)
    )
