"""Where a webhook may go: public addresses over HTTPS, checked again at every attempt.

An endpoint's host is resolved right before each attempt, every address it resolves to must
be public, and the request then goes to the very address that was checked (the URL's host
stays in the Host header and, over HTTPS, in SNI and the certificate check), so a DNS answer
that changes between the check and the connection cannot steer us into the private network.

For development, ``GIGCX_WEBHOOK_ALLOWED_HOSTS`` lists host names (as written in the URL) and
IP addresses or networks (for IP literals in the URL) that may be private and may use plain
http. Cloud metadata addresses are refused whatever the list says.
"""

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from gigcx.config import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

URL_LIMIT = 2000
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class Refused(Exception):
    """The address is not one we send to; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Target:
    """A checked destination: connect to ``ip``, speak to ``host``."""

    scheme: str
    host: str
    port: int
    ip: str
    # Path and query as in the endpoint's URL.
    path: str

    @property
    def connect_url(self) -> str:
        literal = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"{self.scheme}://{literal}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        literal = f"[{self.host}]" if ":" in self.host else self.host
        return literal if self.port == default else f"{literal}:{self.port}"


@dataclass(frozen=True, slots=True)
class AllowList:
    names: frozenset[str]
    networks: tuple[IPNetwork, ...]

    def permits(self, host: str) -> bool:
        """Whether the URL's host (a name, or an IP literal) is listed."""
        literal = _ip_literal(host)
        if literal is None:
            return host.lower().rstrip(".") in self.names
        return any(literal.version == net.version and literal in net for net in self.networks)


def allow_list(setting: str | None = None) -> AllowList:
    """Read ``GIGCX_WEBHOOK_ALLOWED_HOSTS``: names and IPs/CIDRs, comma or space separated."""
    text = get_settings().webhook_allowed_hosts if setting is None else setting
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return AllowList(names=frozenset(names), networks=tuple(networks))


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` is not a public one we may send to, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            problem = address_problem(embedded)
            return None if problem is None else f"{problem} (inside an IPv6 address)"
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return "a unique-local address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private or (isinstance(address, ipaddress.IPv4Address) and address in _SHARED):
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def url_problem(url: str, allowed: AllowList) -> str | None:
    """What is wrong with an endpoint URL itself (no DNS asked), or None."""
    if len(url) > URL_LIMIT:
        return f"the URL is longer than {URL_LIMIT} characters"
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        return "the URL holds spaces or control characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises on a port out of range)
    except ValueError:
        return "the URL cannot be read; write it as https://host/path"
    if parts.scheme not in ("https", "http") or not host:
        return "the URL must start with https:// and name a host"
    if parts.username is not None or parts.password is not None:
        return "the URL must not hold a user name or password"
    if parts.fragment:
        return "the URL must not have a #fragment"
    literal = _ip_literal(host)
    if literal is not None:
        problem = address_problem(literal)
        if problem and (not allowed.permits(host) or problem.startswith("a cloud metadata")):
            return f"{host} is {problem}; webhooks go to public addresses only"
    if parts.scheme == "http" and not allowed.permits(host):
        return "webhooks go over HTTPS only: write https://"
    return None


def check(url: str, *, resolve: Resolver | None = None) -> Target:
    """Resolve the endpoint's host now and return the address to connect to, or refuse."""
    resolve = resolve or system_resolver
    allowed = allow_list()
    problem = url_problem(url, allowed)
    if problem is not None:
        raise Refused(problem)
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = _ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolve(host, port)]
        except (OSError, UnicodeError, ValueError) as error:
            raise Refused(f"cannot resolve {host}: {error}") from None
        if not addresses:
            raise Refused(f"{host} resolves to no address")
    is_listed = allowed.permits(host)
    for address in addresses:
        problem = address_problem(address)
        if problem is None:
            continue
        if problem.startswith("a cloud metadata") or not is_listed:
            shown = host if literal is not None else f"{host} resolves to {address}, which"
            raise Refused(f"{shown} is {problem}; webhooks go to public addresses only")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, ip=str(addresses[0]), path=path)
