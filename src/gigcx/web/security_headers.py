"""Security headers on every response, set in one place (OWASP ASVS 3.4.x, 14.3.2).

- ``Content-Security-Policy``: scripts, styles, images, fonts and connections from this server
  only, no inline script or style, no plugins, no ``<base>``, forms post here only, and no
  other site may frame the page. A route that sets its own policy keeps it (the chat widget's
  frame names the brand's sites in its ``frame-ancestors``; the API docs need inline styles).
- ``X-Frame-Options: DENY`` where the policy forbids every frame ancestor (older browsers).
- ``X-Content-Type-Options: nosniff`` everywhere.
- ``Referrer-Policy``: ``no-referrer`` on addresses that carry a secret (a customer's private
  ticket link, a password-reset link), ``strict-origin-when-cross-origin`` elsewhere.
- ``Strict-Transport-Security`` only on a request that came over TLS. Behind a proxy that ends
  TLS, uvicorn takes the scheme from ``X-Forwarded-Proto`` when the proxy's address is trusted
  (``--forwarded-allow-ips`` / ``FORWARDED_ALLOW_IPS``); nothing here trusts the header itself.
- ``Cache-Control: no-store`` on every response except static files (which keep caching) and
  those whose route chose its own caching: pages and API answers may carry personal data.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# The sign-in page's company-account form is answered with a redirect to the brand's identity
# provider, whose address only the brand knows; browsers apply form-action to that redirect.
SIGN_IN_POLICY = CONTENT_SECURITY_POLICY.replace(
    "form-action 'self'", "form-action 'self' https: http:"
)
SIGN_IN_PATHS = frozenset({"/login"})
HSTS = "max-age=31536000; includeSubDomains"
# Addresses whose path holds a secret token: it must not reach another site in a Referer.
SECRET_PATH_PREFIXES = ("/c/", "/password-reset/")
CACHED_PATH_PREFIXES = ("/static/",)


def referrer_policy(path: str) -> str:
    if path.startswith(SECRET_PATH_PREFIXES):
        return "no-referrer"
    return "strict-origin-when-cross-origin"


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers above unless the route set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        is_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                policy = headers.setdefault(
                    "Content-Security-Policy",
                    SIGN_IN_POLICY if path in SIGN_IN_PATHS else CONTENT_SECURITY_POLICY,
                )
                if "frame-ancestors 'none'" in policy:
                    headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", referrer_policy(path))
                if is_tls:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if not path.startswith(CACHED_PATH_PREFIXES):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
