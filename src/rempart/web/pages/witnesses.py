"""Witnesses (issue 14.5): the victim's invitations and decisions, the witness's pages.

The victim, in the case portal (``/dossier/temoins``): draws an invitation (its code is shown
once, on the answer to the POST, never in an address), revokes one, reads each contribution
(statement, name if given, files as downloads only) and accepts or declines it (declining needs
a ticked confirmation: it cannot be undone).

The witness, without an account (``/temoin/ajouter``): types the code, is told what a witness
should do and whom to call, sends a statement and files, gets a receipt (SHA-256 of each file)
and a follow code shown once; ``/temoin/suivi`` says what became of it. Every page of both sides
is a plain form (no JavaScript), CSRF-checked; these handlers parse, call
``rempart.services.witnesses`` and render.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rempart.domain import witnesses as rules
from rempart.services import witnesses
from rempart.services.errors import (
    CaseAccessDenied,
    CaseNotFound,
    InvalidReport,
    TooManyAttempts,
    UploadRejected,
)
from rempart.web.i18n import gettext as _
from rempart.web.i18n import ngettext
from rempart.web.pages import sessions
from rempart.web.pages.common import checked_form, csrf_failure, error_page, render
from rempart.web.pages.forms import ACCEPT, uploaded_files
from rempart.web.pages.guidance import service_views
from rempart.web.pages.portal import session_expired
from rempart.web.pages.runtime import refused_file, runtime, to_uploads

router = APIRouter(include_in_schema=False)
VICTIM_PAGE = "/dossier/temoins"
WITNESS_SERVICES = ("3018", "119", "17", "pharos")


def guidance() -> list[str]:
    return [_(line) for line in rules.WITNESS_GUIDANCE]


def _invitation_states() -> dict[str, str]:
    return {"open": _("open"), "expired": _("expired"), "revoked": _("revoked")}


def _contribution_states() -> dict[str, str]:
    return {"pending": _("waiting for the decision of the person harassed"),
            "accepted": _("accepted: added to the case"),
            "declined": _("declined: erased")}


def _notices() -> dict[str, str]:
    return {"revoked": _("The invitation was revoked: its code no longer works."),
            "accepted": _("The contribution was added to your case's evidence."),
            "declined": _("The contribution was declined: what it held is erased.")}


def _wait_message(wait: TooManyAttempts) -> str:
    minutes = max(1, -(-wait.retry_after // 60))
    return ngettext("Too many attempts. Wait %(num)s minute and try again.",
                    "Too many attempts. Wait %(num)s minutes and try again.",
                    minutes) % {"num": minutes}


def _field(form: FormData, name: str, limit: int) -> str:
    return str(form.get(name, "") or "")[:limit]


# The victim ---------------------------------------------------------------------------------


async def _victim_page(request: Request, case_id: str, new_code: str = "",
                       new_expiry: datetime | None = None, error: str = "",
                       status_code: int = 200) -> HTMLResponse:
    app = runtime(request)
    listed = await run_in_threadpool(witnesses.invitations, app, case_id)
    received = await run_in_threadpool(witnesses.contributions, app, case_id)
    return render(request, "witnesses/victim.html", {
        "invitations": listed, "contributions": received, "new_code": new_code,
        "new_expiry": new_expiry, "error": error,
        "notice": _notices().get(request.query_params.get("ok", ""), ""),
        "invitation_states": _invitation_states(),
        "contribution_states": _contribution_states(),
        "expiry_choices": rules.EXPIRY_CHOICES_DAYS, "default_days": rules.DEFAULT_EXPIRY_DAYS,
        "max_open": rules.MAX_OPEN_INVITATIONS, "guidance": guidance()},
        status_code=status_code)


async def _victim_form(request: Request) -> tuple[FormData, str] | Response:
    """The victim's form (CSRF checked) and case, or the answer that refuses it."""
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    case_id = await sessions.reporter_case(request)
    if case_id is None:
        return session_expired(request)
    return form, case_id


@router.get(VICTIM_PAGE, response_class=HTMLResponse)
async def victim_page(request: Request) -> Response:
    case_id = await sessions.reporter_case(request)
    if case_id is None:
        return session_expired(request)
    return await _victim_page(request, case_id)


