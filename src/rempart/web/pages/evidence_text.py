"""What was read from the screenshots of a case (OCR, issue 14.1): for the reporter in the case
portal (``/dossier/textes``) and for staff in the back-office (``/staff/cases/<id>/textes``,
audited by the service). Thin handlers: parse, call ``rempart.services.evidence_text``, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from rempart.services import evidence_text
from rempart.services.staff import StaffMember
from rempart.web.pages.common import render
from rempart.web.pages.portal import _detail as reporter_detail
from rempart.web.pages.portal import session_expired
from rempart.web.pages.runtime import runtime
from rempart.web.pages.staff import _as_staff, _page

router = APIRouter(include_in_schema=False)
TEMPLATE = "evidence/texts.html"


@router.get("/dossier/textes", response_class=HTMLResponse)
async def reporter_texts(request: Request) -> Response:
    detail = await reporter_detail(request)
    if detail is None:
        return session_expired(request)
    app = runtime(request)
    texts = await run_in_threadpool(evidence_text.texts_for_reporter, app, detail.case_id)
    suggested = await run_in_threadpool(evidence_text.suggested_facts, app, detail.case_id)
    return render(request, TEMPLATE, {"texts": texts, "suggested": suggested,
                                      "back": "/dossier", "staff_view": False})


@router.get("/staff/cases/{case_id}/textes", response_class=HTMLResponse)
async def staff_texts(request: Request, case_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        app = runtime(request)
        texts = await run_in_threadpool(evidence_text.texts_for_staff, app, member, case_id)
        suggested = await run_in_threadpool(evidence_text.suggested_facts, app, case_id)
        return _page(request, member, TEMPLATE, {"texts": texts, "suggested": suggested,
                                                 "back": f"/staff/cases/{case_id}",
                                                 "staff_view": True})

    return await _as_staff(request, handler)
