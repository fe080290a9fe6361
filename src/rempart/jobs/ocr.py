"""The OCR job: read a case's screenshots, then classify the case again with their words.

The queue carries only the case id: the worker opens the images from the vault and stores what
it read there too (``rempart.services.evidence_text``). ``request_ocr`` is called after every
upload; with ``REMPART_JOBS_IMMEDIATE`` it runs inline, otherwise the worker (``rempart worker``
or the consumer embedded in ``rempart serve``) runs it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from huey import Huey
from huey.api import TaskWrapper

from rempart.config import Settings, get_settings
from rempart.jobs.queue import make_huey

if TYPE_CHECKING:
    from rempart.services.app import App as Services

TASK_NAME = "ocr_and_classify"
log = structlog.get_logger(__name__)


def ocr_case_now(services: Services, case_id: str) -> int:
    """Read the case's new screenshots, then every other kind of evidence (previews, metadata,
    archives, chats, e-mails, pages: ``services.evidence_kinds``, issue 14.2); if new text was
    read, classify the case again. How many screenshots were read."""
    from rempart.services import classification, evidence_kinds, evidence_text

    report = evidence_text.read_case(services, case_id)
    kinds = evidence_kinds.process_case(services, case_id)
    if report.read or kinds.new_text:
        classification.classify_case_now(services, case_id)
    return len(report.read)


def _run_in_worker(case_id: str) -> int:
    from rempart.services.app import build_app

    services = build_app(get_settings())
    try:
        return ocr_case_now(services, case_id)
    finally:
        services.dispose()


@functools.lru_cache(maxsize=8)
def _queue(backend: str, redis_url: str, data_dir: str) -> tuple[Huey, TaskWrapper]:
    settings = Settings(jobs_backend=backend, redis_url=redis_url, data_dir=Path(data_dir))
    huey = make_huey(settings)
    return huey, huey.task(retries=1, retry_delay=30, name=TASK_NAME)(_run_in_worker)


def register_worker_tasks(huey: Huey) -> None:
    huey.task(retries=1, retry_delay=30, name=TASK_NAME)(_run_in_worker)


def request_ocr(services: Services, case_id: str) -> None:
    """Never fails the reporter's request: the files are stored already."""
    settings = services.settings
    try:
        if settings.jobs_immediate:
            ocr_case_now(services, case_id)
            return
        _, task = _queue(settings.jobs_backend, settings.redis_url,
                         str(settings.data_dir.resolve()))
        task(case_id)
    except Exception as exc:  # noqa: BLE001  (queue down, tesseract missing: logged only)
        log.warning("ocr.request_failed", case_id=case_id, error=type(exc).__name__)
