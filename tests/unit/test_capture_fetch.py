"""The SSRF-safe fetch and the WARC of a page capture (issue 14.3), against a local server."""

from __future__ import annotations

import hashlib
import http.server
import time
from collections.abc import Iterator

import pytest

from rempart.capture import fetch, warc
from tests.http_support import serving

PAGE = b"<html><body><h1>Bonjour</h1></body></html>"


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Length", str(5000))
            self.end_headers()
            self.wfile.write(b"x" * 5000)
        elif self.path == "/slow":
            self.send_response(200)
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)


@pytest.fixture()
def server() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


OPEN = fetch.FetchPolicy(allow_private=True, max_bytes=1000, timeout_seconds=1.0,
                         max_redirects=3)


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]/",
                                 "http://169.254.169.254/latest", "http://224.0.0.1/",
                                 "http://[::ffff:127.0.0.1]/", "http://localhost/"])
def test_it_refuses_non_public_addresses(url: str) -> None:
    with pytest.raises(fetch.CaptureRefused) as refused:
        fetch.fetch(url, fetch.FetchPolicy())
    assert refused.value.reason == "address"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/"])
def test_it_refuses_other_schemes(url: str) -> None:
    with pytest.raises(fetch.CaptureRefused) as refused:
        fetch.fetch(url, fetch.FetchPolicy())
    assert refused.value.reason == "scheme"


def test_it_refuses_the_local_server_without_the_flag(server: str) -> None:
    with pytest.raises(fetch.CaptureRefused) as refused:
        fetch.fetch(server + "/", fetch.FetchPolicy())
    assert refused.value.reason == "address"


@pytest.mark.parametrize(("path", "reason"), [("/big", "too_large"), ("/slow", "too_slow"),
                                            ("/loop", "redirects")])
def test_it_refuses_big_pages_slow_servers_and_redirect_loops(server: str, path: str,
                                                              reason: str) -> None:
    with pytest.raises(fetch.CaptureRefused) as refused:
        fetch.fetch(server + path, OPEN)
    assert refused.value.reason == reason


def test_the_warc_holds_the_page_and_its_digest(server: str) -> None:
    chain = fetch.fetch(server + "/page", OPEN)
    assert chain[-1].status == 200 and chain[-1].body == PAGE
    data = warc.write_warc(chain, "test")
    warc.check_capture(data, chain[-1].url, hashlib.sha256(PAGE).hexdigest())
    with pytest.raises(warc.WarcInvalid):
        warc.check_capture(data.replace(b"Bonjour", b"Bonsoir"), chain[-1].url,
                           hashlib.sha256(PAGE).hexdigest())
