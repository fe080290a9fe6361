"""Fetch a public http(s) page without letting it reach anything private (SSRF-safe).

Why this is not ``requests``/``httpx``: those resolve the host name themselves at connect time,
so a check made before (or a DNS answer that changes between the check and the connection)
could be bypassed. Here the host is resolved once, every address it resolves to must be public,
and the socket connects to that checked address (TLS still verifies the certificate for the
host name). Each redirect is a new URL checked the same way, up to a limit. The whole fetch has
one deadline (a slow or trickling server is refused) and one size limit.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

USER_AGENT = "Mozilla/5.0 (compatible; Rempart-capture/1; evidence preservation)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024
MAX_URL_CHARS = 4000


class CaptureRefused(ValueError):
    """The page cannot be captured; ``reason`` is one of ``REASONS`` (for the reader's
    language), the message names it in English for logs and the CLI (never the page's content)."""

    REASONS = ("invalid", "scheme", "address", "too_large", "too_slow", "redirects",
               "unreachable", "render")

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False  # tests only (REMPART_CAPTURE_ALLOW_PRIVATE)
    max_bytes: int = 10 * 1024 * 1024
    timeout_seconds: float = 20.0
    max_redirects: int = 5


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as sent and received."""

    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    http_version: str  # "HTTP/1.1"
    headers: list[tuple[str, str]]  # as received, in order
    body: bytes  # the payload (chunked transfer decoded; no content decoding asked for)
    peer_ip: str
    fetched_at: datetime

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Deadline:
    seconds: float
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        left = self.seconds - (time.monotonic() - self.started)
        if left <= 0:
            raise CaptureRefused("too_slow", f"the server took longer than {self.seconds:g} s")
        return left


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_private
                                      or ip.is_loopback or ip.is_link_local
                                      or ip.is_unspecified))


@dataclass(frozen=True)
class Target:
    url: str  # normalised, without fragment
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked address the socket connects to


def check_syntax(url: str) -> tuple[SplitResult, str, str, int]:
    """The URL's parts, scheme, host and port, read without any network access; CaptureRefused
    ("invalid": empty, too long, spaces or control characters, no host, a user name in it,
    a bad port; "scheme": not http or https). ``check_url`` starts with it; the web form calls
    it alone, before queueing the capture."""
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise CaptureRefused("invalid", "not a web address")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise CaptureRefused("invalid", "not a web address") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise CaptureRefused("scheme", f"only http and https pages can be captured, not "
                                       f"{scheme or 'this address'}")
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        raise CaptureRefused("invalid", "not a web address (no host, or a user name in it)")
    return parts, scheme, host, port or (443 if scheme == "https" else 80)


def check_url(url: str, policy: FetchPolicy) -> Target:
    """The URL's target with a checked address, or CaptureRefused (scheme, syntax, address)."""
    parts, scheme, host, port = check_syntax(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise CaptureRefused("unreachable", f"the host {host} does not resolve") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise CaptureRefused("unreachable", f"the host {host} does not resolve")
    if not policy.allow_private and not all(is_public(a) for a in addresses):
        raise CaptureRefused("address", f"{host} is a private, local or reserved address")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    clean = urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
    return Target(clean, scheme, host, port, path, addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_one(url: str, policy: FetchPolicy, deadline: Deadline) -> Exchange:
    """One GET of a checked URL, without following redirects."""
    target = check_url(url, policy)
    connection_type = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_type(target, deadline.remaining())
    request_headers = [("Host", urlsplit(target.url).netloc), ("User-Agent", USER_AGENT),
                       ("Accept", "*/*"), ("Accept-Language", "fr,en;q=0.8"),
                       ("Accept-Encoding", "identity"), ("Connection", "close")]
    at = datetime.now(UTC)
    try:
        connection.putrequest("GET", target.path, skip_host=True, skip_accept_encoding=True)
        for name, value in request_headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > policy.max_bytes:
            raise CaptureRefused("too_large", _too_large(policy))
        body = bytearray()
        while True:
            if connection.sock is not None:
                connection.sock.settimeout(deadline.remaining())
            chunk = response.read(CHUNK)
            if not chunk:
                break
            body += chunk
            if len(body) > policy.max_bytes:
                raise CaptureRefused("too_large", _too_large(policy))
            deadline.remaining()
    except TimeoutError:
        raise CaptureRefused("too_slow", f"the server took longer than "
                                         f"{deadline.seconds:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise CaptureRefused("unreachable", f"the server could not be reached "
                                            f"({type(exc).__name__})") from None
    finally:
        connection.close()
    version = "HTTP/1.0" if response.version == 10 else "HTTP/1.1"
    return Exchange(target.url, request_headers, response.status, response.reason or "",
                    version, list(response.getheaders()), bytes(body), target.address, at)


def _too_large(policy: FetchPolicy) -> str:
    return f"the page is larger than {policy.max_bytes // 1024} KiB"


def fetch(url: str, policy: FetchPolicy, deadline: Deadline | None = None) -> list[Exchange]:
    """GET the URL, following redirects (each one checked); the exchanges, the final one last."""
    deadline = deadline or Deadline(policy.timeout_seconds)
    chain = [fetch_one(url, policy, deadline)]
    while chain[-1].status in REDIRECTS and chain[-1].header("Location"):
        if len(chain) > policy.max_redirects:
            raise CaptureRefused("redirects", f"more than {policy.max_redirects} redirects")
        chain.append(fetch_one(urljoin(chain[-1].url, chain[-1].header("Location") or ""),
                               policy, deadline))
    return chain
