"""Download an article page by URL, safely, for a service whose URLs come from untrusted clients.

Fetching a client-supplied URL on the server is server-side request forgery (SSRF) territory: without care a
client can make the service read cloud metadata (169.254.169.254), admin pages on localhost, or hosts on the
internal network, or tie up a worker with a huge or endless response. So this module:

* accepts only http/https URLs with a host name and without credentials;
* resolves the host once and refuses it unless EVERY address is public (not private, loopback, link-local,
  multicast, reserved, unspecified, shared 100.64.0.0/10, site-local, nor an IPv4-mapped form of those);
* connects to the checked IP itself (no second DNS lookup, so no DNS rebinding), sending the original Host
  header and, for https, the original name for SNI and certificate verification;
* follows redirects by hand, re-validating every Location exactly like the first URL;
* caps the body size and the total wall-clock time of the whole fetch, redirects included.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from email.message import Message
from urllib.parse import quote, urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from service.errors import InputError

Resolver = Callable[[str, int], list[str]]
AddressCheck = Callable[[str], None]

ALLOWED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class FetchError(InputError):
    """A URL that was refused or could not be fetched; the message is one line that says why."""


def fetch_url(
    url: str,
    max_bytes: int = 2 * 1024 * 1024,
    timeout: float = 10.0,
    max_redirects: int = 5,
    resolver: Resolver | None = None,
) -> tuple[str, str]:
    """Return (final_url, decoded_text_of_page), refusing non-public hosts; raise FetchError otherwise."""
    return _fetch(url, max_bytes, timeout, max_redirects, resolver or _resolve, check_address)


def check_address(ip: str) -> None:
    """Raise FetchError unless `ip` is a public unicast address."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        raise FetchError(f"url: {ip!r} is not an IP address; refused") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return check_address(str(addr.ipv4_mapped))  # ::ffff:a.b.c.d is judged as a.b.c.d
    site_local = isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local
    flags = (addr.is_private, addr.is_loopback, addr.is_link_local, addr.is_multicast, addr.is_reserved, site_local)
    if any(flags) or addr.is_unspecified or not addr.is_global or addr in _SHARED:
        raise FetchError(f"url: address {ip} is private, loopback or otherwise not public; refused")


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"url: cannot resolve host {host!r}: {exc}") from None
    return [str(info[4][0]) for info in infos]


def _parse(url: str) -> tuple[str, str, int, str, str]:
    """Validate `url`; return (scheme, ascii_host, port, host_header, request_target)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"url: invalid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"url: scheme {scheme or '(none)'!r} is not allowed; only http and https")
    if parts.username is not None or parts.password is not None:
        raise FetchError("url: URLs with credentials (user:pass@) are refused")
    if not parts.hostname:
        raise FetchError("url: no host name in URL")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError(f"url: invalid host name {parts.hostname!r}") from None
    default_port = 443 if scheme == "https" else 80
    host_header = f"[{host}]" if ":" in host else host
    if port is not None and port != default_port:
        host_header += f":{port}"
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    if parts.query:
        target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~-._?")
    return scheme, host, port or default_port, host_header, target


def _addresses(host: str, port: int, resolver: Resolver, check: AddressCheck) -> list[str]:
    try:
        addrs = [str(ipaddress.ip_address(host))]
    except ValueError:
        addrs = resolver(host, port)
    for ip in addrs:
        check(ip)
    if not addrs:
        raise FetchError(f"url: host {host!r} has no addresses")
    return addrs


def _fetch(
    url: str, max_bytes: int, timeout: float, max_redirects: int, resolver: Resolver, check: AddressCheck
) -> tuple[str, str]:
    """The whole fetch. `check` is `check_address` in production; tests pass a looser one to reach 127.0.0.1."""
    deadline = time.monotonic() + timeout
    redirects = 0
    while True:
        scheme, host, port, host_header, target = _parse(url)
        addrs = _addresses(host, port, resolver, check)
        try:
            result = _get_once(addrs, scheme, host, port, host_header, target, deadline, max_bytes)
        except urllib3.exceptions.NewConnectionError as exc:  # subclasses urllib3's TimeoutError, so first
            raise FetchError(f"url: could not fetch {host}: cannot connect ({exc.__cause__ or exc})") from None
        except (TimeoutError, urllib3.exceptions.TimeoutError):
            raise FetchError(f"url: fetch took longer than {timeout:g} s; refused") from None
        except Urllib3Error as exc:
            raise FetchError(f"url: could not fetch {host}: {type(exc).__name__}") from None
        location, text = result
        if location is None:
            return url, text
        redirects += 1
        if redirects > max_redirects:
            raise FetchError(f"url: more than {max_redirects} redirects; refused")
        url = urljoin(url, location)


def _get_once(
    addrs: list[str], scheme: str, host: str, port: int, host_header: str, target: str, deadline: float, max_bytes: int
) -> tuple[str | None, str]:
    """One GET to the first reachable checked address; returns (redirect Location or None, page text)."""
    last_error: Exception | None = None
    for ip in addrs:
        remaining = _remaining(deadline)
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                ip, port, maxsize=1, cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
                server_hostname=host, assert_hostname=host,
            )  # fmt: skip
        else:
            pool = urllib3.HTTPConnectionPool(ip, port, maxsize=1)
        with pool:
            try:
                resp = pool.urlopen(
                    "GET", target, headers={"Host": host_header, "Accept-Encoding": "identity"},
                    retries=False, redirect=False, preload_content=False,
                    timeout=urllib3.Timeout(connect=remaining, read=remaining),
                )  # fmt: skip
            except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as exc:
                last_error = exc
                continue
            try:
                return _read_response(resp, deadline, max_bytes)
            finally:
                resp.release_conn()
    assert last_error is not None
    raise last_error


def _read_response(resp: urllib3.BaseHTTPResponse, deadline: float, max_bytes: int) -> tuple[str | None, str]:
    location = resp.headers.get("Location")
    if resp.status in REDIRECT_STATUSES and location:
        return location, ""
    if not 200 <= resp.status < 300:
        raise FetchError(f"url: server answered HTTP {resp.status}; refused")
    msg = Message()
    msg["Content-Type"] = resp.headers.get("Content-Type", "")
    mime = msg["Content-Type"].split(";")[0].strip().lower()
    if mime not in ALLOWED_TYPES:
        raise FetchError(f"url: content type {mime or '(none)'!r} is not a web page; refused")
    length = resp.headers.get("Content-Length", "")
    if length.strip().isdigit() and int(length) > max_bytes:
        raise FetchError(f"url: response of {int(length)} bytes exceeds the {max_bytes}-byte limit; refused")
    body = bytearray()
    while True:
        sock = getattr(resp.connection, "sock", None)
        if sock is not None:  # no single socket read may run past the overall deadline
            sock.settimeout(_remaining(deadline))
        chunk = resp.read1(_CHUNK)
        if not chunk:
            break
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(f"url: response exceeds the {max_bytes}-byte limit; refused")
        _remaining(deadline)
    try:
        return None, body.decode(msg.get_content_charset() or "utf-8", errors="replace")
    except LookupError:  # unknown charset name
        return None, body.decode("utf-8", errors="replace")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left
