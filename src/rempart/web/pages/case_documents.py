"""Receipts' proofs, the verifiable bundle and the documents of a case, for the reporter (case
portal, /dossier) and for staff (back-office, /staff/cases/<id>).

Access is checked here for the reporter (the signed cookie names one case: a proof is served only
for a ledger entry of that case) and by the services for staff (roles, disabled accounts). The
services write the audit log and the custody ledger; these handlers parse, call, and answer with
``no-store`` attachments.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.datastructures import FormData

from rempart import bootstrap
from rempart.domain.notices import NoticeError
from rempart.services import cases, chronology, custody, documents, legal
from rempart.services import staff as staff_services
from rempart.services.documents import DocumentKind
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember
from rempart.web import i18n
from rempart.web.i18n import gettext as _
from rempart.web.pages import document_forms, sessions
from rempart.web.pages.common import checked_form, csrf_failure, error_page, render
from rempart.web.pages.portal import _detail as reporter_detail
from rempart.web.pages.portal import _open_form as reporter_open_form
from rempart.web.pages.portal import session_expired
from rempart.web.pages.runtime import runtime
from rempart.web.pages.staff import _as_staff, _page

router = APIRouter(include_in_schema=False)
TEMPLATE = "documents/case_documents.html"
CHUNK = 256 * 1024
FILE_PREFIXES = {DocumentKind.COMPLAINT: "plainte", DocumentKind.NOTICE: "notification-dsa",
                 DocumentKind.REPORT: "rapport-preuves"}


# Receipts ------------------------------------------------------------------------------------

@router.get("/dossier/recus/{leaf_index:int}/preuve")
async def receipt_proof(request: Request, leaf_index: int) -> Response:
    detail = await reporter_detail(request)
    if detail is None:
        return session_expired(request)
    app = runtime(request)
    try:
        body = await run_in_threadpool(custody.receipt_proof, app.uow(), app.settings,
                                       detail.case_id, leaf_index)
    except CaseNotFound:
        return error_page(request, 404, _("No file of your case has this receipt."))
    return Response(body, media_type="application/json", headers=_attachment(
        f"proof-{leaf_index}.json"))


# Bundle export -------------------------------------------------------------------------------

def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()


def _bundle_response(spool: IO[bytes], code: str) -> StreamingResponse:
    size = spool.seek(0, 2)
    spool.seek(0)
    headers = _attachment(f"rempart-{document_forms.safe_file_part(code)}.zip")
    headers["Content-Length"] = str(size)
    return StreamingResponse(_chunks(spool), media_type="application/zip", headers=headers)


@router.post("/dossier/export")
async def reporter_export(request: Request) -> Response:
    if await checked_form(request) is None:
        return csrf_failure(request)
    detail = await reporter_detail(request)
    if detail is None:
        return session_expired(request)
    try:
        app = runtime(request)
        spool = await run_in_threadpool(custody.export_bundle_file, app.uow, app.settings,
                                        app.store, detail.case_id)
    except CaseNotFound:
        return session_expired(request)
    return _bundle_response(spool, detail.code)


@router.post("/staff/cases/{case_id}/export")
async def staff_export(request: Request, case_id: str) -> Response:
    if await checked_form(request) is None:
        return csrf_failure(request)

    async def handler(request: Request, member: StaffMember) -> Response:
        services = runtime(request)
        detail = await run_in_threadpool(cases.case_detail, services.uow(), case_id[:36])
        spool = await run_in_threadpool(custody.export_bundle_file, services.uow,
                                        services.settings, services.store, detail.case_id,
                                        member)
        return _bundle_response(spool, detail.code)
    return await _as_staff(request, handler)


# Documents -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """One case's documents as seen by one requester, and how to show its page."""

    detail: cases.CaseDetail
    requester: documents.Requester
    base_url: str
    show: Callable[[dict[str, Any], int], HTMLResponse]
    app: Any = None  # the wiring, to read the chronology's first and last days

    def span(self) -> tuple[date, date] | None:
        """The chronology's first and last days (the deadlines' dates when the reporter gave
        none), as on the case page."""
        return chronology.span(self.app, self.detail.case_id) if self.app else None

    @property
    def is_staff(self) -> bool:
        return self.requester.staff is not None


def _documents_page(target: Target, extra: dict[str, Any] | None = None,
                    status_code: int = 200) -> HTMLResponse:
    lang = i18n.current_language()
    detail = target.detail
    values = {"case": detail, "base_url": target.base_url, "is_staff": target.is_staff,
              "disclaimer": legal.disclaimer(lang),
              "reminders": legal.reminders(detail, datetime.now(UTC).date(),
                                           chronology=target.span()),
              "platforms": [p for p in [*detail.platforms, detail.other_platform or ""]
                            if document_forms.notifiable(p)],
              "form": {}, "error": "", "error_form": "", "pharos": ""}
    values.update(extra or {})
    return target.show(values, status_code)


def _pdf(data: bytes, kind: DocumentKind, code: str) -> Response:
    name = f"{FILE_PREFIXES[kind]}-{document_forms.safe_file_part(code)}.pdf"
    return Response(data, media_type="application/pdf", headers=_attachment(name))


