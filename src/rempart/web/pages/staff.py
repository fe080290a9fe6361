"""Back-office (/staff): login with password + TOTP, queue, case view, evidence, audit log.

Roles are checked by the staff services on every call (``Forbidden`` becomes 403 here); the web
layer only hides links a role cannot use. Evidence bytes go through an authenticated, audited
route answered with ``no-store``; there is no public URL for any evidence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from rempart.domain.cases import CaseKind, CaseStatus
from rempart.domain.staff import StaffRole
from rempart.security.totp_crypto import TotpSecretError
from rempart.services import staff as staff_services
from rempart.services.errors import (
    CaseNotFound,
    Forbidden,
    InvalidReport,
    LoginFailed,
    TooManyAttempts,
)
from rempart.services.staff import StaffMember
from rempart.web.i18n import gettext as _
from rempart.web.pages import sessions
from rempart.web.pages.common import checked_form, csrf_failure, error_page, render
from rempart.web.pages.forms import kind_choices, kind_label, role_label, status_label
from rempart.web.pages.runtime import runtime

router = APIRouter(prefix="/staff", include_in_schema=False)
# Types the browser may show inline as a thumbnail; anything else is downloaded.
INLINE_IMAGES = {"image/png", "image/jpeg", "image/webp", "image/gif"}


def _staff_role_label(role: str) -> str:
    return {StaffRole.COUNSELOR.value: _("counselor"), StaffRole.ANALYST.value: _("analyst"),
            StaffRole.ADMIN.value: _("administrator")}.get(role, role)


def _statuses() -> list[tuple[str, str]]:
    return [(s.value, status_label(s.value)) for s in CaseStatus]


async def _current(request: Request) -> StaffMember | None:
    token = sessions.staff_token(request)
    if not token:
        return None
    try:
        return await run_in_threadpool(staff_services.staff_for_session,
                                       runtime(request).uow(), token)
    except LoginFailed:
        return None


def _page(request: Request, member: StaffMember | None, name: str,
          context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    values = {"staff": member, "is_admin": member is not None and member.role == StaffRole.ADMIN,
              "status_label": status_label, "kind_label": kind_label,
              "role_label": role_label, "staff_role_label": _staff_role_label}
    values.update(context or {})
    return render(request, name, values, status_code=status_code)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/staff/login", status_code=303)


Handler = Callable[[Request, StaffMember], Awaitable[Response]]


async def _as_staff(request: Request, handler: Handler) -> Response:
    """Run a handler for a logged-in member; map service refusals to HTTP answers."""
    member = await _current(request)
    if member is None:
        return _to_login()
    try:
        return await handler(request, member)
    except Forbidden:
        return _page(request, member, "error.html", {
            "status": 403, "reason": _("Your role does not allow this.")}, status_code=403)
    except CaseNotFound:
        return _page(request, member, "error.html", {
            "status": 404, "reason": _("This case does not exist or was withdrawn.")},
            status_code=404)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    notice = _("You are logged out.") if request.query_params.get("ok") == "out" else ""
    return _page(request, None, "staff/login.html", {"email": "", "error": "",
                                                      "notice": notice})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    email = str(form.get("email", ""))[:254]
    services = runtime(request)
    try:
        member = await run_in_threadpool(
            staff_services.authenticate, services.uow(), services.totp_box, email,
            str(form.get("password", "")), str(form.get("totp", "")).replace(" ", ""),
            services.attempts)
    except LoginFailed:
        return _page(request, None, "staff/login.html", {
            "email": email, "error": _("Login failed. Check your e-mail, password and code."),
            "notice": ""}, status_code=401)
    except TooManyAttempts:
        return _page(request, None, "staff/login.html", {
            "email": email, "error": _("Too many attempts. Wait a quarter of an hour."),
            "notice": ""}, status_code=429)
    except TotpSecretError:  # logged by the service, with the account id
        return _page(request, None, "staff/login.html", {
            "email": email, "error": _("The server cannot check second-factor codes right "
                                       "now. Tell the administrator."),
            "notice": ""}, status_code=503)
    token = await run_in_threadpool(staff_services.start_session, services.uow(), member,
                                    services.settings.staff_session_seconds)
    response = RedirectResponse("/staff", status_code=303)
    sessions.remember_staff(request, response, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    token = sessions.staff_token(request)
    if token:
        await run_in_threadpool(staff_services.end_session, runtime(request).uow(), token)
    response = RedirectResponse("/staff/login?ok=out", status_code=303)
    sessions.forget_staff(request, response)
    return response


def _queue_url(status: str, kind: str, page: int) -> str:
    """The queue with the same filters at another page (page 1 keeps the short address)."""
    params = [(name, value) for name, value in (("status", status), ("kind", kind)) if value]
    if page > 1:
        params.append(("page", str(page)))
    return "/staff" + ("?" + urlencode(params) if params else "")


def _page_number(value: str) -> int | None:
    """A page number as typed in the address, or None when it is not one."""
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        return None
    number = int(value)
    return number if 1 <= number <= staff_services.MAX_QUEUE_PAGE else None


@router.get("", response_class=HTMLResponse)
async def queue(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        status_value = request.query_params.get("status", "")
        kind_value = request.query_params.get("kind", "")
        status = CaseStatus(status_value) if status_value in set(CaseStatus) else None
        kind = CaseKind(kind_value) if kind_value in set(CaseKind) else None
        page = _page_number(request.query_params.get("page", "1"))
        if page is None:
            return _page(request, member, "error.html", {"status": 400, "reason": _(
                "The page number must be a whole number from 1 to %(max)s.") % {
                "max": staff_services.MAX_QUEUE_PAGE}}, status_code=400)
        found = await run_in_threadpool(staff_services.queue, runtime(request).uow(), member,
                                        status, kind, page)
        filters = (status.value if status else "", kind.value if kind else "")
        return _page(request, member, "staff/queue.html", {
            "cases": found.rows, "queue": found, "statuses": _statuses(),
            "kinds": kind_choices(), "status": filters[0], "kind": filters[1],
            "first_url": _queue_url(*filters, 1),
            "previous_url": _queue_url(*filters, page - 1) if found.has_previous else "",
            "next_url": _queue_url(*filters, page + 1) if found.has_next else ""})
    return await _as_staff(request, handler)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_view(request: Request, case_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        detail = await run_in_threadpool(staff_services.staff_case_detail,
                                         runtime(request).uow(), member, case_id[:36])
        notice = {"status": _("Status changed."), "note": _("Note added."),
                  "reply": _("Reply sent to the reporter.")}.get(
            request.query_params.get("ok", ""), "")
        return _page(request, member, "staff/case.html", {
            "detail": detail, "case": detail.case, "statuses": _statuses(),
            "inline_images": INLINE_IMAGES, "notice": notice,
            "can_reply": member.role in (StaffRole.COUNSELOR, StaffRole.ADMIN)})
    return await _as_staff(request, handler)


@router.get("/cases/{case_id}/evidence/{item_id}")
async def evidence_file(request: Request, case_id: str, item_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        services = runtime(request)
        receipt, chunks = await run_in_threadpool(
            staff_services.staff_read_evidence, services.uow(), services.store, member,
            case_id[:36], item_id[:36])
        return _evidence_response(receipt.media_type, receipt.file_name, chunks,
                                  request.query_params.get("download") == "1")
    return await _as_staff(request, handler)


def _evidence_response(media_type: str, file_name: str, chunks: Iterator[bytes],
                       download: bool) -> StreamingResponse:
    inline = media_type in INLINE_IMAGES and not download
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in file_name)[:100]
    disposition = "inline" if inline else f'attachment; filename="{safe_name or "piece"}"'
    return StreamingResponse(chunks, media_type=media_type, headers={
        "Cache-Control": "no-store", "Content-Disposition": disposition,
        # The file is shown by itself: never allowed to run anything.
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    })


async def _case_action(request: Request, case_id: str,
                       act: Callable[[StaffMember, Any], None], done: str) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)

    async def handler(request: Request, member: StaffMember) -> Response:
        try:
            await run_in_threadpool(act, member, form)
        except InvalidReport as exc:
            return error_page(request, 400, str(exc))
        return RedirectResponse(f"/staff/cases/{case_id}?ok={done}", status_code=303)
    return await _as_staff(request, handler)


@router.post("/cases/{case_id}/status")
async def change_status(request: Request, case_id: str) -> Response:
    def act(member: StaffMember, form: Any) -> None:
        value = str(form.get("status", ""))
        if value not in set(CaseStatus):
            raise InvalidReport(_("Unknown status."))
        staff_services.set_status(runtime(request).uow(), member, case_id, CaseStatus(value))
    return await _case_action(request, case_id, act, "status")


@router.post("/cases/{case_id}/notes")
async def add_note(request: Request, case_id: str) -> Response:
    def act(member: StaffMember, form: Any) -> None:
        staff_services.add_note(runtime(request).uow(), member, case_id,
                                str(form.get("body", "")))
    return await _case_action(request, case_id, act, "note")


@router.post("/cases/{case_id}/reply")
async def reply(request: Request, case_id: str) -> Response:
    def act(member: StaffMember, form: Any) -> None:
        staff_services.reply(runtime(request).uow(), member, case_id, str(form.get("body", "")))
    return await _case_action(request, case_id, act, "reply")


# Classifying pasted messages is open to every staff role: it reads no case and stores nothing.
MAX_CLASSIFY_LINES = 100
MAX_CLASSIFY_CHARS = 5_000


@router.get("/classify", response_class=HTMLResponse)
async def classify_form(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        return _page(request, member, "staff/classify.html", {"results": None, "text": ""})
    return await _as_staff(request, handler)


@router.post("/classify", response_class=HTMLResponse)
async def classify_messages(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        form = await checked_form(request)
        if form is None:
            return csrf_failure(request)
        text = str(form.get("text", ""))
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        problem = None
        if not lines:
            problem = _("Paste at least one message.")
        elif len(lines) > MAX_CLASSIFY_LINES or any(len(x) > MAX_CLASSIFY_CHARS for x in lines):
            problem = _("At most 100 messages of 5,000 characters each.")
        if problem:
            return _page(request, member, "staff/classify.html",
                         {"results": None, "text": text, "problem": problem}, status_code=400)
        from rempart.detect.classifier.model import default_classifier

        predictions = await run_in_threadpool(default_classifier().predict, lines)
        return _page(request, member, "staff/classify.html",
                     {"results": list(zip(lines, predictions, strict=True)), "text": text})
    return await _as_staff(request, handler)


@router.get("/audit", response_class=HTMLResponse)
async def audit_log(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        entries = await run_in_threadpool(staff_services.audit_log, runtime(request).uow(),
                                          member)
        return _page(request, member, "staff/audit.html", {"entries": entries})
    return await _as_staff(request, handler)
