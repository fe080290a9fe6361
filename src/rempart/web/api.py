"""JSON API of the reporter's operations under ``/api/v1`` (OpenAPI at ``/openapi.json``).

A report is created with a multipart request (fields + files); the answer holds the case code and
the passphrase, shown once. ``POST /api/v1/cases/open`` exchanges code + passphrase for a
short-lived bearer token for the ``/api/v1/cases/me`` routes. Errors are ``{"error": reason}``
with a 4xx status. Handlers only parse, call ``rempart.services.cases`` and shape the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from python_multipart.multipart import parse_options_header
from starlette.formparsers import MultiPartException
from starlette.types import Message

from rempart import bootstrap
from rempart.domain.cases import CaseKind, CaseStatus, MessageAuthor, ReporterRole
from rempart.domain.facts import ReportFacts
from rempart.services import cases, errors, reporting
from rempart.services.uploads import Upload

T = TypeVar("T")
TAIL_BYTES = 512


class StrictMultipartRoute(APIRoute):
    """Refuses truncated multipart bodies. The multipart parser accepts a body cut before its
    closing boundary and silently drops the part in progress (a file!), so the body's last bytes
    are kept while it streams in and must hold the closing delimiter."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            content_type = request.headers.get("content-type", "")
            if content_type.lower().startswith("multipart/form-data"):
                request = await strict_multipart_request(request, content_type)
            return await handler(request)

        return strict_handler


async def strict_multipart_request(request: Request, content_type: str) -> Request:
    tail = bytearray()

    async def recording_receive() -> Message:
        message = await request.receive()
        if message["type"] == "http.request":
            tail.extend(message.get("body", b""))
            del tail[:-TAIL_BYTES]
        return message

    checked = Request(request.scope, recording_receive)
    try:
        await checked.form()  # parsed once here, cached on the request for FastAPI
    except MultiPartException as problem:
        raise ApiError(400, f"malformed multipart body: {problem.message}") from None
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary", b"")
    if not boundary or b"--" + boundary + b"--" not in tail:
        raise ApiError(400, "malformed multipart body: missing closing boundary")
    return checked


router = APIRouter(prefix="/api/v1", tags=["cases"], route_class=StrictMultipartRoute)
_bearer = HTTPBearer(auto_error=False, description="token from POST /api/v1/cases/open")

_STATUS = {errors.InvalidReport: 400, errors.UploadTooLarge: 413, errors.UploadRejected: 400,
           errors.CaseAccessDenied: 401, errors.LoginFailed: 401, errors.Forbidden: 403,
           errors.CaseNotFound: 404, errors.TooManyAttempts: 429, errors.StaffError: 400}


class EvidenceOut(BaseModel):
    item_id: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    received_at: datetime
    leaf_index: int | None = Field(default=None,
                                   description="its 'received' entry in the custody ledger")


class ContradictionOut(BaseModel):
    code: str = Field(description="stable name of the disagreement (end_before_start, ...)")
    fact: str = Field(description="the fact concerned")
    detail: str


class ReportCreated(BaseModel):
    code: str = Field(description="case code, to write down")
    passphrase: str = Field(description="secret passphrase, shown only once")
    evidence: list[EvidenceOut]
    contradictions: list[ContradictionOut] = Field(
        default_factory=list, description="what the facts and the description disagree on: "
        "pointed out, stored as given")


class OpenCase(BaseModel):
    code: str = Field(max_length=100)
    passphrase: str = Field(max_length=500)


class CaseToken(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth token type, not a secret)
    expires_in: int = Field(description="seconds")


class MessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)


class MessageOut(BaseModel):
    author: MessageAuthor
    body: str
    created_at: datetime


class CaseOut(BaseModel):
    code: str
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    description: str
    kinds: list[CaseKind]
    platforms: list[str]
    other_platform: str | None
    urls: list[str]
    incident_dates: str | None
    author_handles: list[str]
    victim_is_minor: bool
    reporter_role: ReporterRole
    contact: str | None
    facts: dict[str, Any] = Field(description="what the reporter said (ReportFacts: unknown "
                                  "facts left out)")
    evidence: list[EvidenceOut]
    messages: list[MessageOut]

    @classmethod
    def from_detail(cls, detail: cases.CaseDetail) -> CaseOut:
        """The public shape of the service's ``CaseDetail``, built here only."""
        fields = {name: getattr(detail, name) for name in cls.model_fields
                  if name not in ("facts", "evidence", "messages")}
        return cls(**fields, facts=detail.facts.as_dict(), evidence=_evidence(detail.evidence),
                   messages=[MessageOut(author=m.author, body=m.body, created_at=m.created_at)
                             for m in detail.messages])


