"""Over HTTPS the request goes to the checked address while TLS speaks to the URL's host name:
SNI and the certificate check use the name, so a certificate for another name fails."""

import datetime as dt
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.webhooks import guard
from gigcx.channels.webhooks.enums import AttemptOutcome
from gigcx.config import get_settings
from gigcx.jobs.events import EventType
from tests.channels.webhooks.helpers import attempts_of, emit, make_endpoint
from tests.channels.webhooks.receiver import Receiver, _handler
from tests.factories.brands import make_brand
from tests.factories.tickets import run_jobs

NAME = "hooks.gigcx.test"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TlsReceiver(Receiver):
    cert_path: Path
    server_names: list[str | None]


@pytest.fixture
def tls_receiver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> Iterator[TlsReceiver]:
    """An HTTPS receiver with a self-signed certificate for NAME, trusted through
    SSL_CERT_FILE; NAME resolves to 127.0.0.1 (the ``receiver`` fixture sets our clock)."""
    cert_path, key_path = _self_signed(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    tls = TlsReceiver(host="127.0.0.1", port=port)
    tls.cert_path = cert_path
    tls.server_names = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)

    def note_name(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        tls.server_names.append(name)

    context.sni_callback = note_name
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(tls))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", f"{NAME} other.gigcx.test")
    monkeypatch.setattr(guard, "system_resolver", lambda host, port: ["127.0.0.1"])
    try:
        yield tls
    finally:
        server.shutdown()
        server.server_close()


def test_https_goes_to_the_checked_address_with_the_name_in_sni_and_host(
    session: Session, factory: sessionmaker[Session], tls_receiver: TlsReceiver
) -> None:
    brand = make_brand(session)
    endpoint, secret = make_endpoint(session, brand, f"https://{NAME}:{tls_receiver.port}/hook")
    tls_receiver.secrets.append(secret)
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)

    [request] = tls_receiver.requests
    assert request.headers["host"] == f"{NAME}:{tls_receiver.port}"
    assert not isinstance(request.verified[secret], Exception)
    assert tls_receiver.server_names == [NAME]
    [attempt] = attempts_of(session, endpoint)
    assert attempt.outcome == AttemptOutcome.SUCCEEDED


def test_a_certificate_for_another_name_fails_the_attempt(
    session: Session, factory: sessionmaker[Session], tls_receiver: TlsReceiver
) -> None:
    brand = make_brand(session)
    url = f"https://other.gigcx.test:{tls_receiver.port}/hook"
    endpoint, _ = make_endpoint(session, brand, url)
    emit(session, brand, EventType.TICKET_CREATED, ticket_id="t-1")
    session.commit()

    run_jobs(factory)

    assert tls_receiver.requests == []
    [attempt] = attempts_of(session, endpoint)
    assert attempt.outcome == AttemptOutcome.FAILED and attempt.status_code is None
    assert attempt.error is not None and "certificate" in attempt.error.lower()
    assert attempt.next_attempt_at is not None
