"""Tests for service.api.fetch: URL and address refusals, plus real fetches from a local HTTP server (no network)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.api import fetch
from service.api.fetch import FetchError, check_address, fetch_url
from service.errors import InputError


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"resolver must not be called for {host!r}")


# --- refusals before any connection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a.html", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("example.com/page", "scheme '(none)'"),
        ("http:///path-only", "no host name"),
        ("https://", "no host name"),
        ("http://user:pass@example.com/", "credentials"),
        ("http://user@example.com/", "credentials"),
        ("http://example.com:99999/", "invalid URL"),
    ],
)
def test_bad_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(FetchError, match=re.escape(message)):
        fetch_url(url, resolver=no_dns)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1.2.3:8080/admin",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.0.1/",
        "http://172.16.5.4/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fec0::1]/",
        "https://240.0.0.1/",
    ],
)
def test_non_public_literal_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match=r"^url: address .* refused$"):
        fetch_url(url, resolver=no_dns)


@pytest.mark.parametrize("url", ["http://localhost/", "http://2130706433/", "http://0x7f.1/"])
def test_names_resolving_to_loopback_with_real_resolver_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match=r"address 127\.0\.0\.1 is private"):
        fetch_url(url)


def test_hostname_resolving_to_private_ip_is_refused() -> None:
    calls: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return ["10.0.0.7"]

    with pytest.raises(FetchError, match=r"address 10\.0\.0\.7"):
        fetch_url("https://intranet.example/", resolver=resolver)
    assert calls == [("intranet.example", 443)]


@pytest.mark.parametrize("addrs", [["93.184.216.34", "192.168.1.10"], ["2606:4700::1111", "::ffff:169.254.169.254"]])
def test_hostname_with_one_public_and_one_private_address_is_refused(addrs: list[str]) -> None:
    with pytest.raises(FetchError, match=r"is private"):
        fetch_url("http://mixed.example/", resolver=lambda host, port: addrs)


def test_check_address_accepts_public_and_refuses_garbage() -> None:
    check_address("93.184.216.34")
    check_address("2606:4700::1111")
    check_address("::ffff:93.184.216.34")
    with pytest.raises(FetchError, match="not an IP address"):
        check_address("not-an-ip")


def test_fetch_error_is_an_input_error_with_one_line_message() -> None:
    with pytest.raises(InputError) as info:
        fetch_url("http://127.0.0.1/")
    assert str(info.value) == "url: address 127.0.0.1 is private, loopback or otherwise not public; refused"


# --- a real local server --------------------------------------------------------------------------------------------

PAGE = "<html><body><p>Café résumé</p></body></html>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"moved", Location=location)

    def do_GET(self) -> None:
        path = self.path
        if path == "/page":
            self.send(200, PAGE.encode("utf-8"))
        elif path == "/latin1":
            self.send(200, PAGE.encode("iso-8859-1"), ctype="text/html; charset=ISO-8859-1")
        elif path == "/bogus-charset":
            self.send(200, PAGE.encode("utf-8"), ctype="text/html; charset=no-such-codec")
        elif path == "/no-charset":
            self.send(200, PAGE.encode("utf-8") + b"\xff", ctype="application/xhtml+xml")
        elif path == "/plain":
            self.send(200, b"just text", ctype="text/plain")
        elif path == "/host":
            self.send(200, f"<p>{self.headers['Host']}</p>".encode())
        elif path == "/r1":
            self.redirect("/r2", 301)
        elif path == "/r2":
            self.redirect(f"http://{self.headers['Host']}/r3", 307)  # absolute URL
        elif path == "/r3":
            self.redirect("page", 303)
        elif path.startswith("/loop/"):
            self.redirect(f"/loop/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/to-private":
            self.redirect("http://10.0.0.1/")
        elif path == "/to-metadata":
            self.redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/to-loopback-name":
            self.redirect("http://localhost/")
        elif path == "/to-file":
            self.redirect("file:///etc/passwd")
        elif path == "/big-length":
            self.send(200, b"x" * 5000)
        elif path in ("/big-chunked", "/big-unsized"):
            self.big_without_length(chunked=path == "/big-chunked")
        elif path == "/slow-headers":
            time.sleep(1.5)
            self.send(200, PAGE.encode())
        elif path == "/trickle":
            self.trickle()
        elif path.startswith("/slow-hop/"):
            time.sleep(0.3)
            self.redirect(f"/slow-hop/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/binary":
            self.send(200, b"\x00\x01\x02", ctype="application/octet-stream")
        elif path == "/no-type":
            self.send(200, b"<p>hi</p>", ctype="")
        elif path == "/server-error":
            self.send(500, b"<p>oops</p>")
        else:
            self.send(404, b"<p>not found</p>")

    def big_without_length(self, chunked: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(10):
            piece = b"y" * 500
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"z")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hanging up early (timeouts, size caps) is expected here


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def allow_test_server(ip: str) -> None:
    """Test-only checker: lets the fetch reach 127.0.0.1 (our server), applies the real check to everything else."""
    if ip != "127.0.0.1":
        check_address(ip)


def get(url: str, *, max_bytes: int = 100_000, timeout: float = 5.0, max_redirects: int = 5) -> tuple[str, str]:
    resolver = fetch._resolve
    return fetch._fetch(url, max_bytes, timeout, max_redirects, resolver, allow_test_server)


def test_real_fetch_url_refuses_the_local_server(server: str) -> None:
    with pytest.raises(FetchError, match="127.0.0.1 is private"):
        fetch_url(server + "/page")


def test_html_page_is_fetched_and_decoded(server: str) -> None:
    assert get(server + "/page") == (server + "/page", PAGE)


@pytest.mark.parametrize("path", ["/latin1", "/bogus-charset"])
def test_charset_from_content_type_with_utf8_fallback(server: str, path: str) -> None:
    assert get(server + path)[1] == PAGE


def test_missing_charset_decodes_utf8_with_replacement(server: str) -> None:
    assert get(server + "/no-charset")[1] == PAGE + "\ufffd"


def test_text_plain_is_accepted(server: str) -> None:
    assert get(server + "/plain")[1] == "just text"


def test_connects_to_checked_ip_and_sends_original_host_header(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    url = f"http://news.example:{port}/host"
    final, text = fetch._fetch(url, 100_000, 5.0, 5, resolver, allow_test_server)
    assert (final, text) == (url, f"<p>news.example:{port}</p>")
    assert calls == ["news.example"]  # resolved once, never re-resolved by the HTTP client


def test_redirect_chain_is_followed(server: str) -> None:
    assert get(server + "/r1") == (server + "/page", PAGE)


def test_redirect_chain_within_the_limit_is_followed(server: str) -> None:
    assert get(server + "/r1", max_redirects=3)[0] == server + "/page"


def test_more_redirects_than_allowed_are_refused(server: str) -> None:
    with pytest.raises(FetchError, match="more than 2 redirects"):
        get(server + "/r1", max_redirects=2)
    with pytest.raises(FetchError, match="more than 5 redirects"):
        get(server + "/loop/0")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/to-private", r"address 10\.0\.0\.1 is private"),
        ("/to-metadata", r"address 169\.254\.169\.254 is private"),
        ("/to-file", "scheme 'file'"),
    ],
)
def test_redirect_targets_are_revalidated(server: str, path: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        get(server + path)


def test_redirect_to_loopback_is_refused_by_the_normal_checker(server: str) -> None:
    # The first hop uses the test checker; the Location (localhost) is checked by the real one.
    seen: list[str] = []

    def first_hop_only(ip: str) -> None:
        seen.append(ip)
        if len(seen) > 1:
            check_address(ip)

    with pytest.raises(FetchError, match=r"address 127\.0\.0\.1 is private"):
        fetch._fetch(server + "/to-loopback-name", 100_000, 5.0, 5, fetch._resolve, first_hop_only)
    assert seen == ["127.0.0.1", "127.0.0.1"]


def test_body_over_limit_with_content_length_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="response of 5000 bytes exceeds the 1000-byte limit"):
        get(server + "/big-length", max_bytes=1000)
    assert len(get(server + "/big-length", max_bytes=5000)[1]) == 5000


@pytest.mark.parametrize("path", ["/big-chunked", "/big-unsized"])
def test_body_over_limit_without_content_length_is_refused(server: str, path: str) -> None:
    with pytest.raises(FetchError, match="response exceeds the 1000-byte limit"):
        get(server + path, max_bytes=1000)
    assert get(server + path, max_bytes=5000)[1] == "y" * 5000


def test_slow_headers_exceed_total_timeout(server: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="longer than 0.5 s"):
        get(server + "/slow-headers", timeout=0.5)
    assert time.monotonic() - start < 1.2


def test_trickling_body_exceeds_total_timeout(server: str) -> None:
    # Each byte arrives well within any per-read timeout; only the overall deadline stops it.
    start = time.monotonic()
    with pytest.raises(FetchError, match="longer than 0.6 s"):
        get(server + "/trickle", timeout=0.6)
    assert time.monotonic() - start < 1.2


def test_timeout_covers_all_redirect_hops(server: str) -> None:
    # Every hop takes ~0.3 s, well under 0.8 s, but the whole chain does not.
    start = time.monotonic()
    with pytest.raises(FetchError, match="longer than 0.8 s"):
        get(server + "/slow-hop/0", timeout=0.8, max_redirects=10)
    assert time.monotonic() - start < 1.5


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/binary", "content type 'application/octet-stream' is not a web page"),
        ("/no-type", r"content type '\(none\)' is not a web page"),
        ("/missing", "HTTP 404"),
        ("/server-error", "HTTP 500"),
    ],
)
def test_bad_responses_are_refused(server: str, path: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        get(server + path)


def test_unreachable_port_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="could not fetch 127.0.0.1"):
        get("http://127.0.0.1:1/", timeout=2.0)


def test_https_connects_to_checked_ip_with_original_name_for_sni_and_cert(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[tuple[object, ...], dict[str, object]]] = []

    class Recorder:
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append((args, kwargs))
            raise fetch.urllib3.exceptions.SSLError("stop here")

    monkeypatch.setattr(fetch.urllib3, "HTTPSConnectionPool", Recorder)
    with pytest.raises(FetchError, match="could not fetch news.example: SSLError"):
        fetch_url("https://news.example/a", resolver=lambda host, port: ["93.184.216.34"])
    [(args, kwargs)] = made
    assert args[:2] == ("93.184.216.34", 443)
    assert kwargs["server_hostname"] == kwargs["assert_hostname"] == "news.example"
    assert kwargs["cert_reqs"] == "CERT_REQUIRED"


def test_https_to_a_server_without_tls_fails_cleanly(server: str) -> None:
    with pytest.raises(FetchError, match="could not fetch 127.0.0.1"):
        get(server.replace("http://", "https://") + "/page", timeout=2.0)
