"""The OpenID Connect protocol with a brand's provider: discovery, code exchange, ID tokens.

Every function here that talks to the provider must be called outside a database transaction.
Only the provider's own addresses are fetched, and only https on public addresses unless the
host is listed in ``GIGCX_SSO_TRUSTED_HOSTS``: a brand admin types the issuer, so the platform
must not become a way to reach its private network.
"""

import base64
import hashlib
import ipaddress
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from gigcx.channels.sso.errors import SsoFailed, SsoProviderFailed
from gigcx.config import get_settings

TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 512 * 1024
# Clock difference tolerated between us and the provider.
LEEWAY_SECONDS = 60
# Asymmetric algorithms only: "none" and shared-secret HMAC are never accepted.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]


def _trusted_hosts() -> set[str]:
    return {h.strip().lower() for h in get_settings().sso_trusted_hosts.split(",") if h.strip()}


def check_url(url: str, *, what: str) -> str:
    """Return ``url`` if we may fetch it: https (or a trusted host), no credentials in it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password or parts.fragment:
        raise SsoFailed(
            f"the {what} {url!r} is not a plain web address such as https://id.example.com"
        )
    if parts.scheme != "https" and not (parts.scheme == "http" and host in _trusted_hosts()):
        raise SsoFailed(f"the {what} {url!r} must start with https://")
    return url


def _check_address(url: str, *, what: str) -> None:
    host = (urlsplit(url).hostname or "").lower()
    if host in _trusted_hosts():
        return
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        raise SsoProviderFailed(f"the {what} host {host!r} cannot be found (DNS)") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]))
        if not address.is_global:
            raise SsoFailed(
                f"the {what} {url!r} points to a private or local address; GigCX only reaches "
                "identity providers on public addresses unless the platform's operator lists "
                "the host in GIGCX_SSO_TRUSTED_HOSTS"
            )


def _request(method: str, url: str, *, what: str, **kwargs: Any) -> httpx.Response:
    check_url(url, what=what)
    _check_address(url, what=what)
    try:
        with (
            httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client,
            client.stream(method, url, **kwargs) as response,
        ):
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise SsoProviderFailed(f"the {what} answered with too much data")
            return httpx.Response(response.status_code, headers=response.headers, content=body)
    except httpx.HTTPError as error:
        raise SsoProviderFailed(
            f"your company's identity provider could not be reached ({what}: {error}); "
            "try again in a minute, or ask your admin to check the issuer URL"
        ) from None


def _json(response: httpx.Response, *, what: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SsoProviderFailed(f"the {what} did not answer with a JSON object")
    return data


def fetch_metadata(issuer: str) -> ProviderMetadata:
    """Read the provider's discovery document and check it names the configured issuer."""
    what = "discovery document"
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = _request("GET", url, what=what)
    if response.status_code != 200:
        raise SsoProviderFailed(
            f"the identity provider has no discovery document at {url} (HTTP "
            f"{response.status_code}); check the issuer URL in the single sign-on settings"
        )
    data = _json(response, what=what)
    named = data.get("issuer")
    if not isinstance(named, str) or named.rstrip("/") != issuer.rstrip("/"):
        raise SsoProviderFailed(
            f"the discovery document names the issuer {named!r}, not {issuer!r}; "
            "set the issuer URL to exactly what the provider calls itself"
        )
    endpoints = {}
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = data.get(key)
        if not isinstance(value, str):
            raise SsoProviderFailed(f"the discovery document has no {key}")
        endpoints[key] = check_url(value, what=key.replace("_", " "))
    methods = data.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return ProviderMetadata(
        issuer=named,
        token_auth_methods=tuple(str(method) for method in methods),
        **endpoints,
    )


def new_pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(
    metadata: ProviderMetadata,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    nonce: str,
    code_challenge: str,
    login_hint: str = "",
) -> str:
    """Where to send the browser to sign in at the provider (code flow with PKCE)."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if login_hint:
        query["login_hint"] = login_hint
    separator = "&" if "?" in metadata.authorization_endpoint else "?"
    return f"{metadata.authorization_endpoint}{separator}{urlencode(query)}"


def exchange_code(
    metadata: ProviderMetadata,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> str:
    """Trade the authorization code for the provider's ID token."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    auth: tuple[str, str] | None = (client_id, client_secret)
    if "client_secret_basic" not in metadata.token_auth_methods:
        form |= {"client_id": client_id, "client_secret": client_secret}
        auth = None
    response = _request(
        "POST",
        metadata.token_endpoint,
        what="token endpoint",
        data=form,
        auth=auth,
        headers={"Accept": "application/json"},
    )
    data = _json(response, what="token endpoint")
    if response.status_code != 200:
        error = str(data.get("error_description") or data.get("error") or response.status_code)
        raise SsoFailed(
            f"your company's identity provider refused the sign-in ({error[:200]}); start again"
        )
    id_token = data.get("id_token")
    if not isinstance(id_token, str):
        raise SsoProviderFailed("the identity provider sent no ID token; is 'openid' allowed?")
    return id_token


def fetch_keys(metadata: ProviderMetadata) -> KeySet:
    """The provider's public signing keys."""
    response = _request("GET", metadata.jwks_uri, what="key set (JWKS)")
    data = _json(response, what="key set (JWKS)")
    try:
        return KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoProviderFailed("the identity provider's key set (JWKS) cannot be read") from None


REFUSED = "the company account's sign-in could not be verified ({}); start again"


def verify_id_token(
    id_token: str,
    *,
    keys: KeySet,
    issuer: str,
    client_id: str,
    nonce: str,
    now: float | None = None,
) -> dict[str, Any]:
    """Check the ID token's signature and its iss, aud, azp, exp, iat and nonce; return claims."""
    try:
        token = jwt.decode(id_token, keys, algorithms=list(SIGNING_ALGORITHMS))
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoFailed(REFUSED.format("its signature is missing or wrong")) from None
    claims = token.claims
    moment = time.time() if now is None else now
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    checks = (
        (claims.get("iss") == issuer, "it was issued by someone else"),
        (client_id in audiences, "it was meant for another application"),
        (
            len(audiences) == 1 or claims.get("azp") == client_id,
            "it was meant for several applications",
        ),
        (
            isinstance(claims.get("exp"), int | float) and claims["exp"] + LEEWAY_SECONDS > moment,
            "it has expired",
        ),
        (
            isinstance(claims.get("iat"), int | float) and claims["iat"] - LEEWAY_SECONDS < moment,
            "it is dated in the future",
        ),
        (
            isinstance(claims.get("nonce"), str)
            and secrets.compare_digest(claims["nonce"].encode(), nonce.encode()),
            "it belongs to another sign-in",
        ),
        (isinstance(claims.get("sub"), str) and 0 < len(claims["sub"]) <= 255, "it has no subject"),
    )
    for passed, reason in checks:
        if not passed:
            raise SsoFailed(REFUSED.format(reason))
    return dict(claims)