def _complaint(services: bootstrap.Wiring, target: Target, form: FormData) -> Response:
    pdf = documents.complaint(services, target.detail.case_id, target.requester,
                              document_forms.complaint_parties(form),
                              document_forms.language(form))
    return _pdf(pdf, DocumentKind.COMPLAINT, target.detail.code)


def _notice(services: bootstrap.Wiring, target: Target, form: FormData) -> Response:
    lang = document_forms.language(form)
    platform = document_forms.text(form, "platform", 60)
    who = document_forms.notifier(form, trusted_flagger_allowed=target.is_staff)
    explanation = document_forms.text(form, "explanation", document_forms.LONG_FIELD)
    if not platform:
        raise NoticeError(_("name the platform to notify"))
    document_forms.check_notice(target.detail, platform, who, explanation, lang)
    pdf, data = documents.notice(services, target.detail.case_id, target.requester, platform,
                                 who, lang, explanation or None)
    if form.get("format") == "json":
        name = f"notification-dsa-{document_forms.safe_file_part(target.detail.code)}.json"
        return Response(json.dumps(data, ensure_ascii=False, indent=2),
                        media_type="application/json", headers=_attachment(name))
    return _pdf(pdf, DocumentKind.NOTICE, target.detail.code)


def _pharos(services: bootstrap.Wiring, target: Target, form: FormData) -> Response:
    fields = documents.pharos(services, target.detail.case_id, target.requester,
                              document_forms.language(form))
    return _documents_page(target, {"pharos": fields})


def _report(services: bootstrap.Wiring, target: Target, form: FormData) -> Response:
    reveal = target.is_staff and document_forms.checked(form, "reveal_thumbnails")
    pdf = documents.evidence_report(services, target.detail.case_id, target.requester,
                                    document_forms.language(form), reveal)
    return _pdf(pdf, DocumentKind.REPORT, target.detail.code)


PRODUCERS: dict[str, Callable[[bootstrap.Wiring, Target, FormData], Response]] = {
    DocumentKind.COMPLAINT.value: _complaint, DocumentKind.NOTICE.value: _notice,
    DocumentKind.PHAROS.value: _pharos, DocumentKind.REPORT.value: _report}


async def _produce(request: Request, target: Target, kind: str, form: FormData) -> Response:
    produce = PRODUCERS.get(kind)
    if produce is None:
        return error_page(request, 404, _("This page does not exist."))
    try:
        return await run_in_threadpool(produce, runtime(request), target, form)
    except NoticeError as problem:
        reason = _("The notice cannot be sent as it is: %(reason)s") % {"reason": str(problem)}
        return _documents_page(target, {"error": reason, "error_form": kind,
                                        "form": dict(form.items())}, status_code=400)


# Reporter side: /dossier/documents

def _reporter_target(request: Request, detail: cases.CaseDetail) -> Target:
    def show(values: dict[str, Any], status_code: int) -> HTMLResponse:
        values["layout"] = "base.html"
        response = render(request, TEMPLATE, values, status_code=status_code)
        sessions.remember_reporter(request, response, detail.case_id)  # sliding expiry
        return response
    return Target(detail, documents.REPORTER, "/dossier", show, runtime(request))


@router.get("/dossier/documents", response_class=HTMLResponse)
async def reporter_documents(request: Request) -> Response:
    detail = await reporter_detail(request)
    if detail is None:
        return reporter_open_form(request)
    return _documents_page(_reporter_target(request, detail))


@router.post("/dossier/documents/{kind}")
async def reporter_document(request: Request, kind: str) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)
    detail = await reporter_detail(request)
    if detail is None:
        return session_expired(request)
    try:
        return await _produce(request, _reporter_target(request, detail), kind, form)
    except CaseNotFound:
        return session_expired(request)


# Staff side: /staff/cases/<id>/documents

def _staff_target(request: Request, member: StaffMember, requester: documents.Requester,
                  detail: cases.CaseDetail) -> Target:
    def show(values: dict[str, Any], status_code: int) -> HTMLResponse:
        values["layout"] = "staff/layout.html"
        return _page(request, member, TEMPLATE, values, status_code=status_code)
    return Target(detail, requester, f"/staff/cases/{detail.case_id}", show, runtime(request))


@router.get("/staff/cases/{case_id}/documents", response_class=HTMLResponse)
async def staff_documents(request: Request, case_id: str) -> Response:
    async def handler(request: Request, member: StaffMember) -> Response:
        services = runtime(request)
        viewed = await run_in_threadpool(staff_services.staff_case_detail, services.uow(),
                                         member, case_id[:36])
        requester = await run_in_threadpool(documents.staff_requester, services, member)
        return _documents_page(_staff_target(request, member, requester, viewed.case))
    return await _as_staff(request, handler)


@router.post("/staff/cases/{case_id}/documents/{kind}")
async def staff_document(request: Request, case_id: str, kind: str) -> Response:
    form = await checked_form(request)
    if form is None:
        return csrf_failure(request)

    async def handler(request: Request, member: StaffMember) -> Response:
        services = runtime(request)
        requester = await run_in_threadpool(documents.staff_requester, services, member)
        detail = await run_in_threadpool(cases.case_detail, services.uow(), case_id[:36])
        target = _staff_target(request, member, requester, detail)
        return await _produce(request, target, kind, form)
    return await _as_staff(request, handler)


# Helpers -------------------------------------------------------------------------------------

def _attachment(file_name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{file_name}"',
            "Cache-Control": "no-store"}


