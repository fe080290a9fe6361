"""What was read from the evidence of a case (issues 14.1 and 14.2). For the reporter in the
case portal (``/dossier/textes``): the text of the screenshots (OCR), what was read from the
other files (location excepted), and the safe preview of voice notes and videos
(``/dossier/preuves/<id>/apercu``). For staff in the back-office (``/staff/cases/<id>/textes``,
audited by the service). Thin handlers: parse, call the services, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from rempart.services import evidence_kinds, evidence_text
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember
from rempart.web.i18n import gettext as _
from rempart.web.pages.common import error_page, render
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
    read = await run_in_threadpool(evidence_kinds.kinds_for_reporter, app, detail.case_id)
    return render(request, TEMPLATE, {"texts": texts, "suggested": suggested,
                                      "back": "/dossier", "staff_view": False,
                                      "other_files": [k for k in read
                                                      if k.documents or k.preview_type],
                                      "max_messages": evidence_kinds.MAX_SUMMARY_MESSAGES})


@router.get("/dossier/preuves/{item_id}/apercu")
async def reporter_preview(request: Request, item_id: str) -> Response:
    """The safe preview of one of the reporter's voice notes or videos (re-encoded, without
    metadata), played on the page; the original is never decoded by the browser here."""
    detail = await reporter_detail(request)
    if detail is None:
        return session_expired(request)
    try:
        media_type, data = await run_in_threadpool(
            evidence_kinds.preview_for_reporter, runtime(request), detail.case_id, item_id[:36])
    except CaseNotFound:
        return error_page(request, 404, _("This file has no preview (yet)."))
    return Response(data, media_type=media_type, headers={
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
        "Content-Security-Policy": "default-src 'none'; media-src 'self'; sandbox"})


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
