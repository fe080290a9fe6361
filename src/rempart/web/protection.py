"""HTTP hardening for every response, CSRF tokens for every form, and the request size limit.

* Headers: a strict Content-Security-Policy (only our own origin, no inline script or style),
  no framing, no referrer, no MIME sniffing, no powerful browser features. Case and staff pages
  are never cached (``Cache-Control: no-store``): a shared family computer must not keep them.
* Body limit: a request whose declared or streamed size is above the limit is cut off with 413
  before the multipart parser spools it to disk.
* Cross-origin API writes (issue 12.3): a browser request that changes state under ``/api/``
  is refused with 403 unless it comes from this site (``Sec-Fetch-Site: same-origin`` or
  ``none``, or an ``Origin`` naming this host). Clients that send neither header (scripts,
  partners' servers) are not browsers and go through.
* CSRF (issue 12.6): a random per-browser id lives in an HttpOnly, SameSite=Strict cookie
  (``__Host-`` when cookies are secure); the form token is an HMAC, under a key derived from the
  instance's session key, of that id and of the browser's session cookie (staff or reporter).
  A token is therefore worthless in another browser and after the session changes, and a
  sibling subdomain that plants a cookie cannot forge one. ``csrf_valid`` compares in constant
  time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from rempart.domain import text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "rempart_csrf"
CSRF_FIELD = "csrf_token"
# The session cookies a CSRF token is bound to (names without the __Host- prefix).
SESSION_COOKIES = ("rempart_staff", "rempart_case")
HOST_PREFIX = "__Host-"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BROWSER_SITES_ALLOWED = frozenset({"same-origin", "none"})
# Room for multipart boundaries and the text fields around the files.
FORM_OVERHEAD_BYTES = 1024 * 1024

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    # The on-device hashing page plays a locally chosen video from a blob: URL to read its
    # frames (vPDQ); the file never leaves the browser.
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "interest-cohort=()")
# Pages that show a case or the back-office must never be stored by the browser or a proxy.
PRIVATE_PREFIXES = ("/dossier", "/signaler", "/staff", "/api/")


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"permissions-policy", PERMISSIONS_POLICY.encode()),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
    ]
    # Every page, not only the private ones: after a quick exit, Back must not bring a page
    # (nor its form and what was typed) back from the cache (no-store also bars the bfcache).
    if path.startswith(PRIVATE_PREFIXES) or not path.startswith("/static/"):
        headers.append((b"cache-control", b"no-store"))
    return headers


class SecurityMiddleware:
    """Adds the security headers and enforces the request body limit (pure ASGI: streams)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, https_only: bool = False) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Behind HTTPS (secure cookies), browsers must never fall back to plain HTTP.
        self.https_headers = [(b"strict-transport-security", b"max-age=31536000")] \
            if https_only else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        refusal = cross_origin_refusal(scope)
        if refusal:
            await _refuse(send, path, 403, refusal)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await _too_large(send, path)
            return
        extra = security_headers(path) + self.https_headers
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (name, value) for name, value in extra if name not in present]
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _too_large(send, path)


