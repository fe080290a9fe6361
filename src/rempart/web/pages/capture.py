""""Capture a page" (issue 14.3) from the case portal and the back-office.

The reporter posts an address on the case page (``POST /dossier/capture``) and reads the state
of the captures of the case at ``/dossier/captures``; staff whose role may add evidence do the
same from the case view (``POST /staff/cases/<id>/capture``, ``/staff/cases/<id>/captures``,
permission checked and audited by the service). The page is fetched by a background job: these
handlers only ask ``rempart.services.capture_requests`` and render. A bad address is a 400 with
its reason and stores nothing; a reporter over the limit of captures per case and hour gets 429.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rempart.capture.fetch import MAX_URL_CHARS
from rempart.services import capture_requests
from rempart.services.capture import CaptureFailed
from rempart.services.capture_requests import CaptureLimited
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember
from rempart.web.i18n import gettext as _
from rempart.web.i18n import ngettext
from rempart.web.pages import sessions
from rempart.web.pages.common import checked_form, csrf_failure, render
from rempart.web.pages.portal import session_expired
from rempart.web.pages.runtime import runtime
from rempart.web.pages.staff import _as_staff, _page

router = APIRouter(include_in_schema=False)
LIST_TEMPLATE = "capture/list.html"
REFUSED_TEMPLATE = "capture/refused.html"
PORTAL_LIST = "/dossier/captures"


def reasons() -> dict[str, str]:
    """Why a capture was refused, for its reader (the reason codes of ``CaptureFailed``)."""
    return {
        "invalid": _("This is not the address of a web page. Copy it from the address bar of "
                     "your browser: it starts with https:// and has no spaces (at most "
                     "%(num)s characters).") % {"num": MAX_URL_CHARS},
        "scheme": _("Only web pages can be captured: the address must start with https:// or "
                    "http://."),
        "address": _("This address is not a public web page (it is a private or local "
                     "address): Rempart does not open it."),
        "too_large": _("The page is too big to be captured."),
        "too_slow": _("The site took too long to answer. Try again later, or take a "
                      "screenshot."),
        "redirects": _("The page sends to other addresses too many times."),
        "unreachable": _("The site could not be reached: the address does not exist, or the "
                         "site is down."),
        "render": _("The page could not be drawn as an image."),
        "error": _("Something went wrong during the capture. Try again later."),
    }


def states() -> dict[str, str]:
    return {capture_requests.QUEUED: _("waiting"), capture_requests.RUNNING: _("in progress"),
            capture_requests.DONE: _("done"), capture_requests.REFUSED: _("refused"),
            capture_requests.FAILED: _("failed")}


def _url_field(form: FormData) -> str:
    return str(form.get("url", "") or "")[:MAX_URL_CHARS + 1]  # longer: refused as too long


def _limited_reason(limited: CaptureLimited) -> str:
    minutes = max(1, -(-limited.retry_after // 60))
    return ngettext(
        "This case already asked for %(limit)s page captures in the last hour, the most "
        "allowed. Try again in %(num)s minute.",
        "This case already asked for %(limit)s page captures in the last hour, the most "
        "allowed. Try again in %(num)s minutes.", minutes) % {"limit": limited.limit,
                                                              "num": minutes}


def _refused_page(request: Request, reason: str, status_code: int, back: str,
                  member: StaffMember | None = None) -> HTMLResponse:
    context = {"reason": reason, "status": status_code, "back": back,
               "staff_view": member is not None}
    if member is not None:
        return _page(request, member, REFUSED_TEMPLATE, context, status_code=status_code)
    return render(request, REFUSED_TEMPLATE, context, status_code=status_code)


@router.post("/dossier/capture")
async def reporter_capture(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    case_id = await sessions.reporter_case(request)
    if case_id is None:
        return session_expired(request)
    try:
        await run_in_threadpool(capture_requests.request_capture, runtime(request), case_id,
                                _url_field(form))
    except CaptureFailed as refused:
        return _refused_page(request, reasons().get(refused.reason, reasons()["invalid"]), 400,
                             "/dossier#capture")
    except CaptureLimited as limited:
        page = _refused_page(request, _limited_reason(limited), 429, "/dossier#capture")
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    except CaseNotFound:
        return session_expired(request)
    return RedirectResponse("/dossier?ok=capture#capture", status_code=303)


@router.get(PORTAL_LIST, response_class=HTMLResponse)
async def reporter_captures(request: Request) -> Response:
    case_id = await sessions.reporter_case(request)
    if case_id is None:
        return session_expired(request)
    listed = await run_in_threadpool(capture_requests.for_reporter, runtime(request), case_id)
    return render(request, LIST_TEMPLATE, {
        "captures": listed, "states": states(), "reasons": reasons(), "back": "/dossier",
        "staff_view": False, "notice": ""})


@router.post("/staff/cases/{case_id}/capture")
async def staff_capture(request: Request, case_id: str) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    case_id = case_id[:36]

    async def handler(request: Request, member: StaffMember) -> Response:
        try:
            await run_in_threadpool(capture_requests.staff_request_capture, runtime(request),
                                    member, case_id, _url_field(form))
        except CaptureFailed as refused:
            return _refused_page(request, reasons().get(refused.reason, reasons()["invalid"]),
                                 400, f"/staff/cases/{case_id}#capture", member)
        return RedirectResponse(f"/staff/cases/{case_id}/captures?ok=1", status_code=303)

    return await _as_staff(request, handler)


@router.get("/staff/cases/{case_id}/captures", response_class=HTMLResponse)
async def staff_captures(request: Request, case_id: str) -> Response:
    case_id = case_id[:36]

    async def handler(request: Request, member: StaffMember) -> Response:
        listed = await run_in_threadpool(capture_requests.for_staff, runtime(request), member,
                                         case_id)
        notice = _("Capture requested.") if request.query_params.get("ok") else ""
        return _page(request, member, LIST_TEMPLATE, {
            "captures": listed, "states": states(), "reasons": reasons(),
            "back": f"/staff/cases/{case_id}", "staff_view": True, "notice": notice})

    return await _as_staff(request, handler)
