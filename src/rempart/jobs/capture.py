"""The page capture job (issue 14.3): fetch a page asked for from the portal or the back-office,
keep it in the case (WARC + PNG), then read the PNG like an uploaded screenshot (OCR).

The queue carries only the request's id: the worker reads the address from the vault and records
the outcome on the request's row (``rempart.services.capture_requests``), where the pages read
it. ``request_job`` is called once the request is stored; with ``REMPART_JOBS_IMMEDIATE`` it
runs inline (tests), otherwise the worker (``rempart worker`` or the consumer embedded in
``rempart serve``) runs it. A capture is not retried: a refusal or a failure is its outcome.
Every five minutes, ``recover_stale`` queues again a request the queue lost and fails one whose
worker died.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from huey import Huey, crontab

from rempart.config import Settings, get_settings
from rempart.jobs.queue import CaseTask

if TYPE_CHECKING:
    from rempart.services.app import App as Services

TASK_NAME = "capture_page"
RECOVER_NAME = "recover_stale_captures"
log = structlog.get_logger(__name__)


def capture_now(services: Services, capture_id: str) -> str | None:
    """Run the capture of one request, then ask for the OCR of its PNG; the request's state
    ("done", "refused", "failed"), or None if the request is gone."""
    from rempart.jobs import ocr as ocr_jobs
    from rempart.services import capture_requests

    done = capture_requests.run_request(services, capture_id)
    if done is None:
        return None
    if done.state == capture_requests.DONE and done.png_item_id:
        ocr_jobs.request_ocr(services, done.case_id)  # the PNG is an image item of the case
    return done.state


CAPTURE_TASK = CaseTask(TASK_NAME, capture_now)


def recover_now(settings: Settings) -> int:
    """Queue again the captures the queue lost, fail the dead ones; how many were touched."""
    from rempart.services import capture_requests
    from rempart.services.app import build_app

    services = build_app(settings)
    try:
        done = capture_requests.recover_stale(services)
    finally:
        services.dispose()
    return done.requeued + done.failed


def _recover_periodically() -> int:
    return recover_now(get_settings())


def register_worker_tasks(huey: Huey) -> None:
    CAPTURE_TASK.register(huey)
    huey.periodic_task(crontab(minute="*/5"), name=RECOVER_NAME)(_recover_periodically)


def request_job(services: Services, capture_id: str) -> None:
    """Queue the capture (inline in immediate mode). Never fails the request that asked for it:
    the request is stored as queued and the pages show it so."""
    settings = services.settings
    try:
        if settings.jobs_immediate:
            capture_now(services, capture_id)
            return
        CAPTURE_TASK.enqueue(settings, capture_id)
    except Exception as exc:  # noqa: BLE001  (queue down: logged only, the request stays queued)
        log.warning("capture.request_failed", capture_id=capture_id, error=type(exc).__name__)
