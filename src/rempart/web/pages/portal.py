"""The reporter's case portal ("Retrouver mon dossier"): open with code + passphrase, read the
thread, write, add evidence, withdraw. The session is a signed cookie holding only the case id."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rempart.services import cases, chronology, legal, reporting, timeline, witnesses
from rempart.services.errors import (
    CaseAccessDenied,
    CaseNotFound,
    InvalidReport,
    TooManyAttempts,
    UploadRejected,
)
from rempart.web.i18n import current_language, ngettext
from rempart.web.i18n import gettext as _
from rempart.web.pages import fact_questions, sessions
from rempart.web.pages.common import checked_form, csrf_failure, render
from rempart.web.pages.fact_questions import FactsForm
from rempart.web.pages.forms import ACCEPT, status_label, uploaded_files
from rempart.web.pages.runtime import attempt_policy, refused_file, runtime, to_uploads

router = APIRouter(prefix="/dossier", include_in_schema=False)


def _notices() -> dict[str, str]:
    return {"message": _("Your message was sent."),
            "evidence": _("Your files were added to your case."),
            "facts": _("Your answers were saved."),
            "duplicate": _("A file you sent was already in your case: it was not stored twice."),
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
    case_id = await sessions.reporter_case(request)
    if case_id is None:
        return None
    try:
        return await run_in_threadpool(cases.case_detail, runtime(request).uow(), case_id)
    except CaseNotFound:
        return None


async def _case_page(request: Request, detail: cases.CaseDetail, error: str = "",
                     status_code: int = 200, facts: FactsForm | None = None,
                     facts_errors: dict[str, str] | None = None) -> HTMLResponse:
    notice = _notices().get(request.query_params.get("ok", ""), "")
    lang = current_language()
    response = render(request, "case.html", {
        "case": detail, "status_label": status_label(detail.status), "notice": notice,
        # The facts questions, to correct or complete the answers (POST /dossier/faits).
        "facts": facts or FactsForm.from_facts(detail.facts), "facts_errors": facts_errors,
        "questions": fact_questions.questions(detail.reporter_role.value),
        "age_question": fact_questions.age_question(detail.reporter_role.value),
        "authors_question": fact_questions.authors_question(),
        "error": error, "accept": ACCEPT,
        # Deadline reminders (prescription) with the "information, not advice" notice.
        "reminders": legal.reminders(
            detail, datetime.now(UTC).date(),
            chronology=await run_in_threadpool(chronology.span, runtime(request),
                                               detail.case_id)),
        "legal_disclaimer": legal.disclaimer(lang),
        "activity": await run_in_threadpool(timeline.reporter_activity, runtime(request).uow,
                                            detail.case_id),
        "witness_pending": await run_in_threadpool(witnesses.pending_count, runtime(request),
                                                   detail.case_id)}, status_code=status_code)
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
    except TooManyAttempts as wait:
        minutes = max(1, -(-wait.retry_after // 60))
        page = _open_form(request, ngettext(
            "Too many attempts. Wait %(num)s minute and try again.",
            "Too many attempts. Wait %(num)s minutes and try again.", minutes) % {"num": minutes},
            code[:40], status_code=429)
        page.headers["Retry-After"] = str(max(1, wait.retry_after))
        return page
    response = _see_case()
    await sessions.start_reporter_session(request, response, case_id)
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
        await run_in_threadpool(reporting.post_message, runtime(request), detail.case_id,
                                str(form.get("body", "")))
    except InvalidReport as exc:
        return await _case_page(request, detail, str(exc), status_code=400)
    return _see_case("message")


@router.post("/faits")
async def update_facts(request: Request) -> Response:
    """The reporter corrects or completes the answers; a refusal keeps what was typed."""
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    detail = await _detail(request)
    if detail is None:
        return session_expired(request)
    typed = FactsForm.from_form(form)
    problems = typed.problems()
    if not problems:
        try:
            await run_in_threadpool(cases.update_facts, runtime(request).uow(), detail.case_id,
                                    typed.to_facts())
        except InvalidReport as exc:
            problems = {"form": str(exc)}
    if problems:
        return await _case_page(request, detail, _("Your answers were not saved yet."),
                                status_code=400, facts=typed, facts_errors=problems)
    return _see_case("facts")


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
        added = await run_in_threadpool(reporting.add_evidence, runtime(request),
                                        detail.case_id, to_uploads(files))
    except UploadRejected as exc:
        return await _case_page(request, detail, refused_file(exc), status_code=400)
    finally:
        for upload in files:
            await upload.close()
    return _see_case("duplicate" if any(r.already_in_case for r in added.receipts)
                     else "evidence")


async def _confirm_page(request: Request, template: str) -> Response:
    detail = await _detail(request)
    if detail is None:
        return _open_form(request)
    return render(request, template, {"case": detail})


async def _confirmed(request: Request, template: str) -> cases.CaseDetail | Response:
    """The case of a confirmed form (CSRF, session, the "confirm" box), else the page to show."""
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    detail = await _detail(request)
    if detail is None:
        return session_expired(request)
    if form.get("confirm") != "yes":
        return render(request, template, {"case": detail}, status_code=400)
    return detail


@router.get("/retirer", response_class=HTMLResponse)
async def withdraw_confirm(request: Request) -> Response:
    return await _confirm_page(request, "case_withdraw.html")


@router.post("/retirer", response_class=HTMLResponse)
async def withdraw(request: Request) -> Response:
    detail = await _confirmed(request, "case_withdraw.html")
    if isinstance(detail, Response):
        return detail
    app = runtime(request)
    await run_in_threadpool(cases.withdraw_case, app.uow(), app.store, detail.case_id)
    response = render(request, "case_withdrawn.html")
    sessions.forget_reporter(request, response)
    return response


@router.get("/phrase", response_class=HTMLResponse)
async def passphrase_confirm(request: Request) -> Response:
    return await _confirm_page(request, "case_passphrase.html")


@router.post("/phrase", response_class=HTMLResponse)
async def new_passphrase(request: Request) -> Response:
    """A new passphrase, shown once; the old one and every session of the case end (12.4)."""
    detail = await _confirmed(request, "case_passphrase.html")
    if isinstance(detail, Response):
        return detail
    secret = await run_in_threadpool(cases.new_passphrase, runtime(request).uow(),
                                     detail.case_id)
    response = render(request, "case_passphrase.html",
                      {"code": detail.code, "new_passphrase": secret})
    sessions.forget_reporter(request, response)
    return response


@router.post("/fermer")
async def close_session(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    response = _see_case("closed")
    case_id = await sessions.reporter_case(request)
    if case_id is None:
        sessions.forget_reporter(request, response)
    else:  # every device: a copied cookie or an API token stops working too (issue 12.4)
        await sessions.end_reporter_sessions(request, response, case_id)
    return response