@router.post(VICTIM_PAGE + "/invitations", response_class=HTMLResponse)
async def create_invitation(request: Request) -> Response:
    checked = await _victim_form(request)
    if isinstance(checked, Response):
        return checked
    form, case_id = checked
    typed = _field(form, "days", 4).strip()
    days = int(typed) if typed.isdigit() else -1
    if days not in rules.EXPIRY_CHOICES_DAYS:
        return await _victim_page(request, case_id, error=_(
            "Choose how long the invitation lasts: from 1 to %(num)s days.")
            % {"num": rules.MAX_EXPIRY_DAYS}, status_code=400)
    try:
        made = await run_in_threadpool(witnesses.create_invitation, runtime(request), case_id,
                                       days)
    except witnesses.TooManyInvitations:
        return await _victim_page(request, case_id, error=_(
            "Your case already has %(num)s open invitations, the most allowed. Revoke one "
            "first.") % {"num": rules.MAX_OPEN_INVITATIONS}, status_code=409)
    except CaseNotFound:
        return session_expired(request)
    page = await _victim_page(request, case_id, new_code=made.code,
                              new_expiry=made.invitation.expires_at, status_code=201)
    page.headers["Cache-Control"] = "no-store"  # the code is shown once
    return page


@router.post(VICTIM_PAGE + "/invitations/{invitation_id}/revoquer")
async def revoke_invitation(request: Request, invitation_id: str) -> Response:
    checked = await _victim_form(request)
    if isinstance(checked, Response):
        return checked
    form, case_id = checked
    try:
        await run_in_threadpool(witnesses.revoke_invitation, runtime(request), case_id,
                                invitation_id[:36])
    except CaseNotFound:
        return error_page(request, 404, _("This invitation is not one of your case."))
    return RedirectResponse(VICTIM_PAGE + "?ok=revoked#invitations", status_code=303)


@router.get(VICTIM_PAGE + "/{contribution_id}/fichiers/{item_id}")
async def pending_file(request: Request, contribution_id: str, item_id: str) -> Response:
    case_id = await sessions.reporter_case(request)
    if case_id is None:
        return session_expired(request)
    try:
        found, data = await run_in_threadpool(witnesses.read_pending_file, runtime(request),
                                              case_id, contribution_id[:36], item_id[:36])
    except CaseNotFound:
        return error_page(request, 404, _("This file is not waiting in your case."))
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in found.file_name)[:100]
    # A witness's file is never shown by Rempart itself: downloaded, never sniffed or run.
    return Response(data, media_type=found.media_type, headers={
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{safe_name or "piece"}"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Content-Type-Options": "nosniff"})


@router.post(VICTIM_PAGE + "/{contribution_id}/{decision}")
async def decide(request: Request, contribution_id: str, decision: str) -> Response:
    checked = await _victim_form(request)
    if isinstance(checked, Response):
        return checked
    form, case_id = checked
    if decision not in ("accepter", "refuser"):
        return error_page(request, 404, _("This page does not exist."))
    if decision == "refuser" and form.get("confirm") != "yes":
        return await _victim_page(request, case_id, error=_(
            "Tick the box to confirm: a declined contribution is erased for good."),
            status_code=400)
    service = witnesses.accept if decision == "accepter" else witnesses.decline
    try:
        await run_in_threadpool(service, runtime(request), case_id, contribution_id[:36])
    except CaseNotFound:
        return error_page(request, 404, _("This contribution is not one of your case."))
    except witnesses.AlreadyDecided:
        return await _victim_page(request, case_id, error=_(
            "You already decided about this contribution."), status_code=409)
    done = "accepted" if decision == "accepter" else "declined"
    return RedirectResponse(f"{VICTIM_PAGE}?ok={done}#contributions", status_code=303)


# The witness --------------------------------------------------------------------------------


def _witness_page(request: Request, template: str, context: dict[str, object],
                  status_code: int = 200) -> HTMLResponse:
    page = render(request, template, {
        "guidance": guidance(), "services": service_views(WITNESS_SERVICES,
                                                          datetime.now(UTC)),
        **context}, status_code=status_code)
    page.headers["Cache-Control"] = "no-store"
    return page


