"""Signed, short-lived, HttpOnly, SameSite=Strict cookies for reporters and staff.

The reporter cookie holds only the case id, signed with ``secret_bytes("session_key")``; it
expires after ``case_token_seconds`` of inactivity (renewed on each page), so a shared phone does
not stay logged in to a case. The staff cookie holds a random session token whose hash the
database keeps (``services.staff.start_session``): revocable, expiring after
``staff_session_seconds``.
"""

from __future__ import annotations

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from rempart.config import Settings
from rempart.web.security import cookie_header

REPORTER_COOKIE = "rempart_case"
STAFF_COOKIE = "rempart_staff"
# Each cookie is only sent to the pages that need it.
REPORTER_PATH = "/dossier"
STAFF_PATH = "/staff"


def _serializer(settings: Settings, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_bytes("session_key"), salt=purpose)


def _read(request: Request, cookie: str, purpose: str, max_age: int) -> str | None:
    raw = request.cookies.get(cookie)
    if not raw:
        return None
    settings: Settings = request.app.state.settings
    try:
        value = _serializer(settings, purpose).loads(raw, max_age=max_age)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def _write(request: Request, response: Response, cookie: str, purpose: str, value: str,
           max_age: int, path: str) -> None:
    settings: Settings = request.app.state.settings
    signed = _serializer(settings, purpose).dumps(value)
    response.headers.append("set-cookie", cookie_header(
        cookie, str(signed), secure=settings.secure_cookies, max_age=max_age, path=path))


def _clear(request: Request, response: Response, cookie: str, path: str) -> None:
    settings: Settings = request.app.state.settings
    response.headers.append("set-cookie", cookie_header(
        cookie, "", secure=settings.secure_cookies, max_age=0, path=path))


def reporter_case(request: Request) -> str | None:
    settings: Settings = request.app.state.settings
    return _read(request, REPORTER_COOKIE, "reporter", settings.case_token_seconds)


def remember_reporter(request: Request, response: Response, case_id: str) -> None:
    settings: Settings = request.app.state.settings
    _write(request, response, REPORTER_COOKIE, "reporter", case_id,
           settings.case_token_seconds, REPORTER_PATH)


def forget_reporter(request: Request, response: Response) -> None:
    _clear(request, response, REPORTER_COOKIE, REPORTER_PATH)


def staff_token(request: Request) -> str:
    """The staff session token (random, checked server-side by ``staff_for_session``)."""
    return request.cookies.get(STAFF_COOKIE, "")[:100]


def remember_staff(request: Request, response: Response, token: str) -> None:
    settings: Settings = request.app.state.settings
    response.headers.append("set-cookie", cookie_header(
        STAFF_COOKIE, token, secure=settings.secure_cookies,
        max_age=settings.staff_session_seconds, path=STAFF_PATH))


def forget_staff(request: Request, response: Response) -> None:
    _clear(request, response, STAFF_COOKIE, STAFF_PATH)
