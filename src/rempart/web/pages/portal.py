"""The reporter's case portal ("Retrouver mon dossier"): open with code + passphrase, read the
thread, write, add evidence, withdraw. The session is a signed cookie holding only the case id."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rempart.services import cases, classification, legal
from rempart.services.errors import (
    CaseAccessDenied,
    CaseNotFound,
    InvalidReport,
    TooManyAttempts,
    UploadRejected,
)
from rempart.web.i18n import current_language
from rempart.web.i18n import gettext as _
from rempart.web.pages import receipts, sessions
from rempart.web.pages.common import checked_form, csrf_failure, render
from rempart.web.pages.forms import ACCEPT, status_label, uploaded_files
from rempart.web.pages.runtime import attempt_policy, limits, refused_file, runtime, to_uploads

router = APIRouter(prefix="/dossier", include_in_schema=False)


def _notices() -> dict[str, str]:
    return {"message": _("Your message was sent."),
            "evidence": _("Your files were added to your case."),
            "closed": _("Your case is closed on this device. Your code and passphrase still "
                        "open it.")}


def _see_case(notice: str = "") -> RedirectResponse:
    return RedirectResponse("/dossier" + (f"?ok={notice}" if notice else ""), status_code=303)


def _open_form(request: Request, error: str = "", code: str = "",
               status_code: int = 200) -> HTMLResponse:
    notice = _notices().get(request.query_params.get("ok", ""), "")
    return render(request, "case_open.html", {"error": error, "code": code, "notice": notice},
                  status_code=status_code)


async def _detail(request: Request) -> cases.CaseDetail | None:
    case_id = sessions.reporter_case(request)
    if case_id is None:
        return None
    try:
        return await run_in_threadpool(cases.case_detail, runtime(request).uow(), case_id)
    except CaseNotFound:
        return None


async def _case_page(request: Request, detail: cases.CaseDetail, error: str = "",
                     status_code: int = 200) -> HTMLResponse:
    notice = _notices().get(request.query_params.get("ok", ""), "")
    lang = current_language()
    response = render(request, "case.html", {
        "case": detail, "status_label": status_label(detail.status), "notice": notice,
        "error": error, "accept": ACCEPT,
        # Deadline reminders (prescription) with the "information, not advice" notice.
        "reminders": legal.reminders(detail, datetime.now(UTC).date()),
        "legal_disclaimer": legal.disclaimer(lang)}, status_code=status_code)
    sessions.remember_reporter(request, response, detail.case_id)  # sliding expiry
    return response


def session_expired(request: Request) -> HTMLResponse:
    """The answer to a reporter whose case session ended: the open form, with the reason."""
    return _open_form(request, _("Your session has expired. Open your case again."),
                      status_code=401)


@router.get("", response_class=HTMLResponse)
async def case_home(request: Request) -> HTMLResponse:
    detail = await _detail(request)
    if detail is None:
        return _open_form(request)
    return await _case_page(request, detail)


@router.post("")
async def open_case(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    code, typed = str(form.get("code", "")), str(form.get("passphrase", ""))
    try:
        case_id = await run_in_threadpool(cases.open_case, runtime(request).uow(), code, typed,
                                          attempt_policy(request))
    except CaseAccessDenied:
        return _open_form(request, _("This code and passphrase do not open a case. Check them "
                                     "and try again."), code[:40], status_code=403)
    except TooManyAttempts:
        return _open_form(request, _("Too many attempts. Wait a quarter of an hour and try "
                                     "again."), code[:40], status_code=429)
    response = _see_case()
    sessions.remember_reporter(request, response, case_id)
    return response


@router.post("/messages")
async def post_message(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    detail = await _detail(request)
    if detail is None:
        return session_expired(request)
    try:
        await run_in_threadpool(cases.post_reporter_message, runtime(request).uow(),
                                detail.case_id, str(form.get("body", "")))
    except InvalidReport as exc:
        return await _case_page(request, detail, str(exc), status_code=400)
    await run_in_threadpool(classification.request_classification, runtime(request),
                            detail.case_id)
    return _see_case("message")


@router.post("/preuves")
async def add_evidence(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    detail = await _detail(request)
    if detail is None:
        return session_expired(request)
    files = uploaded_files(form)
    try:
        if not files:
            raise UploadRejected(_("choose at least one file"))
        app = runtime(request)
        await run_in_threadpool(cases.add_evidence, app.uow(), app.store, detail.case_id,
                                to_uploads(files), limits(request))
    except UploadRejected as exc:
        return await _case_page(request, detail, refused_file(exc), status_code=400)
    finally:
        for upload in files:
            await upload.close()
    await run_in_threadpool(receipts.sign_checkpoint, runtime(request))  # one per upload batch
    return _see_case("evidence")


@router.get("/retirer", response_class=HTMLResponse)
async def withdraw_confirm(request: Request) -> Response:
    detail = await _detail(request)
    if detail is None:
        return _open_form(request)
    return render(request, "case_withdraw.html", {"case": detail})


@router.post("/retirer", response_class=HTMLResponse)
async def withdraw(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    detail = await _detail(request)
    if detail is None:
        return session_expired(request)
    if form.get("confirm") != "yes":
        return render(request, "case_withdraw.html", {"case": detail}, status_code=400)
    app = runtime(request)
    await run_in_threadpool(cases.withdraw_case, app.uow(), app.store, detail.case_id)
    response = render(request, "case_withdrawn.html")
    sessions.forget_reporter(request, response)
    return response


@router.post("/fermer")
async def close_session(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    response = _see_case("closed")
    sessions.forget_reporter(request, response)
    return response