def _code_form(request: Request, error: str = "", code: str = "",
               status_code: int = 200) -> HTMLResponse:
    return _witness_page(request, "witnesses/code.html", {"error": error, "code": code},
                         status_code)


def _contribution_form(request: Request, code: str, expires_at: datetime | None,
                       error: str = "", statement: str = "", name: str = "",
                       status_code: int = 200) -> HTMLResponse:
    return _witness_page(request, "witnesses/contribute.html", {
        "code": code, "expires_at": expires_at, "error": error, "statement": statement,
        "name": name, "accept": ACCEPT, "max_statement": rules.MAX_STATEMENT_CHARS,
        "max_name": rules.MAX_NAME_CHARS}, status_code)


def _refused_code(request: Request, problem: CaseAccessDenied | TooManyAttempts,
                  code: str) -> HTMLResponse:
    if isinstance(problem, TooManyAttempts):
        page = _code_form(request, _wait_message(problem), code, 429)
        page.headers["Retry-After"] = str(max(1, problem.retry_after))
        return page
    return _code_form(request, _("This invitation code does not work: it is wrong, it has "
                                 "expired, or the person who gave it to you revoked it."),
                      code, 403)


@router.get("/temoin/ajouter", response_class=HTMLResponse)
async def witness_start(request: Request) -> Response:
    return _code_form(request)


@router.post("/temoin/ajouter", response_class=HTMLResponse)
async def witness_code(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    code = _field(form, "code", 60).strip()
    try:
        expires_at = await run_in_threadpool(witnesses.check_invitation, runtime(request), code)
    except (CaseAccessDenied, TooManyAttempts) as problem:
        return _refused_code(request, problem, code)
    return _contribution_form(request, code, expires_at)


@router.post("/temoin/envoyer", response_class=HTMLResponse)
async def witness_send(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    code = _field(form, "code", 60).strip()
    statement = _field(form, "statement", rules.MAX_STATEMENT_CHARS + 1)
    name = _field(form, "name", rules.MAX_NAME_CHARS + 1)
    files = uploaded_files(form)
    try:
        receipt = await run_in_threadpool(
            witnesses.contribute, runtime(request), code,
            witnesses.WitnessStatement(statement, name or None), to_uploads(files))
    except (CaseAccessDenied, TooManyAttempts) as problem:
        return _refused_code(request, problem, code)
    except InvalidReport as problem:
        return _contribution_form(request, code, None, _statement_reason(str(problem)),
                                  statement, name, 400)
    except UploadRejected as problem:
        return _contribution_form(request, code, None, refused_file(problem) + " " + _(
            "Choose your files again."), statement, name, 400)
    finally:
        for upload in files:
            await upload.close()
    return _witness_page(request, "witnesses/receipt.html", {"receipt": receipt},
                         status_code=201)


def _statement_reason(reason: str) -> str:
    if reason.startswith("statement too long"):
        return _("Your statement is too long: at most %(num)s characters.") % {
            "num": rules.MAX_STATEMENT_CHARS}
    if reason.startswith("name too long"):
        return _("The name is too long: at most %(num)s characters.") % {
            "num": rules.MAX_NAME_CHARS}
    if reason.startswith("the name has"):
        return _("The name has characters that cannot be kept.")
    return _("Write what you saw, or add at least one file.")


@router.get("/temoin/suivi", response_class=HTMLResponse)
async def follow_form(request: Request) -> Response:
    return _witness_page(request, "witnesses/follow.html", {"error": "", "followed": None})


@router.post("/temoin/suivi", response_class=HTMLResponse)
async def follow(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    code = _field(form, "code", 60).strip()
    try:
        followed = await run_in_threadpool(witnesses.follow, runtime(request), code)
    except TooManyAttempts as wait:
        page = _witness_page(request, "witnesses/follow.html",
                             {"error": _wait_message(wait), "followed": None}, 429)
        page.headers["Retry-After"] = str(max(1, wait.retry_after))
        return page
    except CaseAccessDenied:
        return _witness_page(request, "witnesses/follow.html", {
            "error": _("This follow code does not work. Check it and try again."),
            "followed": None}, 403)
    return _witness_page(request, "witnesses/follow.html", {
        "error": "", "followed": followed, "states": _contribution_states()})
