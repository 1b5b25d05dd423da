"""A real OpenID Connect provider for tests, on a free local port (http.server in a thread).

It serves discovery, a JWKS with an RSA key made at start, ``/authorize`` that approves the
configured user at once and sends the browser back with a code, and ``/token`` that checks the
code (once), the PKCE verifier, the redirect URI and the client's secret, and answers with an
RS256-signed ID token carrying the nonce. Tests may tamper with the next ID tokens
(``overrides``, ``alg_none``, ``sign_with_other_key``) to see that GigCX refuses them.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "gigcx-test-client"
CLIENT_SECRET = "a-client-secret-for-tests"
KEY_ID = "test-key-1"


def _new_rsa_key() -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return RSAKey.import_key(pem, {"kid": KEY_ID, "use": "sig", "alg": "RS256"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    code_challenge: str
    is_used: bool = False


@dataclass
class ProviderState:
    """What the provider does; tests change it between steps."""

    user: dict[str, Any] = field(default_factory=dict)
    # Claims replacing those of the next ID tokens (None removes a claim).
    overrides: dict[str, Any] = field(default_factory=dict)
    alg_none: bool = False
    sign_with_other_key: bool = False
    # /authorize answers with this OAuth error instead of a code.
    deny_with: str = ""
    grants: dict[str, Grant] = field(default_factory=dict)
    # Every /authorize query and /token form, in order.
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_refusals: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.user = {
                "sub": "employee-0001",
                "email": "ana@acme.example",
                "email_verified": True,
                "name": "Ana Acme",
            }
            self.overrides = {}
            self.alg_none = False
            self.sign_with_other_key = False
            self.deny_with = ""
            self.grants.clear()
            self.authorize_requests.clear()
            self.token_requests.clear()
            self.token_refusals.clear()


class OidcProvider:
    def __init__(self) -> None:
        self.key = _new_rsa_key()
        self.other_key = _new_rsa_key()
        self.state = ProviderState()
        self.state.reset()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **self.state.user,
        }
        for name, value in self.state.overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        if self.state.alg_none:
            header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return f"{header}.{_b64(json.dumps(claims).encode())}."
        key = self.other_key if self.state.sign_with_other_key else self.key
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)


def _handler_for(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send_json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._send_json(200, provider.discovery())
            elif parts.path == "/jwks":
                self._send_json(200, provider.jwks())
            elif parts.path == "/authorize":
                self._authorize({k: v[0] for k, v in parse_qs(parts.query).items()})
            else:
                self._send_json(404, {"error": "not_found"})

        def _authorize(self, query: dict[str, str]) -> None:
            state = provider.state
            state.authorize_requests.append(query)
            needed = ("client_id", "redirect_uri", "state", "nonce", "code_challenge")
            if (
                query.get("response_type") != "code"
                or query.get("code_challenge_method") != "S256"
                or any(not query.get(name) for name in needed)
                or query["client_id"] != CLIENT_ID
            ):
                self._send_json(400, {"error": "invalid_request"})
                return
            back = {"state": query["state"]}
            if state.deny_with:
                back["error"] = state.deny_with
                back["error_description"] = "The user said no"
            else:
                code = secrets.token_urlsafe(24)
                with state.lock:
                    state.grants[code] = Grant(
                        client_id=query["client_id"],
                        redirect_uri=query["redirect_uri"],
                        nonce=query["nonce"],
                        code_challenge=query["code_challenge"],
                    )
                back["code"] = code
            self._redirect(f"{query['redirect_uri']}?{urlencode(back)}")

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/token":
                self._send_json(404, {"error": "not_found"})
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            provider.state.token_requests.append(form)
            refusal = self._token_refusal(form)
            if refusal:
                provider.state.token_refusals.append(refusal)
                self._send_json(400, {"error": "invalid_grant", "error_description": refusal})
                return
            grant = provider.state.grants[form["code"]]
            self._send_json(
                200,
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(grant),
                },
            )

        def _client(self, form: dict[str, str]) -> tuple[str, str]:
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
                return client_id, secret
            return form.get("client_id", ""), form.get("client_secret", "")

        def _token_refusal(self, form: dict[str, str]) -> str:
            client_id, secret = self._client(form)
            if client_id != CLIENT_ID or secret != CLIENT_SECRET:
                return "client authentication failed"
            if form.get("grant_type") != "authorization_code":
                return "unsupported grant type"
            with provider.state.lock:
                grant = provider.state.grants.get(form.get("code", ""))
                if grant is None:
                    return "unknown code"
                if grant.is_used:
                    return "code already used"
                grant.is_used = True
            if form.get("redirect_uri") != grant.redirect_uri:
                return "redirect_uri does not match"
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if _b64(digest) != grant.code_challenge:
                return "PKCE verifier does not match"
            return ""

    return Handler


@pytest.fixture(scope="session")
def _oidc_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider()
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def oidc_provider(_oidc_provider: OidcProvider, monkeypatch: pytest.MonkeyPatch) -> OidcProvider:
    """The test provider, reset, and 127.0.0.1 trusted as a provider host."""
    from gigcx.config import get_settings

    _oidc_provider.state.reset()
    monkeypatch.setattr(get_settings(), "sso_trusted_hosts", "127.0.0.1")
    return _oidc_provider
