"""Sending a delivery without letting an endpoint URL reach inside our network (SSRF).

The policy (docs/WEBHOOKS.md, "Where deliveries may go"): only ``http``/``https`` URLs without
credentials, whose host resolves to public addresses only. Loopback, private (RFC 1918, ULA), link-local
(169.254.0.0/16 — the cloud metadata service — and fe80::/10), shared (100.64.0.0/10), multicast,
reserved and unspecified addresses are refused, IPv4-mapped IPv6 included, unless
``WEBHOOK_ALLOW_PRIVATE`` is on (development and tests).

The check runs when an endpoint is saved and again at every delivery, and the delivery connects to
the very address it checked (the connection is pinned; the name is not resolved a second time by the
HTTP client). So a name that resolved to a public address when the endpoint was saved and now resolves
to 127.0.0.1 (DNS rebinding) is refused at send time, and there is no window between check and connect
for it to change. TLS still verifies the certificate against the host name (SNI and hostname check).
Redirects are never followed (a 3xx is a failed attempt), no proxy from the environment is used, and
every socket operation has a short timeout.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SNIPPET_BYTES = 1000


class AddressNotAllowed(Exception):
    """The URL is malformed or names an address deliveries may not go to."""


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits


def address_is_public(address: str) -> bool:
    """Whether deliveries may connect to ``address`` (an IPv4 or IPv6 literal, maybe with a zone). An IPv6
    address that carries an IPv4 one (mapped, or NAT64's well-known prefix) is judged by that one too."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in NAT64 and not address_is_public(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))):
            return False
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]  # every address the host resolved to, each checked


def url_parse(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path)`` of a URL deliveries may use, or :class:`AddressNotAllowed`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise AddressNotAllowed(f"The URL is not valid: {error}.") from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise AddressNotAllowed("The URL must start with https:// (or http://).")
    if not parts.hostname:
        raise AddressNotAllowed("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise AddressNotAllowed("The URL may not carry a user name or password.")
    port = port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname, port, path


def resolve(host: str, port: int) -> tuple[str, ...]:
    """The addresses ``host`` resolves to, every one checked against the policy."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressNotAllowed(f"The host {host!r} does not resolve.") from error
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise AddressNotAllowed(f"The host {host!r} does not resolve.")
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if not address_is_public(address):
                raise AddressNotAllowed(
                    f"The host {host!r} resolves to {address}, a private, loopback or link-local address: "
                    "deliveries go to public addresses only."
                )
    return addresses


def target_check(url: str) -> Target:
    """Parse and resolve ``url`` under the policy (at save time and before every delivery)."""
    scheme, host, port, path = url_parse(url)
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=resolve(host, port))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address; TLS verifies the certificate against the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str
    response_snippet: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, *, body: bytes, headers: dict[str, str]) -> SendResult:
    """POST ``body`` to ``url`` once, under the policy; never raises for network trouble (it is the result)."""
    started = time.monotonic()

    def result(status_code: int | None, error: str = "", snippet: str = "") -> SendResult:
        return SendResult(status_code, error[:500], snippet[:SNIPPET_BYTES], int((time.monotonic() - started) * 1000))

    try:
        target = target_check(url)
    except AddressNotAllowed as error:
        return result(None, f"refused: {error}")
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, address=target.addresses[0], timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        snippet = response.read(SNIPPET_BYTES).decode("utf-8", errors="replace")
        problem = ""
        if 300 <= response.status < 400:
            problem = f"redirect to {response.getheader('Location', '?')} not followed"
        elif not 200 <= response.status < 300:
            problem = f"HTTP {response.status}"
        return result(response.status, problem, snippet)
    except (OSError, http.client.HTTPException) as error:
        return result(None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    finally:
        connection.close()
