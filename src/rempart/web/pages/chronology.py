"""The chronology of the facts (issue 14.4): for the reporter in the case portal
(``/dossier/chronologie``: read, correct a date, exclude or put back a line, add a dated line)
and for staff in the back-office (``/staff/cases/<id>/chronologie``, with the custody events;
permission checked and the view audited by the service). Thin handlers: parse, call
``rempart.services.chronology``, render."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rempart.domain.timeline import ADDED_TEXT_CHARS, InvalidCorrection, when_text
from rempart.services import chronology, legal
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember
from rempart.web.i18n import current_language
from rempart.web.i18n import gettext as _
from rempart.web.pages.common import checked_form, csrf_failure, render
from rempart.web.pages.portal import _detail as reporter_detail
from rempart.web.pages.portal import session_expired
from rempart.web.pages.runtime import runtime
from rempart.web.pages.staff import _as_staff, _page

router = APIRouter(include_in_schema=False)
TEMPLATE = "chronology/timeline.html"
PORTAL = "/dossier/chronologie"


def _reasons() -> dict[str, str]:
    return {"kind": _("This change is not known."),
            "line": _("This line is no longer in the chronology."),
            "date": _("The date is not a valid date (day, month and year)."),
            "date_range": _("The date must be between 1990 and today."),
            "time": _("The time must be written as HH:MM, for example 21:14."),
            "text_missing": _("Write what happened."),
            "text_long": _("The text is too long (at most %(num)s characters).")
            % {"num": ADDED_TEXT_CHARS},
            "too_many": _("This case has too many corrections already.")}


async def _reporter_page(request: Request, error: str = "", status_code: int = 200
                         ) -> Response:
    detail = await reporter_detail(request)
    if detail is None:
        return session_expired(request)
    view = await run_in_threadpool(chronology.for_reporter, runtime(request), detail.case_id,
                                   current_language())
    reminders = legal.reminders(detail, datetime.now(UTC).date(), chronology=view.span)
    notice = _("Your correction was saved.") if request.query_params.get("ok") else ""
    return render(request, TEMPLATE, {
        "view": view, "staff_view": False, "back": "/dossier", "when": when_text,
        "error": error, "notice": notice, "reminders": reminders,
        "legal_disclaimer": legal.disclaimer(current_language()),
        "text_limit": ADDED_TEXT_CHARS}, status_code=status_code)


@router.get(PORTAL, response_class=HTMLResponse)
async def reporter_chronology(request: Request) -> Response:
    return await _reporter_page(request)


@router.post(PORTAL)
async def reporter_correction(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    detail = await reporter_detail(request)
    if detail is None:
        return session_expired(request)
    try:
        await run_in_threadpool(
            lambda: chronology.correct(
                runtime(request), detail.case_id, str(form.get("action", "")),
                str(form.get("line", ""))[:200], day=str(form.get("day", ""))[:20],
                clock=str(form.get("time", ""))[:10], unknown=form.get("unknown") == "yes",
                text=str(form.get("text", ""))[:2000], estimated=form.get("estimated") == "yes"))
    except InvalidCorrection as refused:
        reason = _reasons().get(str(refused), _reasons()["kind"])
        return await _reporter_page(request, reason, status_code=400)
    except CaseNotFound:
        return session_expired(request)
    return RedirectResponse(PORTAL + "?ok=1", status_code=303)


@router.get("/staff/cases/{case_id}/chronologie", response_class=HTMLResponse)
async def staff_chronology(request: Request, case_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        view = await run_in_threadpool(chronology.for_staff, runtime(request), member, case_id,
                                       current_language())
        return _page(request, member, TEMPLATE, {
            "view": view, "staff_view": True, "back": f"/staff/cases/{case_id}",
            "when": when_text, "error": "", "notice": "", "reminders": [],
            "text_limit": ADDED_TEXT_CHARS})

    return await _as_staff(request, handler)