class BodyTooLarge(Exception):
    """The client sent more bytes than the configured limit."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def cross_origin_refusal(scope: Scope) -> str | None:
    """Why a state-changing API request from a browser on another site is refused, or None.

    Browsers send ``Sec-Fetch-Site`` (and ``Origin`` on POST); other clients send neither."""
    if scope.get("method", "GET") not in STATE_CHANGING or \
            not str(scope.get("path", "")).startswith("/api/"):
        return None
    site = _header(scope, b"sec-fetch-site")
    if site is not None:
        if site.strip().lower() in BROWSER_SITES_ALLOWED:
            return None
        return f"cross-site request refused (Sec-Fetch-Site: {site.strip()[:20]})"
    origin = _header(scope, b"origin")
    if origin is None:
        return None
    host = _header(scope, b"host") or ""
    _, _, origin_host = origin.strip().partition("://")
    if origin_host and host and hmac.compare_digest(origin_host.lower().encode(),
                                                    host.strip().lower().encode()):
        return None
    return "cross-origin request refused (Origin is not this site)"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, path: str) -> None:
    await _refuse(send, path, 413, "request body too large",
                  "Envoi trop volumineux : r\u00e9duisez la taille ou le nombre des fichiers.",
                  "Upload too large: send smaller or fewer files.")


async def _refuse(send: Send, path: str, status: int, reason: str, french: str = "",
                  english: str = "") -> None:
    """A refusal before the app runs: ``{"error": reason}`` under /api/, a bilingual page
    elsewhere."""
    if path.startswith("/api/"):
        body = json.dumps({"error": reason}).encode()
        content_type = b"application/json"
    else:
        body = (f"<!doctype html><meta charset=utf-8><title>{status}</title>"
                f"<p>{french or reason}</p><p>{english or reason}</p>").encode()
        content_type = b"text/html; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")] + security_headers(path)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --- Control characters in text fields (issue 12.1) ---------------------------------------

def form_text_problem(form: FormData) -> str | None:
    """The first text field of a posted form holding a control character (tab and line breaks
    are allowed here: the use case's validation refuses them in single-line fields)."""
    for name, value in form.multi_items():
        if isinstance(value, str):
            reason = text.problem(name[:40], value, multiline=True)
            if reason:
                return reason
    return None


def refuse_control_characters(form: FormData) -> None:
    """A 400 with the reason, in the reader's language, for a form with control characters."""
    from rempart.web.i18n import gettext

    reason = form_text_problem(form)
    if reason:
        raise HTTPException(400, gettext(
            "A text field holds a control character, which is not allowed: %(reason)s. Remove "
            "it and send again.") % {"reason": reason})


def json_text_problem(value: Any, where: str = "body") -> str | None:
    """The first string (key or value) of a JSON document holding a control character."""
    if isinstance(value, str):
        return text.problem(where, value, multiline=True)
    if isinstance(value, list):
        return next((p for i, v in enumerate(value) if (p := json_text_problem(v, where))),
                    None)
    if isinstance(value, dict):
        for key, item in value.items():
            found = json_text_problem(key, where) or json_text_problem(item, f"{key}"[:40])
            if found:
                return found
    return None


class TextGuardMiddleware:
    """Refuses with 400 a JSON or URL-encoded API body whose text holds a control character,
    before any handler (or database) sees it. Multipart bodies are checked by the form guard
    and the use cases' validation (rempart.domain.text)."""

    CHECKED = (b"application/json", b"application/x-www-form-urlencoded")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = (_header(scope, b"content-type") or "").encode("latin-1").lower()
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/api/") \
                or scope.get("method") not in STATE_CHANGING \
                or not content_type.startswith(self.CHECKED):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        reason = _body_text_problem(body, content_type)
        if reason:
            await _refuse(send, str(scope.get("path", "")), 400, reason)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _body_text_problem(body: bytes, content_type: bytes) -> str | None:
    from urllib.parse import parse_qsl

    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        return None  # the app answers 400 for a body that is not UTF-8
    if content_type.startswith(b"application/json"):
        try:
            document = json.loads(decoded)
        except ValueError:
            return None  # the app answers 400 for malformed JSON
        return json_text_problem(document)
    for name, value in parse_qsl(decoded, keep_blank_values=True):
        reason = text.problem(name[:40], name + value, multiline=True)
        if reason:
            return reason
    return None


# --- CSRF -----------------------------------------------------------------------------------

def cookie_name(name: str, secure: bool) -> str:
    """``__Host-name`` when cookies are secure: the browser then requires Secure and Path=/ and
    refuses a Domain, so no sibling subdomain can set or shadow it."""
    return HOST_PREFIX + name if secure else name


def csrf_key(secret: bytes) -> bytes:
    """The CSRF signing key, derived from the instance's session key (never used raw)."""
    return hmac.new(secret, b"rempart csrf v1", hashlib.sha256).digest()


def _secure(request: Request) -> bool:
    return bool(getattr(request.app.state, "csrf_secure", False))


def _browser_id(request: Request) -> str:
    """This browser's random id (from its cookie), or a new one set on the response."""
    existing = getattr(request.state, "csrf_browser_id", None)
    if existing:
        return str(existing)
    value = request.cookies.get(cookie_name(CSRF_COOKIE, _secure(request))) or ""
    if len(value) != 43:
        value = secrets.token_urlsafe(32)
        request.state.csrf_new = True
    request.state.csrf_browser_id = value
    return value


def _bound_token(request: Request, browser_id: str) -> str:
    key: bytes = request.app.state.csrf_key
    sessions = "|".join(request.cookies.get(cookie_name(name, _secure(request)), "")[:100]
                        for name in SESSION_COOKIES)
    mac = hmac.new(key, f"{browser_id}|{sessions}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def csrf_token(request: Request) -> str:
    """The token for this browser's forms, bound to its id and its current session."""
    return _bound_token(request, _browser_id(request))


def csrf_valid(request: Request, form: FormData) -> bool:
    browser_id = request.cookies.get(cookie_name(CSRF_COOKIE, _secure(request)), "")
    sent = form.get(CSRF_FIELD, "")
    if len(browser_id) != 43 or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(_bound_token(request, browser_id).encode(), sent.encode())


class CsrfCookieMiddleware:
    """Sets the CSRF cookie on responses when the page minted a new token."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = scope.get("state") or {}
                token = state.get("csrf_browser_id") if state.get("csrf_new") else None
                if token:
                    message["headers"] = list(message.get("headers", [])) + [
                        (b"set-cookie", cookie_header(
                            cookie_name(CSRF_COOKIE, self.secure), token, secure=self.secure,
                            max_age=None).encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def cookie_header(name: str, value: str, *, secure: bool, max_age: int | None,
                  path: str = "/") -> str:
    """A hardened Set-Cookie value: HttpOnly, SameSite=Strict, Secure when configured."""
    parts = [f"{name}={value}", f"Path={path}", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