class ErrorOut(BaseModel):
    error: str


_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut} for code in (400, 401, 404, 413, 429)}


class ApiError(Exception):
    def __init__(self, status: int, reason: str, retry_after: int = 0) -> None:
        super().__init__(reason)
        self.status, self.reason, self.retry_after = status, reason, retry_after


def _services(request: Request) -> bootstrap.Wiring:
    from rempart.web.pages.runtime import runtime

    return runtime(request)


async def _call(fn: Callable[..., T], *args: object) -> T:
    """Run a (blocking) service in the thread pool; service errors become API errors."""
    try:
        result: T = await run_in_threadpool(fn, *args)
    except errors.ServiceError as problem:
        status = next(code for cls, code in _STATUS.items() if isinstance(problem, cls))
        wait = problem.retry_after if isinstance(problem, errors.TooManyAttempts) else 0
        raise ApiError(status, str(problem), wait) from None
    return result


async def _case_id(request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None,
                                          Depends(_bearer)]) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "missing bearer token (POST /api/v1/cases/open)")
    return await _call(cases.case_for_token, _services(request).uow(), credentials.credentials)


CaseId = Annotated[str, Depends(_case_id)]
# A yes/no fact: absent means unknown ("je ne sais pas").
YesNo = Annotated[bool | None, Form(description="true, false, or absent when unknown")]


def _uploads(files: list[UploadFile]) -> list[Upload]:
    return [Upload(file_name=f.filename or "", declared_type=f.content_type, stream=f.file)
            for f in files if f.filename or (f.size or 0) > 0]


def _evidence(receipts: list[cases.EvidenceReceipt]) -> list[EvidenceOut]:
    return [EvidenceOut.model_validate(vars(r)) for r in receipts]


@router.post("/reports", status_code=201, response_model=ReportCreated, responses=_ERRORS)
async def create_report(
    request: Request,
    description: Annotated[str, Form(description="what happened")],
    kinds: Annotated[list[CaseKind], Form()],
    reporter_role: Annotated[ReporterRole, Form()] = ReporterRole.VICTIM,
    victim_is_minor: Annotated[bool, Form()] = False,
    platforms: Annotated[list[str] | None, Form()] = None,
    other_platform: Annotated[str | None, Form()] = None,
    urls: Annotated[list[str] | None, Form()] = None,
    incident_dates: Annotated[str | None, Form()] = None,
    author_handles: Annotated[list[str] | None, Form()] = None,
    contact: Annotated[str | None, Form()] = None,
    victim_age: Annotated[int | None, Form(description="age of the person harassed")] = None,
    authors: Annotated[int | None, Form(description="how many people (1, several, a raid)")
                       ] = None,
    started_on: Annotated[date | None, Form(description="since when (YYYY-MM-DD)")] = None,
    last_on: Annotated[date | None, Form(description="the most recent time (YYYY-MM-DD)")
                       ] = None,
    approximately: Annotated[str | None, Form(description="'depuis environ…' when no date "
                                                          "is known")] = None,
    repeated: YesNo = None, public: YesNo = None, school: YesNo = None,
    known_authors: YesNo = None, partner: YesNo = None, death_threat: YesNo = None,
    threat_with_demand: YesNo = None, deepfake: YesNo = None, sexual: YesNo = None,
    discriminatory: YesNo = None, itt_over_8_days: YesNo = None,
    suicide_or_attempt: YesNo = None,
    files: Annotated[list[UploadFile] | None, File(description="evidence files")] = None,
) -> ReportCreated:
    facts = ReportFacts(
        victim_age=victim_age, authors=authors, started_on=started_on, last_on=last_on,
        approximately=approximately, repeated=repeated, public=public, school=school,
        known_authors=known_authors, partner=partner, death_threat=death_threat,
        threat_with_demand=threat_with_demand, deepfake=deepfake, sexual=sexual,
        discriminatory=discriminatory, itt_over_8_days=itt_over_8_days,
        suicide_or_attempt=suicide_or_attempt)
    report = cases.NewReport(
        description=description, kinds=tuple(kinds), platforms=tuple(platforms or ()),
        other_platform=other_platform, urls=tuple(urls or ()), incident_dates=incident_dates,
        author_handles=tuple(author_handles or ()), victim_is_minor=victim_is_minor,
        reporter_role=reporter_role, contact=contact, facts=facts)
    app = _services(request)
    submitted: cases.SubmittedReport = await _call(
        reporting.file_report, app, report, _uploads(files or []))
    return ReportCreated(code=submitted.code, passphrase=submitted.passphrase,
                         evidence=_evidence(submitted.receipts),
                         contradictions=[ContradictionOut.model_validate(vars(c))
                                         for c in submitted.contradictions])


