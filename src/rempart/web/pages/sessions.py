"""Server-side, revocable sessions for reporters and staff, in HttpOnly, SameSite=Strict cookies.

Both cookies hold a random token whose SHA-256 the database keeps with an expiry fixed when the
session starts (issue 12.4): the reporter's is a case session (``services.cases
.issue_case_token``, the same kind of token as the API's bearer token), ended for every device by
closing the case, withdrawing it or drawing a new passphrase; the staff's is a staff session
(``services.staff.start_session``). No case id is ever in a cookie.

With secure cookies on (HTTPS), the cookies are named ``__Host-...`` (Secure, Path=/, no
Domain: a sibling subdomain cannot set or shadow them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from rempart.config import Settings
from rempart.services import cases
from rempart.services.errors import CaseAccessDenied
from rempart.web.pages.runtime import runtime
from rempart.web.protection import cookie_header, cookie_name

REPORTER_COOKIE = "rempart_case"
STAFF_COOKIE = "rempart_staff"
# Each cookie is only sent to the pages that need it (all pages under __Host-, which needs /).
REPORTER_PATH = "/dossier"
STAFF_PATH = "/staff"
MAX_TOKEN_CHARS = 100


@dataclass(frozen=True)
class _Current:
    token: str
    session: cases.ReporterSession


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _set(request: Request, response: Response, name: str, value: str, max_age: int,
         path: str) -> None:
    secure = _settings(request).secure_cookies
    response.headers.append("set-cookie", cookie_header(
        cookie_name(name, secure), value, secure=secure, max_age=max_age,
        path="/" if secure else path))


def _cookie(request: Request, name: str) -> str:
    return request.cookies.get(cookie_name(name, _settings(request).secure_cookies),
                               "")[:MAX_TOKEN_CHARS]


async def reporter_case(request: Request) -> str | None:
    """The case of this browser's live session, or None (no cookie, expired, ended)."""
    current = getattr(request.state, "reporter_session", None)
    if isinstance(current, _Current):
        return current.session.case_id
    token = _cookie(request, REPORTER_COOKIE)
    if not token:
        return None
    try:
        found = await run_in_threadpool(cases.reporter_session, runtime(request).uow(), token)
    except CaseAccessDenied:
        return None
    request.state.reporter_session = _Current(token, found)
    return found.case_id


async def start_reporter_session(request: Request, response: Response, case_id: str) -> None:
    """A new session for the case on this browser, for ``case_token_seconds`` from now."""
    ttl = _settings(request).case_token_seconds
    token = await run_in_threadpool(cases.issue_case_token, runtime(request).uow(), case_id, ttl)
    _set(request, response, REPORTER_COOKIE, token, ttl, REPORTER_PATH)


def remember_reporter(request: Request, response: Response, case_id: str) -> None:
    """Keep this browser's session of the case (its expiry does not move); start one if the
    browser has none for this case (right after filing a report)."""
    current = getattr(request.state, "reporter_session", None)
    if isinstance(current, _Current) and current.session.case_id == case_id:
        left = int((current.session.expires_at - datetime.now(UTC)).total_seconds())
        _set(request, response, REPORTER_COOKIE, current.token, max(left, 0), REPORTER_PATH)
        return
    ttl = _settings(request).case_token_seconds
    token = cases.issue_case_token(runtime(request).uow(), case_id, ttl)
    _set(request, response, REPORTER_COOKIE, token, ttl, REPORTER_PATH)


async def end_reporter_sessions(request: Request, response: Response, case_id: str) -> None:
    """End every session of the case (all devices, web and API) and clear this cookie."""
    await run_in_threadpool(cases.end_case_sessions, runtime(request).uow(), case_id)
    forget_reporter(request, response)


def forget_reporter(request: Request, response: Response) -> None:
    _set(request, response, REPORTER_COOKIE, "", 0, REPORTER_PATH)


def staff_token(request: Request) -> str:
    """The staff session token (random, checked server-side by ``staff_for_session``)."""
    return _cookie(request, STAFF_COOKIE)


def remember_staff(request: Request, response: Response, token: str) -> None:
    _set(request, response, STAFF_COOKIE, token, _settings(request).staff_session_seconds,
         STAFF_PATH)


def forget_staff(request: Request, response: Response) -> None:
    _set(request, response, STAFF_COOKIE, "", 0, STAFF_PATH)


def session_key_of(request: Request) -> str:
    """The browser's session token that CSRF tokens are bound to (staff or reporter), or ''."""
    return staff_token(request) or _cookie(request, REPORTER_COOKIE)
