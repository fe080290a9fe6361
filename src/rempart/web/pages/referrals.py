"""Referrals (back-office page ``/staff/cases/{id}/referrals``) and what the reporter decides
about being kept informed (portal: remove the contact e-mail, consent to the school being told).

Thin: parse the form, call ``rempart.services.referrals`` / ``notifications``, render.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rempart.domain.referrals import TARGETS, ReferralFields, ReferralTarget
from rempart.services import notifications, referrals
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember
from rempart.web.i18n import current_language
from rempart.web.i18n import gettext as _
from rempart.web.pages import sessions
from rempart.web.pages.common import checked_form, csrf_failure
from rempart.web.pages.runtime import runtime
from rempart.web.pages.staff import _as_staff, _page

router = APIRouter(include_in_schema=False)


def target_label(target: str) -> str:
    try:
        return TARGETS[ReferralTarget(target)].name(current_language())
    except ValueError:
        return target


def _text(form: FormData, name: str, limit: int = 300) -> str:
    value = form.get(name, "")
    return str(value).strip()[:limit] if isinstance(value, str) else ""


async def _render(request: Request, member: StaffMember, case_id: str, error: str = "",
                  form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    services = runtime(request)
    found, consent = await run_in_threadpool(referrals.case_referrals, services.uow, case_id,
                                             member)
    pharos = await run_in_threadpool(referrals.pharos_form_fields, services, case_id, member,
                                     current_language())
    notice = _("Referral recorded.") if request.query_params.get("ok") == "referral" else ""
    context: dict[str, Any] = {
        "case_id": case_id, "referrals": found, "school_consent": consent, "pharos": pharos,
        "targets": [(t.value, TARGETS[t].name(current_language())) for t in ReferralTarget],
        "target_label": target_label, "what_next": {
            t.value: TARGETS[t].what_next(current_language()) for t in ReferralTarget},
        "error": error, "form": form or {}, "notice": notice, "today": date.today().isoformat()}
    return _page(request, member, "staff/referrals.html", context, status_code=status_code)


@router.get("/staff/cases/{case_id}/referrals", response_class=HTMLResponse)
async def referral_page(request: Request, case_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        return await _render(request, member, case_id[:36])
    return await _as_staff(request, handler)


@router.post("/staff/cases/{case_id}/referrals")
async def new_referral(request: Request, case_id: str) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)

    async def handler(request: Request, member: StaffMember) -> Response:
        values = {k: str(v)[:2000] for k, v in form.items() if isinstance(v, str)}
        try:
            target = ReferralTarget(_text(form, "target", 30))
            sent_on = date.fromisoformat(_text(form, "sent_on", 10) or date.today().isoformat())
        except ValueError:
            return await _render(request, member, case_id[:36],
                                 _("Choose a recipient and a valid date."), values, 400)
        fields = ReferralFields(target, sent_on, _text(form, "reference") or None,
                                _text(form, "service") or None,
                                _text(form, "note", 2000) or None)
        try:
            await run_in_threadpool(referrals.record_referral, runtime(request).uow,
                                    case_id[:36], fields, member)
        except referrals.ReferralError as refused:
            return await _render(request, member, case_id[:36], str(refused), values, 400)
        await run_in_threadpool(notifications.dispatch_if_pending, runtime(request).uow(),
                                case_id[:36], runtime(request).settings)
        return RedirectResponse(f"/staff/cases/{case_id[:36]}/referrals?ok=referral",
                                status_code=303)
    return await _as_staff(request, handler)


# The reporter's side (portal) ------------------------------------------------------------------

async def _reporter_action(request: Request, act: Any, done: str) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    case_id = await sessions.reporter_case(request)
    if case_id is None:
        return RedirectResponse("/dossier", status_code=303)
    try:
        await run_in_threadpool(act, case_id, form)
    except CaseNotFound:
        return RedirectResponse("/dossier", status_code=303)
    return RedirectResponse(f"/dossier?ok={done}#activity-title", status_code=303)


@router.post("/dossier/suivi/contact")
async def remove_contact(request: Request) -> Response:
    def act(case_id: str, form: FormData) -> None:
        notifications.remove_contact(runtime(request).uow(), case_id)
    return await _reporter_action(request, act, "contact")


@router.post("/dossier/suivi/ecole")
async def school_consent(request: Request) -> Response:
    def act(case_id: str, form: FormData) -> None:
        referrals.set_school_consent(runtime(request).uow, case_id,
                                     _text(form, "consent", 5) == "yes")
    return await _reporter_action(request, act, "consent")
