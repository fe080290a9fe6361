"""HTTP hardening for every response, CSRF tokens for every form, and the request size limit.

* Headers: a strict Content-Security-Policy (only our own origin, no inline script or style),
  no framing, no referrer, no MIME sniffing, no powerful browser features. Case and staff pages
  are never cached (``Cache-Control: no-store``): a shared family computer must not keep them.
* Body limit: a request whose declared or streamed size is above the limit is cut off with 413
  before the multipart parser spools it to disk.
* CSRF: double-submit token. A random token lives in an HttpOnly, SameSite=Strict cookie; every
  form carries it in a hidden field and ``check_csrf`` compares both in constant time. SameSite
  already blocks most cross-site posts; the token covers old browsers and sibling subdomains.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "rempart_csrf"
CSRF_FIELD = "csrf_token"
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
    if path.startswith(PRIVATE_PREFIXES):
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


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, path: str) -> None:
    if path.startswith("/api/"):
        body = json.dumps({"error": "request body too large"}).encode()
        content_type = b"application/json"
    else:
        body = ("<!doctype html><meta charset=utf-8><title>413</title>"
                "<p>Envoi trop volumineux : r\u00e9duisez la taille ou le nombre des fichiers."
                "</p><p>Upload too large: send smaller or fewer files.</p>").encode()
        content_type = b"text/html; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")] + security_headers(path)
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --- CSRF -----------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    """The token for this browser: the cookie's, or a new one (set on the response by the app)."""
    existing = getattr(request.state, "csrf_token", None)
    if existing:
        return str(existing)
    token = request.cookies.get(CSRF_COOKIE) or ""
    if len(token) != 43:
        token = secrets.token_urlsafe(32)
        request.state.csrf_new = True
    request.state.csrf_token = token
    return token


def csrf_valid(request: Request, form: FormData) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD, "")
    if not cookie or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(cookie.encode(), sent.encode())


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
                token = state.get("csrf_token") if state.get("csrf_new") else None
                if token:
                    message["headers"] = list(message.get("headers", [])) + [
                        (b"set-cookie", cookie_header(CSRF_COOKIE, token, secure=self.secure,
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
