"""The report form: show it, validate it, hand it to the case service, show code and receipts."""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from rempart.domain.cases import InvalidReportFields
from rempart.services import cases, classification
from rempart.services.errors import InvalidReport, UploadRejected
from rempart.web.pages import receipts, sessions
from rempart.web.pages.common import checked_form, csrf_failure, render
from rempart.web.pages.forms import (
    ACCEPT,
    PLATFORMS,
    ReportForm,
    kind_choices,
    role_choices,
    uploaded_files,
)
from rempart.web.pages.runtime import limits, refused_file, runtime, to_uploads


def report_form_page(request: Request, form: ReportForm | None = None,
                     errors: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    if form is None:
        form = ReportForm()
        asked_role = request.query_params.get("role", "")
        if asked_role in dict(role_choices()):
            form.reporter_role = asked_role
    settings = request.app.state.settings
    return render(request, "report_form.html", {
        "values": form, "errors": errors or [], "kinds": kind_choices(),
        "platforms": [(p, p) for p in PLATFORMS], "roles": role_choices(), "accept": ACCEPT,
        "max_file_bytes": settings.max_file_bytes, "max_report_bytes": settings.max_report_bytes,
        "max_description": 20_000,
    }, status_code=status_code)


async def submit_report_page(request: Request) -> HTMLResponse:
    form_data = await checked_form(request)
    if form_data is None:
        return csrf_failure(request)
    form = ReportForm.from_form(form_data)
    problems = form.problems()
    if problems:
        return report_form_page(request, form, problems, status_code=400)
    files = uploaded_files(form_data)
    app = runtime(request)
    try:
        submitted = await run_in_threadpool(
            cases.submit_report, app.uow(), app.store, form.to_report(), to_uploads(files),
            limits(request))
    except UploadRejected as exc:
        return report_form_page(request, form, [refused_file(exc)], status_code=400)
    except (InvalidReport, InvalidReportFields) as exc:
        return report_form_page(request, form, [str(exc)], status_code=400)
    finally:
        for upload in files:
            await upload.close()
    await run_in_threadpool(receipts.sign_checkpoint, app)  # one checkpoint per upload batch
    await run_in_threadpool(classification.request_classification, app, submitted.case_id)
    response = render(request, "report_done.html", {"submitted": submitted}, status_code=201)
    # "Go to my case" opens it directly on this device, for the short session lifetime only.
    sessions.remember_reporter(request, response, submitted.case_id)
    return response
