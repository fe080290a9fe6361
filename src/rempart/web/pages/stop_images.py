"""Stop intimate images from spreading: hashes computed in the browser, submitted to a bank.

The file never leaves the device: the page's JavaScript (static/js/pdq.js, md5.js,
stop-images.js) hashes it and fills hidden fields; this router receives only hashes. The person
gets a case reference and a passphrase PIN (shown once, made like a reporter's case code and
passphrase) to follow or withdraw the hashes at /stop-images/suivi.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from rempart.services import matching as service
from rempart.services.matching import BankError, HashInput, SelfCaseStatus
from rempart.web.i18n import gettext as _
from rempart.web.pages.common import checked_form, csrf_failure, render
from rempart.web.pages.runtime import runtime

router = APIRouter(prefix="/stop-images", include_in_schema=False)

BANK_FOR_AGE = {"adult": "ncii-adults", "minor": "ncii-minors"}
MAX_FIELD_CHARS = 200_000  # 1000 vPDQ frames of ~80 characters, with room


def _page(request: Request, error: str = "", status_code: int = 200) -> HTMLResponse:
    return render(request, "stop_images/index.html", {"error": error}, status_code=status_code)


def parse_hashes(values: list[str]) -> list[HashInput]:
    """Hidden fields ``pdq|hex|quality``, ``video_md5|hex``, ``vpdq|hex,quality,ts,...``."""
    items = []
    for value in values:
        parts = value.split("|")
        if len(value) > MAX_FIELD_CHARS or len(parts) not in (2, 3):
            raise BankError(_("The hashes sent are malformed."))
        quality = None
        if len(parts) == 3:
            if not parts[2].isdigit():
                raise BankError(_("The hashes sent are malformed."))
            quality = int(parts[2])
        items.append(HashInput(parts[0], parts[1], quality=quality))
    return items


@router.get("", response_class=HTMLResponse)
async def stop_images_page(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("", response_class=HTMLResponse)
async def submit_hashes(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    bank = BANK_FOR_AGE.get(str(form.get("age", "")))
    if bank is None:
        return _page(request, _("Say whether you were an adult when the image was taken."), 400)
    try:
        items = parse_hashes([str(v) for v in form.getlist("hash")])
        if not items:
            return _page(request, _("No hash was computed. Choose a photo or a video first."), 400)
        reference, pin = await run_in_threadpool(service.submit_self_hashes,
                                                 runtime(request), items, bank)
    except BankError as exc:
        return _page(request, str(exc), 400)
    response = render(request, "stop_images/done.html", {
        "reference": reference, "pin": pin, "count": len(items), "minor": bank == "ncii-minors"})
    response.headers["Cache-Control"] = "no-store"  # the PIN is shown once, never cached
    return response


def _follow(request: Request, form: FormData) -> tuple[SelfCaseStatus | None, int | None]:
    return service.follow_self_case(runtime(request),
                                    str(form.get("reference", "")), str(form.get("pin", "")),
                                    withdraw=form.get("action") == "withdraw")


@router.get("/suivi", response_class=HTMLResponse)
async def follow_page(request: Request) -> HTMLResponse:
    return render(request, "stop_images/follow.html", {"status": None, "error": ""})


@router.post("/suivi", response_class=HTMLResponse)
async def follow_case(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    status, withdrawn = await run_in_threadpool(_follow, request, form)
    if status is None:
        error = _("This case reference and passphrase do not match, or the case is locked after "
                  "too many attempts.")
        return render(request, "stop_images/follow.html", {"status": None, "error": error},
                      status_code=400)
    response = render(request, "stop_images/follow.html", {
        "status": status, "error": "", "withdrawn": withdrawn,
        "reference": status.case_reference})
    response.headers["Cache-Control"] = "no-store"
    return response