@router.post("/cases/open", response_model=CaseToken, responses=_ERRORS)
async def open_case(request: Request, body: OpenCase) -> CaseToken:
    app = _services(request)
    case_id: str = await _call(cases.open_case, app.uow(), body.code, body.passphrase,
                               app.attempts)
    ttl = app.settings.case_token_seconds
    token: str = await _call(cases.issue_case_token, app.uow(), case_id, ttl)
    return CaseToken(token=token, expires_in=ttl)


@router.get("/cases/me", response_model=CaseOut, responses=_ERRORS)
async def my_case(request: Request, case_id: CaseId) -> CaseOut:
    detail: cases.CaseDetail = await _call(cases.case_detail, _services(request).uow(), case_id)
    return CaseOut.from_detail(detail)


@router.post("/cases/me/evidence", status_code=201, response_model=list[EvidenceOut],
             responses=_ERRORS)
async def add_evidence(request: Request, case_id: CaseId,
                       files: Annotated[list[UploadFile], File()]) -> list[EvidenceOut]:
    app = _services(request)
    added: reporting.AddedEvidence = await _call(
        reporting.add_evidence, app, case_id, _uploads(files))
    return _evidence(added.receipts)


@router.get("/cases/me/evidence/{item_id}", responses=_ERRORS,
            response_class=StreamingResponse)
async def read_evidence(request: Request, case_id: CaseId, item_id: str) -> StreamingResponse:
    app = _services(request)
    found: tuple[cases.EvidenceReceipt, Iterator[bytes]] = await _call(
        cases.read_evidence, app.uow(), app.store, case_id, item_id)
    receipt, chunks = found
    return StreamingResponse(chunks, media_type=receipt.media_type, headers={
        "content-disposition": f'attachment; filename="{receipt.item_id}"',
        "x-content-type-options": "nosniff", "content-length": str(receipt.size)})


@router.get("/cases/me/messages", response_model=list[MessageOut], responses=_ERRORS)
async def messages(request: Request, case_id: CaseId) -> list[MessageOut]:
    detail: cases.CaseDetail = await _call(cases.case_detail, _services(request).uow(), case_id)
    return [MessageOut(author=m.author, body=m.body, created_at=m.created_at)
            for m in detail.messages]


@router.post("/cases/me/messages", status_code=201, response_model=list[MessageOut],
             responses=_ERRORS)
async def post_message(request: Request, case_id: CaseId, body: MessageIn) -> list[MessageOut]:
    await _call(reporting.post_message, _services(request), case_id, body.body)
    return await messages(request, case_id)


@router.delete("/cases/me", status_code=204, responses=_ERRORS)
async def withdraw(request: Request, case_id: CaseId) -> Response:
    app = _services(request)
    await _call(cases.withdraw_case, app.uow(), app.store, case_id)
    return Response(status_code=204)


def _validation_reason(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        problems.append(f"{where}: {error.get('msg', 'invalid')}" if where
                        else str(error.get("msg", "invalid")))
    return "; ".join(problems) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """``{"error": reason}`` answers for API errors and for invalid /api requests (400)."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        # A throttled client learns when its next attempt will be checked (RFC 9110 10.2.3).
        headers = {"Retry-After": str(max(1, exc.retry_after))} if exc.status == 429 else None
        return JSONResponse({"error": exc.reason}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": _validation_reason(exc)}, status_code=400)
        return await request_validation_exception_handler(request, exc)
