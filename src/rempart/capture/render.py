"""Draw a fetched page as a full-page PNG in headless Chromium, with no network of its own.

Every request the page makes goes through Playwright's routing: the page itself is answered from
the bytes already fetched, each resource (style, image, script) is fetched by ``fetch`` (so the
same address checks, deadline and size limit apply) and recorded for the WARC, anything else is
aborted. Chromium is also started with a host resolver that resolves nothing and a proxy that
does not exist, so a request that escaped the routing (a WebSocket, WebRTC) reaches nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rempart.capture.fetch import CaptureRefused, Deadline, Exchange, FetchPolicy, fetch

MAX_RESOURCES = 150
MAX_PAGE_HEIGHT = 16_000  # CSS pixels: a longer page is cut (the WARC keeps all of it)
WIDTH, HEIGHT = 1280, 900
ISOLATION_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND",
                  "--proxy-server=http://capture-proxy.invalid:1",
                  "--proxy-bypass-list=<-loopback>",
                  "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
                  "--webrtc-ip-handling-policy=disable_non_proxied_udp"]
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding",
                          "connection", "keep-alive"})


@dataclass
class Rendering:
    png: bytes
    resources: list[Exchange] = field(default_factory=list)  # fetched for the rendering
    refused: int = 0  # resource requests aborted (not public, too many, failed)


def _headers(exchange: Exchange) -> dict[str, str]:
    return {k: v for k, v in exchange.headers if k.lower() not in _HOP_HEADERS}


def render(page_exchange: Exchange, policy: FetchPolicy, chromium: Path,
           deadline: Deadline) -> Rendering:
    """The full-page PNG of the fetched page; CaptureRefused("render") if Chromium fails."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if not chromium.exists():
        raise CaptureRefused("render", f"Chromium is not installed at {chromium}")
    rendering = Rendering(b"")
    budget = [policy.max_bytes * 3]

    def answer(route: Any) -> None:
        url = route.request.url.split("#", 1)[0]
        if url == page_exchange.url:
            route.fulfill(status=page_exchange.status, headers=_headers(page_exchange),
                          body=page_exchange.body)
            return
        if (not url.startswith(("http://", "https://"))
                or len(rendering.resources) >= MAX_RESOURCES or budget[0] <= 0):
            rendering.refused += 1
            route.abort("blockedbyclient")
            return
        try:
            chain = fetch(url, policy, deadline)
        except CaptureRefused:
            rendering.refused += 1
            route.abort("blockedbyclient")
            return
        rendering.resources.extend(chain)
        budget[0] -= sum(len(e.body) for e in chain)
        route.fulfill(status=chain[-1].status, headers=_headers(chain[-1]), body=chain[-1].body)

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium),
                                                 args=ISOLATION_ARGS)
            try:
                context = browser.new_context(
                    viewport={"width": WIDTH, "height": HEIGHT}, service_workers="block",
                    accept_downloads=False, locale="fr-FR")
                context.route("**/*", answer)
                page = context.new_page()
                page.goto(page_exchange.url, wait_until="load",
                          timeout=deadline.remaining() * 1000)
                height = min(int(page.evaluate(
                    "Math.max(document.documentElement.scrollHeight,"
                    " document.body ? document.body.scrollHeight : 0)")), MAX_PAGE_HEIGHT)
                rendering.png = page.screenshot(
                    full_page=True, type="png", timeout=deadline.remaining() * 1000,
                    clip={"x": 0, "y": 0, "width": WIDTH, "height": max(height, HEIGHT)})
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise CaptureRefused("render", f"the page could not be rendered "
                                       f"({type(exc).__name__})") from None
    return rendering
