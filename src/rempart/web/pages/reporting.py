"""The report form: show it, validate it, hand it to the case service, show code and receipts."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from rempart.domain.cases import MAX_DESCRIPTION_CHARS, InvalidReportFields
from rempart.domain.facts import contradictions
from rempart.services import reporting
from rempart.services.errors import InvalidReport, UploadRejected
from rempart.web.pages import fact_questions, sessions
from rempart.web.pages.common import checked_form, csrf_failure, render
from rempart.web.pages.forms import (
    ACCEPT,
    PLATFORMS,
    ReportForm,
    kind_choices,
    role_choices,
    uploaded_files,
)
from rempart.web.pages.runtime import refused_file, runtime, to_uploads


def report_form_page(request: Request, form: ReportForm | None = None,
                     errors: dict[str, str] | None = None,
                     status_code: int = 200) -> HTMLResponse:
    """The form, empty or re-filled with everything typed, each error next to its field, and
    what the answers and the text disagree on (a warning: it never blocks)."""
    if form is None:
        form = ReportForm()
        asked_role = request.query_params.get("role", "")
        if asked_role in dict(role_choices()):
            form.reporter_role = asked_role
    settings = request.app.state.settings
    role = form.reporter_role
    warnings = [fact_questions.contradiction_text(c, role) for c in contradictions(
        form.facts.to_facts(), form.description, datetime.now(UTC).date())]
    return render(request, "report_form.html", {
        "values": form, "facts": form.facts, "errors": errors or {}, "warnings": warnings,
        "kinds": kind_choices(), "platforms": [(p, p) for p in PLATFORMS],
        "roles": role_choices(), "accept": ACCEPT,
        "questions": fact_questions.questions(role),
        "age_question": fact_questions.age_question(role),
        "authors_question": fact_questions.authors_question(),
        "max_file_bytes": settings.max_file_bytes, "max_report_bytes": settings.max_report_bytes,
        "max_description": MAX_DESCRIPTION_CHARS,
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
            reporting.file_report, app, form.to_report(), to_uploads(files))
    except UploadRejected as exc:
        return report_form_page(request, form, {"evidence": refused_file(exc)}, status_code=400)
    except (InvalidReport, InvalidReportFields) as exc:
        return report_form_page(request, form, {"form": str(exc)}, status_code=400)
    finally:
        for upload in files:
            await upload.close()
    warnings = [fact_questions.contradiction_text(c, form.reporter_role)
                for c in submitted.contradictions]  # pointed out again, never blocking
    response = render(request, "report_done.html", {
        "submitted": submitted, "report": form.to_report(), "warnings": warnings},
        status_code=201)
    # "Go to my case" opens it directly on this device, for the short session lifetime only.
    sessions.remember_reporter(request, response, submitted.case_id)
    return response
