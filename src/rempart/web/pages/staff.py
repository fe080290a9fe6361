"""Back-office (/staff): login with password + TOTP, queue, case view, evidence, audit log.

Roles are checked by the staff services on every call (``Forbidden`` becomes 403 here); the web
layer only hides links a role cannot use. Evidence bytes go through an authenticated, audited
route answered with ``no-store``; there is no public URL for any evidence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from rempart.domain.audit import AuditAction
from rempart.domain.cases import CaseKind, CaseStatus
from rempart.domain.staff import Permission, StaffRole, can
from rempart.security.totp_crypto import TotpSecretError
from rempart.services import canned, evidence_kinds, related, stats, witnesses
from rempart.services import staff as staff_services
from rempart.services.errors import (
    CaseNotFound,
    Forbidden,
    InvalidReport,
    LoginFailed,
    StaffError,
    TooManyAttempts,
)
from rempart.services.staff import StaffMember
from rempart.web.i18n import current_language, ngettext
from rempart.web.i18n import gettext as _
from rempart.web.pages import sessions, staff_charts
from rempart.web.pages.common import checked_form, csrf_failure, error_page, render
from rempart.web.pages.forms import PLATFORMS, kind_choices, kind_label, role_label, status_label
from rempart.web.pages.runtime import runtime
from rempart.web.pages.staff_format import (
    action_label,
    audit_csv,
    classifier_label,
    duration,
    reason_text,
)

router = APIRouter(prefix="/staff", include_in_schema=False)
# Types the browser may show inline as a thumbnail; anything else is downloaded.
INLINE_IMAGES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
# Played in the page by the browser's own players (no script); served inline, never run.
AUDIO = {"audio/mpeg", "audio/ogg", "audio/wav", "audio/x-wav", "audio/webm", "audio/mp4",
         "audio/aac"}
VIDEO = {"video/mp4", "video/webm", "video/ogg", "video/quicktime", "video/x-matroska"}


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
    values = {"staff": member,
              "may": (lambda name: member is not None and member.active
                      and can(member.role, Permission(name))),
              "is_admin": member is not None and can(member.role, Permission.READ_AUDIT),
              "duration": duration, "reason_text": reason_text,
              "classifier_label": classifier_label, "current_language": current_language(),
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
    except TooManyAttempts as wait:
        minutes = max(1, -(-wait.retry_after // 60))
        page = _page(request, None, "staff/login.html", {
            "email": email, "error": ngettext(
                "Too many attempts. Wait %(num)s minute and try again.",
                "Too many attempts. Wait %(num)s minutes and try again.",
                minutes) % {"num": minutes},
            "notice": ""}, status_code=429)
        page.headers["Retry-After"] = str(max(1, wait.retry_after))
        return page
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


QUEUE_FILTERS = ("status", "kind", "platform", "assignee", "overdue", "q")


def _queue_url(values: dict[str, str], page: int) -> str:
    """The queue with the same filters at another page (page 1 keeps the short address)."""
    params = [(name, values[name]) for name in QUEUE_FILTERS if values.get(name)]
    if page > 1:
        params.append(("page", str(page)))
    return "/staff" + ("?" + urlencode(params) if params else "")


def _page_number(value: str) -> int | None:
    """A page number as typed in the address, or None when it is not one."""
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        return None
    number = int(value)
    return number if 1 <= number <= staff_services.MAX_QUEUE_PAGE else None


def _queue_filters(request: Request) -> tuple[staff_services.QueueFilters, dict[str, str]]:
    """The filters of the address; unknown values are ignored (the whole queue is shown)."""
    query = request.query_params
    status_value, kind_value = query.get("status", ""), query.get("kind", "")
    platform = query.get("platform", "").strip()[:100]
    assignee = query.get("assignee", "").strip()[:36]
    filters = staff_services.QueueFilters(
        status=CaseStatus(status_value) if status_value in set(CaseStatus) else None,
        kind=CaseKind(kind_value) if kind_value in set(CaseKind) else None,
        platform=platform or None, assignee=assignee or None,
        overdue=query.get("overdue") == "1", search=query.get("q", "")[:1000])
    values = {"status": filters.status.value if filters.status else "",
              "kind": filters.kind.value if filters.kind else "", "platform": platform,
              "assignee": assignee, "overdue": "1" if filters.overdue else "",
              "q": filters.search}
    return filters, values


@router.get("", response_class=HTMLResponse)
async def queue(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        filters, values = _queue_filters(request)
        page = _page_number(request.query_params.get("page", "1"))
        if page is None:
            return _page(request, member, "error.html", {"status": 400, "reason": _(
                "The page number must be a whole number from 1 to %(max)s.") % {
                "max": staff_services.MAX_QUEUE_PAGE}}, status_code=400)
        uow = runtime(request).uow()
        try:
            found = await run_in_threadpool(staff_services.queue, uow, member, filters, page)
        except StaffError:
            return _page(request, member, "error.html", {"status": 400, "reason": _(
                "A search holds at most 200 characters.")}, status_code=400)
        colleagues = await run_in_threadpool(staff_services.colleagues, uow, member)
        return _page(request, member, "staff/queue.html", {
            "cases": found.rows, "queue": found, "statuses": _statuses(),
            "kinds": kind_choices(), "platforms": PLATFORMS, "colleagues": colleagues,
            "values": values, "status": values["status"], "kind": values["kind"],
            "first_url": _queue_url(values, 1),
            "previous_url": _queue_url(values, page - 1) if found.has_previous else "",
            "next_url": _queue_url(values, page + 1) if found.has_next else ""})
    return await _as_staff(request, handler)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_view(request: Request, case_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        services = runtime(request)
        detail = await run_in_threadpool(staff_services.staff_case_detail,
                                         services.uow(), member, case_id[:36])
        links = await run_in_threadpool(related.case_links, services.uow(), services.store,
                                        member, detail.case.case_id)
        replies: list[canned.CannedReply] = []
        chosen = None
        if can(member.role, Permission.USE_CANNED_REPLIES):
            replies = await run_in_threadpool(canned.list_replies, services.uow(), member)
            chosen = next((r for r in replies if r.id == request.query_params.get("canned")),
                          None)
        notice = {"status": _("Status changed."), "note": _("Note added."),
                  "reply": _("Reply sent to the reporter."),
                  "assigned": _("Assignment changed.")}.get(
            request.query_params.get("ok", ""), "")
        return _page(request, member, "staff/case.html", {
            "detail": detail, "case": detail.case, "statuses": _statuses(),
            "inline_images": INLINE_IMAGES, "audio_types": AUDIO, "video_types": VIDEO,
            "notice": notice, "links": links, "canned_replies": replies,
            "chosen_reply": chosen, "now": datetime.now(UTC),
            "near_group": {item: n for n, group in enumerate(links.near_duplicates, 1)
                           for item in group},
            "can_reply": can(member.role, Permission.REPLY),
            "witnesses": await run_in_threadpool(witnesses.staff_summary, services, member,
                                                 detail.case.case_id)})
    return await _as_staff(request, handler)


@router.post("/cases/{case_id}/assign")
async def assign_case(request: Request, case_id: str) -> Response:
    def act(member: StaffMember, form: Any) -> None:
        action = str(form.get("action", ""))
        target = {"take": member.id, "release": None}.get(action, str(form.get("to", "")))
        if action not in ("take", "release", "hand_over") or target == "":
            raise InvalidReport(_("Choose a colleague."))
        staff_services.assign(runtime(request).uow(), member, case_id[:36],
                              target[:36] if target else None, str(form.get("note", "")))
    return await _case_action(request, case_id, act, "assigned")


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


@router.get("/cases/{case_id}/evidence/{item_id}/preview")
async def evidence_preview(request: Request, case_id: str, item_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        services = runtime(request)
        content = await run_in_threadpool(staff_services.staff_preview, services.uow(),
                                          services.store, member, case_id[:36], item_id[:36])
        return Response(content, media_type="image/png", headers={
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox"})
    return await _as_staff(request, handler)


@router.get("/cases/{case_id}/evidence/{item_id}/playback")
async def evidence_playback(request: Request, case_id: str, item_id: str) -> Response:
    """The safe preview ffmpeg made of an audio or video item (issue 14.2), never the original."""
    from rempart.services import evidence_kinds

    async def handler(request: Request, member: StaffMember) -> Response:
        media_type, content = await run_in_threadpool(
            evidence_kinds.preview_for_staff, runtime(request), member, case_id[:36],
            item_id[:36])
        return Response(content, media_type=media_type, headers={
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
            "Content-Security-Policy": "default-src 'none'; media-src 'self'; sandbox"})
    return await _as_staff(request, handler)


ZOOMS = ("fit", "1", "2", "4")


@router.get("/cases/{case_id}/evidence/{item_id}/view", response_class=HTMLResponse)
async def evidence_viewer(request: Request, case_id: str, item_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        detail = await run_in_threadpool(staff_services.evidence_receipt, runtime(request).uow(),
                                         member, case_id[:36], item_id[:36])
        zoom = request.query_params.get("zoom", "fit")
        read = await run_in_threadpool(evidence_kinds.kinds_for_staff, runtime(request), member,
                                       case_id[:36], item_id[:36])
        return _page(request, member, "staff/evidence.html", {
            "case_id": case_id[:36], "item": detail[1], "code": detail[0],
            "read": read[0] if read else None, "staff_view": True,
            "max_messages": evidence_kinds.MAX_SUMMARY_MESSAGES,
            "zoom": zoom if zoom in ZOOMS else "fit", "zooms": ZOOMS,
            "inline_images": INLINE_IMAGES, "audio_types": AUDIO, "video_types": VIDEO})
    return await _as_staff(request, handler)


def _evidence_response(media_type: str, file_name: str, chunks: Iterator[bytes],
                       download: bool) -> StreamingResponse:
    # Audio and video originals are only downloaded: the viewer plays their safe preview.
    inline = media_type in INLINE_IMAGES and not download
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in file_name)[:100]
    disposition = "inline" if inline else f'attachment; filename="{safe_name or "piece"}"'
    return StreamingResponse(chunks, media_type=media_type, headers={
        "Cache-Control": "no-store", "Content-Disposition": disposition,
        # The file is shown by itself: never allowed to run anything.
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; media-src 'self'; "
                                   "sandbox",
        "X-Content-Type-Options": "nosniff",
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
        if not can(member.role, Permission.CLASSIFY_TEXT):
            raise Forbidden("classify text")
        return _page(request, member, "staff/classify.html", {"results": None, "text": ""})
    return await _as_staff(request, handler)


@router.post("/classify", response_class=HTMLResponse)
async def classify_messages(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        form = await checked_form(request)
        if form is None:
            return csrf_failure(request)
        if not can(member.role, Permission.CLASSIFY_TEXT):
            raise Forbidden("classify text")
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
        from rempart.detect.classifier.context import predict_conversation
        from rempart.detect.classifier.model import default_classifier

        # One message a line, in order: each is read with the ones before it.
        predictions = await run_in_threadpool(predict_conversation, default_classifier(), lines)
        return _page(request, member, "staff/classify.html",
                     {"results": list(zip(lines, predictions, strict=True)), "text": text})
    return await _as_staff(request, handler)


def _audit_filters(request: Request) -> tuple[staff_services.AuditFilters, dict[str, str]]:
    query = request.query_params
    typed = {name: query.get(name, "")[:40].strip() for name in
             ("staff", "case", "action", "since", "until")}
    since, until = stats.parse_range(typed["since"], typed["until"])
    action = typed["action"] if typed["action"] in set(AuditAction) else None
    filters = staff_services.AuditFilters(
        staff_id=typed["staff"] or None, case_code=typed["case"] or None, action=action,
        since=datetime.combine(since, time(), tzinfo=UTC) if since else None,
        until=datetime.combine(until, time(), tzinfo=UTC) if until else None)
    return filters, typed


async def _audit(request: Request, member: StaffMember, export: bool) -> Response:
    try:
        filters, typed = _audit_filters(request)
    except StaffError as problem:
        return _stats_problem(request, member, problem)
    uow = runtime(request).uow()
    try:
        lines = await run_in_threadpool(staff_services.audit_log, uow, member,
                                        staff_services.MAX_AUDIT_ROWS if export else 200,
                                        filters, export)
    except CaseNotFound:
        return _page(request, member, "error.html", {"status": 400, "reason": _(
            "No case has this code.")}, status_code=400)
    if export:
        return Response(audit_csv(lines), media_type="text/csv; charset=utf-8", headers={
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="rempart-audit.csv"'})
    people = await run_in_threadpool(staff_services.colleagues, uow, member, True)
    query = urlencode([(k, v) for k, v in typed.items() if v])
    return _page(request, member, "staff/audit.html", {
        "entries": lines, "typed": typed, "people": people,
        "actions": sorted(((a.value, action_label(a.value)) for a in AuditAction),
                          key=lambda pair: pair[1]),
        "action_label": action_label, "query": ("?" + query) if query else ""})


@router.get("/audit", response_class=HTMLResponse)
async def audit_log(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        return await _audit(request, member, export=False)
    return await _as_staff(request, handler)


@router.get("/audit/export.csv")
async def audit_export(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        return await _audit(request, member, export=True)
    return await _as_staff(request, handler)


# Canned replies (admins write them; counsellors insert them in the reply form) -----------------

@router.get("/replies", response_class=HTMLResponse)
async def canned_replies(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        if not can(member.role, Permission.MANAGE_CANNED_REPLIES):
            raise Forbidden("manage canned replies")
        replies = await run_in_threadpool(canned.list_replies, runtime(request).uow(), member)
        editing = next((r for r in replies if r.id == request.query_params.get("edit")), None)
        notice = {"saved": _("Canned reply saved."), "deleted": _("Canned reply deleted.")
                  }.get(request.query_params.get("ok", ""), "")
        return _page(request, member, "staff/replies.html", {
            "replies": replies, "editing": editing, "notice": notice, "problem": ""})
    return await _as_staff(request, handler)


@router.post("/replies")
async def save_canned_reply(request: Request) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)

    async def handler(request: Request, member: StaffMember) -> Response:
        uow = runtime(request).uow()
        reply_id = str(form.get("reply_id", ""))[:36] or None
        try:
            if form.get("delete") == "1" and reply_id:
                await run_in_threadpool(canned.delete_reply, uow, member, reply_id)
                return RedirectResponse("/staff/replies?ok=deleted", status_code=303)
            await run_in_threadpool(canned.save_reply, uow, member, reply_id,
                                    str(form.get("language", "")), str(form.get("title", "")),
                                    str(form.get("body", "")))
        except InvalidReport as problem:
            replies = await run_in_threadpool(canned.list_replies, uow, member)
            return _page(request, member, "staff/replies.html", {
                "replies": replies, "editing": None, "notice": "", "problem": str(problem),
                "typed": {k: str(form.get(k, "")) for k in ("language", "title", "body")}},
                status_code=400)
        return RedirectResponse("/staff/replies?ok=saved", status_code=303)
    return await _as_staff(request, handler)


# Statistics --------------------------------------------------------------------------------

def _stats_range(request: Request) -> tuple[date | None, date | None, dict[str, str]]:
    typed = {"since": request.query_params.get("since", "")[:10],
             "until": request.query_params.get("until", "")[:10]}
    since, until = stats.parse_range(typed["since"], typed["until"])
    return since, until, typed


def _stats_problem(request: Request, member: StaffMember, problem: StaffError) -> Response:
    reasons = {"dates are written YYYY-MM-DD": _("Dates are written YYYY-MM-DD."),
               "the end date is before the start date": _("The end date is before the start "
                                                          "date."),
               "a range covers at most three years": _("A range covers at most three years.")}
    return _page(request, member, "error.html", {
        "status": 400, "reason": reasons.get(str(problem), str(problem))}, status_code=400)


@router.get("/stats", response_class=HTMLResponse)
async def stats_page(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        try:
            since, until, typed = _stats_range(request)
        except StaffError as problem:
            return _stats_problem(request, member, problem)
        found = await run_in_threadpool(stats.figures, runtime(request).uow(), member,
                                        since, until)
        query = urlencode([(k, v) for k, v in typed.items() if v])
        return _page(request, member, "staff/stats.html", {
            "figures": found, "typed": typed, "query": ("?" + query) if query else "",
            "charts": list(staff_charts.CHARTS), "chart_titles": {
                "cases-per-week": _("Cases per week, by kind"),
                "first-response": _("Median time to first response (hours)"),
                "minors": _("Share of minors"),
                "takedown-outcomes": _("Takedown requests by platform and outcome"),
                "decision-time": _("Median time to the platform's decision (hours)"),
                "referrals": _("Referrals")}})
    return await _as_staff(request, handler)


@router.get("/stats/export.csv")
async def stats_export(request: Request) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        try:
            since, until, _typed = _stats_range(request)
        except StaffError as problem:
            return _stats_problem(request, member, problem)
        found = await run_in_threadpool(stats.figures, runtime(request).uow(), member,
                                        since, until, True)
        return Response(stats.as_csv(found), media_type="text/csv; charset=utf-8", headers={
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="rempart-statistics.csv"'})
    return await _as_staff(request, handler)


@router.get("/stats/charts/{name}.svg")
async def stats_chart(request: Request, name: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        draw = staff_charts.CHARTS.get(name)
        if draw is None:
            raise CaseNotFound("chart")
        try:
            since, until, _typed = _stats_range(request)
        except StaffError as problem:
            return _stats_problem(request, member, problem)
        found = await run_in_threadpool(stats.compute_for, runtime(request).uow(), member,
                                        since, until)
        svg = await run_in_threadpool(draw, found)
        return Response(svg, media_type="image/svg+xml", headers={
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            # An image document: no script, nothing loaded; its own drawing styles only.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                       "sandbox"})
    return await _as_staff(request, handler)
