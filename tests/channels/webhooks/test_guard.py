"""The SSRF guard: only public addresses, checked at every attempt, the checked one connected to."""

import pytest
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.webhooks import guard
from gigcx.channels.webhooks.enums import AttemptOutcome, DeliveryStatus
from gigcx.config import get_settings
from gigcx.jobs.events import EventType
from tests.channels.webhooks.helpers import attempts_of, deliveries_of, emit, make_endpoint
from tests.channels.webhooks.receiver import Receiver
from tests.factories.brands import make_brand
from tests.factories.tickets import run_jobs

REFUSED = [
    ("127.0.0.1", "a loopback address"),
    ("127.8.9.10", "a loopback address"),
    ("[::1]", "a loopback address"),
    ("10.1.2.3", "a private address"),
    ("172.16.0.1", "a private address"),
    ("192.168.1.20", "a private address"),
    ("100.64.0.1", "a private address"),
    ("169.254.169.254", "a cloud metadata address"),
    ("[fd00:ec2::254]", "a cloud metadata address"),
    ("169.254.10.1", "a link-local address"),
    ("[fe80::1]", "a link-local address"),
    ("[fc00::1]", "a unique-local address"),
    ("[fd12:3456::1]", "a unique-local address"),
    ("224.0.0.1", "a multicast address"),
    ("[ff02::1]", "a multicast address"),
    ("240.0.0.1", "a reserved address"),
    ("0.0.0.0", "the unspecified address"),  # noqa: S104 (refused, not bound)
    ("[::ffff:127.0.0.1]", "a loopback address (inside an IPv6 address)"),
    ("[::ffff:10.0.0.1]", "a private address (inside an IPv6 address)"),
    ("[::ffff:169.254.169.254]", "a cloud metadata address (inside an IPv6 address)"),
    ("[2002:a00:1::]", "a private address (inside an IPv6 address)"),
]


@pytest.fixture
def allowed(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", "")
    return monkeypatch


@pytest.mark.parametrize(("host", "reason"), REFUSED)
def test_every_non_public_address_class_is_refused(
    allowed: pytest.MonkeyPatch, host: str, reason: str
) -> None:
    with pytest.raises(guard.Refused) as refused:
        guard.check(f"https://{host}/hook")

    assert refused.value.reason == (
        f"{host.strip('[]')} is {reason}; webhooks go to public addresses only"
    )


def test_a_public_address_passes_and_is_the_one_connected_to(allowed: pytest.MonkeyPatch) -> None:
    target = guard.check(
        "https://hooks.example.com:8443/in?x=1", resolve=lambda host, port: ["93.184.215.14"]
    )

    assert target.connect_url == "https://93.184.215.14:8443/in?x=1"
    assert (target.host, target.host_header) == ("hooks.example.com", "hooks.example.com:8443")


def test_a_host_name_resolving_to_a_private_address_is_refused(
    allowed: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(guard.Refused) as loopback:
        guard.check("https://localhost/hook")
    with pytest.raises(guard.Refused) as mixed:
        guard.check(
            "https://mixed.example.com/", resolve=lambda host, port: ["93.184.215.14", "10.0.0.7"]
        )

    assert loopback.value.reason.startswith("localhost resolves to ")
    assert "a loopback address" in loopback.value.reason
    assert mixed.value.reason == (
        "mixed.example.com resolves to 10.0.0.7, which is a private address; "
        "webhooks go to public addresses only"
    )


def test_the_allow_list_admits_listed_hosts_but_never_metadata(
    allowed: pytest.MonkeyPatch,
) -> None:
    allowed.setattr(get_settings(), "webhook_allowed_hosts", "127.0.0.1, 169.254.0.0/16 dev.box")

    assert guard.check("http://127.0.0.1:9000/x").ip == "127.0.0.1"
    assert guard.check("http://dev.box/x", resolve=lambda h, p: ["10.0.0.9"]).ip == "10.0.0.9"
    assert guard.check("http://169.254.3.3/x").ip == "169.254.3.3"
    with pytest.raises(guard.Refused, match="cloud metadata"):
        guard.check("http://169.254.169.254/latest/meta-data")
    with pytest.raises(guard.Refused, match="cloud metadata"):
        guard.check("http://dev.box/x", resolve=lambda h, p: ["169.254.169.254"])
    # A name is not listed because the address it resolves to is.
    with pytest.raises(guard.Refused, match="localhost resolves to"):
        guard.check("https://localhost/x", resolve=lambda h, p: ["127.0.0.1"])
    with pytest.raises(guard.Refused, match="HTTPS only"):
        guard.check("http://localhost/x", resolve=lambda h, p: ["127.0.0.1"])


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://example.com/hook", "webhooks go over HTTPS only: write https://"),
        ("ftp://example.com/hook", "the URL must start with https:// and name a host"),
        ("https:///hook", "the URL must start with https:// and name a host"),
        ("https://user:pw@example.com/", "the URL must not hold a user name or password"),
        ("https://example.com/#x", "the URL must not have a #fragment"),
        ("https://exa mple.com/", "the URL holds spaces or control characters"),
        ("https://example.com:99999/", "the URL cannot be read; write it as https://host/path"),
        ("https://example.com/" + "a" * 2000, "the URL is longer than 2000 characters"),
    ],
)
def test_unusable_urls_are_refused_before_any_lookup(
    allowed: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    assert guard.url_problem(url, guard.allow_list()) == problem


def test_the_address_is_checked_again_at_each_attempt(
    session: Session,
    factory: sessionmaker[Session],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    brand = make_brand(session)
    endpoint, _ = make_endpoint(session, brand, receiver.url())
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", "")
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)

    assert receiver.requests == []
    [attempt] = attempts_of(session, endpoint)
    assert attempt.outcome == AttemptOutcome.REFUSED
    assert attempt.error == "127.0.0.1 is a loopback address; webhooks go to public addresses only"
    assert attempt.status_code is None and attempt.next_attempt_at is not None
    [pending] = deliveries_of(session, endpoint)
    assert pending.status == DeliveryStatus.PENDING


def test_a_name_that_resolves_to_loopback_is_refused_at_the_attempt(
    session: Session, factory: sessionmaker[Session], receiver: Receiver
) -> None:
    brand = make_brand(session)
    endpoint, _ = make_endpoint(session, brand, f"https://localhost:{receiver.port}/hook")
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)

    assert receiver.requests == []
    [attempt] = attempts_of(session, endpoint)
    assert attempt.outcome == AttemptOutcome.REFUSED
    assert attempt.error is not None and attempt.error.startswith("localhost resolves to ")


def test_the_request_goes_to_the_checked_address_with_the_host_name_kept(
    session: Session,
    factory: sessionmaker[Session],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The name resolves only through the guard's lookup: had the client looked it up again
    # (where a rebinding DNS server could answer otherwise), the request would have failed.
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", "hooks.gigcx.test")
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(guard, "system_resolver", resolve)
    brand = make_brand(session)
    endpoint, secret = make_endpoint(
        session, brand, f"http://hooks.gigcx.test:{receiver.port}/hook"
    )
    receiver.secrets.append(secret)
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)

    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.gigcx.test:{receiver.port}"
    assert lookups == ["hooks.gigcx.test"]
    assert not isinstance(request.verified[secret], Exception)
    [attempt] = attempts_of(session, endpoint)
    assert attempt.outcome == AttemptOutcome.SUCCEEDED
