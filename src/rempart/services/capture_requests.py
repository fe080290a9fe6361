"""Page captures asked from the case portal and the back-office (issue 14.3): the request is
recorded at once, a background job fetches the page, the pages show how it went.

``request_capture`` (the reporter) and ``staff_request_capture`` (staff with the "add evidence"
permission) check the address's syntax without touching the network (``CaptureFailed`` with the
reason code "invalid" or "scheme"), the reporter's limit of captures per case and hour
(``CaptureLimited``), record the request as "queued" (the address in the vault, never in a
column or the queue), audit it and queue the job (``rempart.jobs.capture``): the web request
never waits for the fetch. ``run_request`` is what the job does: claim the row, capture the page
for whoever asked (``capture.capture_page``: their role in the custody entries, their actor in
the audit log), sign the checkpoint over the new receipts, and record the outcome: "done",
"refused" with the reason code (an address that is not public, a page too large...), or
"failed". ``for_reporter`` and ``for_staff`` list a case's requests with their state.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import structlog

from rempart.capture import fetch as capture_fetch
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.staff import Permission
from rempart.jobs import capture as capture_jobs
from rempart.services import audit, capture
from rempart.services import custody as custody_service
from rempart.services.app import App
from rempart.services.capture import CaptureFailed, CaptureResult, Requester
from rempart.services.errors import CaseNotFound, ServiceError
from rempart.services.staff import StaffMember, require_permission
from rempart.store.capture_tables import CaptureRecord, CaptureRepository, captures

QUEUED, RUNNING, DONE, REFUSED, FAILED = "queued", "running", "done", "refused", "failed"
WINDOW = timedelta(hours=1)
# A request still queued after REQUEUE_AFTER was probably lost by the queue (down when it was
# asked, or its worker restarted): it is queued again, at most until GIVE_UP after the request.
# A capture takes well under a minute (its fetch and its rendering have their own time limits):
# one still "running" GIVE_UP after it was asked died with its worker. Both then end "failed",
# so that the page says to try again instead of "in progress" for ever.
REQUEUE_AFTER = timedelta(minutes=2)
GIVE_UP = timedelta(hours=1)
LISTED = 100
log = structlog.get_logger(__name__)


class CaptureLimited(ServiceError):
    """The reporter asked for ``limit`` captures of this case in the last hour already."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"at most {limit} captures per case per hour")
        self.limit = limit
        self.retry_after = retry_after  # seconds until one more is allowed


@dataclass(frozen=True)
class CaptureRequest:
    capture_id: str
    case_id: str
    url: str  # as asked ("" if its document can no longer be read)
    state: str  # QUEUED, RUNNING, DONE, REFUSED or FAILED
    reason: str | None  # why it was refused (CaptureRefused.REASONS) or "error"
    requested_by: str  # the audit actor: "reporter", "staff", "operator"
    requested_at: datetime
    finished_at: datetime | None
    warc_item_id: str | None
    png_item_id: str | None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def check_url(url: str) -> str:
    """The address, trimmed, if it can be asked for (http or https, a host, no space or control
    character, at most ``MAX_URL_CHARS``); ``CaptureFailed`` ("invalid", "scheme") otherwise.
    Syntax only: whether the host is public is checked by the job, at fetch time."""
    try:
        capture_fetch.check_syntax(url)
    except capture_fetch.CaptureRefused as refused:
        raise CaptureFailed(refused.reason, str(refused)) from None
    return url.strip()


def request_capture(services: App, case_id: str, url: str, by: Requester = capture.REPORTER
                    ) -> CaptureRequest:
    """Record and queue a capture of ``url`` into the case for ``by``; CaseNotFound,
    CaptureFailed (bad address: nothing stored) or CaptureLimited (a reporter over the limit)."""
    url = check_url(url)
    now = datetime.now(UTC)
    capture_id = str(uuid.uuid4())
    with services.uow() as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound()
        repo = captures(uow)
        if by.actor is Actor.REPORTER:
            repo.lock_case(case_id)
            _check_limit(repo, case_id, services.settings.capture_per_case_per_hour, now)
        document = json.dumps({"url": url}, ensure_ascii=False).encode("utf-8")
        services.store.put(case_id, capture_id, io.BytesIO(document))
        row = CaptureRecord(id=capture_id, case_id=case_id, requested_by=by.actor.value,
                            staff_id=by.staff_id, state=QUEUED, requested_at=now)
        repo.add(row)
        audit.record(uow, by.actor, AuditAction.CAPTURE_REQUESTED, case_id=case_id,
                     staff_id=by.staff_id, detail={"capture": capture_id})
        view = _view(row, url)
        uow.commit()
    log.info("capture.requested", case_id=case_id, by=by.actor.value)
    capture_jobs.request_job(services, capture_id)  # inline in immediate mode (tests)
    return view


def staff_request_capture(services: App, member: StaffMember, case_id: str, url: str
                          ) -> CaptureRequest:
    """The same for a staff member whose role may add evidence (Forbidden otherwise)."""
    with services.uow() as uow:
        require_permission(uow, member, Permission.VIEW_CASE)
        require_permission(uow, member, Permission.ADD_EVIDENCE)
    return request_capture(services, case_id, url, Requester(Actor.STAFF, member.id))


