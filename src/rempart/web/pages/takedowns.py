"""Back-office page of a case's takedown requests: list, draft a new one, mark it sent (or send
it by e-mail to the platform's DSA contact), record the acknowledgement and the decision with
the platform's statement of reasons. Thin: parse the form, call ``rempart.services.takedowns``,
render. Works without JavaScript; every form carries the CSRF field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rempart.domain import takedowns as rules
from rempart.services import takedowns
from rempart.services.staff import StaffMember
from rempart.web.i18n import gettext as _
from rempart.web.pages.common import checked_form, csrf_failure
from rempart.web.pages.runtime import runtime
from rempart.web.pages.staff import _as_staff, _page

router = APIRouter(prefix="/staff/cases", include_in_schema=False)


def status_name(status: str) -> str:
    return {
        "drafted": _("drafted"), "sent": _("sent"), "acknowledged": _("acknowledged"),
        "removed": _("removed"), "disabled": _("access disabled"), "demoted": _("demoted"),
        "restricted": _("restricted"), "account_suspended": _("account suspended"),
        "refused": _("refused"), "no_answer": _("no answer"),
    }.get(status, status)


def _context(case_id: str, found: list[takedowns.Takedown], platforms: list[str],
             error: str = "", form: dict[str, str] | None = None) -> dict[str, Any]:
    return {"case_id": case_id, "takedowns": found, "platforms": platforms,
            "status_name": status_name, "decisions": [s.value for s in rules.TakedownStatus
                                                     if rules.is_decision(s)],
            "visibility": rules.DECISION_VISIBILITY, "account": rules.DECISION_ACCOUNT,
            "monetary": rules.DECISION_MONETARY, "provision": rules.DECISION_PROVISION,
            "grounds": rules.DECISION_GROUND, "categories": rules.CATEGORIES,
            "keywords": rules.KEYWORDS, "error": error, "form": form or {},
            "case_code": found[0].case_code if found else ""}


async def _render(request: Request, member: StaffMember, case_id: str, error: str = "",
                  form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    services = runtime(request)
    found = await run_in_threadpool(takedowns.case_takedowns, services, case_id, member)
    directory = await run_in_threadpool(takedowns.platform_directory, services.settings)
    notice = {"new": _("Takedown request drafted."), "sent": _("Marked as sent."),
              "emailed": _("Notice sent by e-mail to the platform."),
              "status": _("Takedown updated.")}.get(request.query_params.get("ok", ""), "")
    context = _context(case_id, found, directory.names(), error, form)
    context["notice"] = notice
    return _page(request, member, "staff/takedowns.html", context, status_code=status_code)


def _back(case_id: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/cases/{case_id}/takedowns?ok={done}", status_code=303)


@router.get("/{case_id}/takedowns", response_class=HTMLResponse)
async def takedown_page(request: Request, case_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        return await _render(request, member, case_id[:36])
    return await _as_staff(request, handler)


async def _act(request: Request, case_id: str, done: str, act: Any) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)

    async def handler(request: Request, member: StaffMember) -> Response:
        try:
            await run_in_threadpool(act, member, form)
        except (takedowns.TakedownError, rules.InvalidTakedown, ValueError) as refused:
            values = {k: str(v)[:2000] for k, v in form.items() if isinstance(v, str)}
            return await _render(request, member, case_id[:36], str(refused), values, 400)
        emailed = done == "sent" and _text(form, "channel", 10) == "email"
        return _back(case_id[:36], "emailed" if emailed else done)
    return await _as_staff(request, handler)


def _text(form: FormData, name: str, limit: int = 2000) -> str:
    value = form.get(name, "")
    return str(value).strip()[:limit] if isinstance(value, str) else ""


@router.post("/{case_id}/takedowns")
async def new_takedown(request: Request, case_id: str) -> Response:
    def act(member: StaffMember, form: FormData) -> None:
        language = _text(form, "language", 2) or "fr"
        takedowns.draft_takedown(runtime(request), case_id[:36], _text(form, "url"),
                                 _text(form, "platform", 100), member, language)
    return await _act(request, case_id, "new", act)


def _when(form: FormData, name: str) -> datetime | None:
    """A datetime-local or date field, read as UTC; None when empty."""
    text = _text(form, name, 40)
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise takedowns.TakedownError(_("The date is not valid.")) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _own(services: takedowns.AppServices, member: StaffMember, case_id: str,
         takedown_id: str) -> None:
    """The takedown belongs to the case of the address (no cross-case edits by id)."""
    found = takedowns.takedown(services, takedown_id[:36], member)
    if found.case_id != case_id[:36]:
        from rempart.services.errors import CaseNotFound

        raise CaseNotFound("takedown")


@router.post("/{case_id}/takedowns/{takedown_id}/sent")
async def mark_sent(request: Request, case_id: str, takedown_id: str) -> Response:
    def act(member: StaffMember, form: FormData) -> None:
        services = runtime(request)
        _own(services, member, case_id, takedown_id)
        if _text(form, "channel", 10) == "email":
            takedowns.send_by_email(services, takedown_id[:36], member)
            return
        takedowns.set_status(services, takedown_id[:36], takedowns.Change(
            rules.TakedownStatus.SENT, reference=_text(form, "reference", 300),
            at=_when(form, "at"), channel=rules.SendChannel.FORM), member)
    return await _act(request, case_id, "sent", act)


@router.post("/{case_id}/takedowns/{takedown_id}/status")
async def change_status(request: Request, case_id: str, takedown_id: str) -> Response:
    def act(member: StaffMember, form: FormData) -> None:
        services = runtime(request)
        _own(services, member, case_id, takedown_id)
        value = _text(form, "status", 30)
        if value not in set(rules.TakedownStatus):
            raise takedowns.TakedownError(_("Unknown status."))
        status = rules.TakedownStatus(value)
        statement = None
        if rules.is_decision(status):
            statement = rules.StatementOfReasons(
                decision_visibility=tuple(str(v) for v in form.getlist("decision_visibility")),
                decision_account=_text(form, "decision_account") or None,
                decision_monetary=_text(form, "decision_monetary") or None,
                decision_provision=_text(form, "decision_provision") or None,
                decision_ground=_text(form, "decision_ground") or None,
                category=_text(form, "category") or None,
                category_specification=tuple(
                    str(v) for v in form.getlist("category_specification")),
                puid=_text(form, "puid", 600) or None)
        takedowns.set_status(services, takedown_id[:36], takedowns.Change(
            status, reference=_text(form, "reference", 300) or None, at=_when(form, "at"),
            statement=statement), member)
    return await _act(request, case_id, "status", act)