def _check_limit(repo: CaptureRepository, case_id: str, limit: int, now: datetime) -> None:
    times = [_aware(t) for t in repo.requested_since(case_id, Actor.REPORTER.value, now - WINDOW)]
    if len(times) < limit:
        return
    frees_at = times[len(times) - limit] + WINDOW if limit > 0 else now + WINDOW
    raise CaptureLimited(limit, max(1, int((frees_at - now).total_seconds()) + 1))


def run_request(services: App, capture_id: str) -> CaptureRequest | None:
    """The job: capture the page of a queued request and record how it went. None if the
    request is gone (the case was withdrawn); the request as it stands if another worker has
    it already."""
    with services.uow() as uow:
        repo = captures(uow)
        row = repo.get(capture_id)
        if row is None:
            return None
        case_id, by = row.case_id, Requester(Actor(row.requested_by), row.staff_id)
        claimed = repo.claim(capture_id)
        if claimed:
            uow.commit()
    if not claimed:
        return _read(services, capture_id)
    try:
        url = _url(services, case_id, capture_id)
        result = capture.capture_page(services, case_id, url, by)
    except CaptureFailed as refused:
        log.info("capture.refused", case_id=case_id, reason=refused.reason)
        return _finish(services, capture_id, REFUSED, refused.reason)
    except CaseNotFound:
        return None
    except Exception as exc:  # noqa: BLE001 - recorded as failed; the address is never logged
        log.warning("capture.failed", case_id=case_id, error=type(exc).__name__)
        return _finish(services, capture_id, FAILED, "error")
    custody_service.sign_checkpoint(services.uow(), services.settings)
    return _finish(services, capture_id, DONE, None, result)


@dataclass(frozen=True)
class Recovery:
    requeued: int
    failed: int


def recover_stale(services: App, now: datetime | None = None) -> Recovery:
    """Queue again the requests the queue lost, and fail those that can no longer finish (the
    periodic job of ``rempart.jobs.capture``, every five minutes)."""
    now = now or datetime.now(UTC)
    with services.uow() as uow:
        repo = captures(uow)
        lost = [r.id for r in repo.requested_before(QUEUED, now - REQUEUE_AFTER)
                if _aware(r.requested_at) >= now - GIVE_UP]
        dead = [r.id for state in (QUEUED, RUNNING)
                for r in repo.requested_before(state, now - GIVE_UP)]
    for capture_id in dead:
        _finish(services, capture_id, FAILED, "error")
    for capture_id in lost:
        capture_jobs.request_job(services, capture_id)
    if lost or dead:
        log.info("capture.recovered", requeued=len(lost), failed=len(dead))
    return Recovery(len(lost), len(dead))


def _finish(services: App, capture_id: str, state: str, reason: str | None,
            result: CaptureResult | None = None) -> CaptureRequest | None:
    with services.uow() as uow:
        row = captures(uow).get(capture_id)
        if row is None:
            return None
        row.state, row.reason, row.finished_at = state, reason, datetime.now(UTC)
        if result is not None:
            row.warc_item_id, row.png_item_id = result.warc_item_id, result.png_item_id
            row.derived_id = result.derived_id
        uow.commit()
    return _read(services, capture_id)


def _read(services: App, capture_id: str) -> CaptureRequest | None:
    with services.uow() as uow:
        row = captures(uow).get(capture_id)
        if row is None:
            return None
        return _view(row, _url(services, row.case_id, capture_id, missing=""))


def _url(services: App, case_id: str, capture_id: str, missing: str | None = None) -> str:
    """The address asked for, read back from the vault (``missing`` if it cannot be read,
    or the error when ``missing`` is None)."""
    try:
        raw = json.loads(b"".join(services.store.open(case_id, capture_id)))
        return str(raw["url"])
    except Exception:
        if missing is None:
            raise
        return missing


def _view(row: CaptureRecord, url: str) -> CaptureRequest:
    return CaptureRequest(row.id, row.case_id, url, row.state, row.reason, row.requested_by,
                          _aware(row.requested_at),
                          _aware(row.finished_at) if row.finished_at else None,
                          row.warc_item_id, row.png_item_id)


def _list(services: App, case_id: str) -> list[CaptureRequest]:
    with services.uow() as uow:
        views = [_view(row, "") for row in captures(uow).for_case(case_id, LISTED)]
    return [replace(view, url=_url(services, case_id, view.capture_id, missing=""))
            for view in views]


def for_reporter(services: App, case_id: str) -> list[CaptureRequest]:
    """The case's capture requests, newest first (the reporter's own case only: the portal
    passes the case of its session)."""
    return _list(services, case_id)


def for_staff(services: App, member: StaffMember, case_id: str) -> list[CaptureRequest]:
    """The same for staff who may read the case's evidence; each view audited."""
    with services.uow() as uow:
        require_permission(uow, member, Permission.VIEW_CASE)
        require_permission(uow, member, Permission.VIEW_EVIDENCE)
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
    listed = _list(services, case_id)
    with services.uow() as uow:
        audit.record(uow, Actor.STAFF, AuditAction.CASE_VIEWED, case_id=case_id,
                     staff_id=member.id, detail={"what": "captures", "lines": len(listed)})
        uow.commit()
    return listed
