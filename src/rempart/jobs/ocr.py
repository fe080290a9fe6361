"""The OCR job: read a case's screenshots, then classify the case again with their words.

The queue carries only the case id: the worker opens the images from the vault and stores what
it read there too (``rempart.services.evidence_text``). ``request_ocr`` is called after every
upload; with ``REMPART_JOBS_IMMEDIATE`` it runs inline, otherwise the worker (``rempart worker``
or the consumer embedded in ``rempart serve``) runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from huey import Huey

from rempart.jobs.queue import CaseTask

if TYPE_CHECKING:
    from rempart.services.app import App as Services

TASK_NAME = "ocr_and_classify"
log = structlog.get_logger(__name__)


def ocr_case_now(services: Services, case_id: str) -> int:
    """Read the case's new screenshots, then every other kind of evidence (previews, metadata,
    archives, chats, e-mails, pages: ``services.evidence_kinds``, issue 14.2); if new text was
    read, index it for the staff search and classify the case again. How many screenshots were
    read."""
    from rempart.services import classification, evidence_kinds, evidence_search, evidence_text

    report = evidence_text.read_case(services, case_id)
    kinds = evidence_kinds.process_case(services, case_id)
    if report.read or kinds.new_text:
        evidence_search.index_case(services, case_id)  # the words reach the staff search
        classification.classify_case_now(services, case_id)
    return len(report.read)


OCR_TASK = CaseTask(TASK_NAME, ocr_case_now, retries=1, retry_delay=30)


def register_worker_tasks(huey: Huey) -> None:
    OCR_TASK.register(huey)


def request_ocr(services: Services, case_id: str) -> None:
    """Never fails the reporter's request: the files are stored already."""
    settings = services.settings
    try:
        if settings.jobs_immediate:
            ocr_case_now(services, case_id)
            return
        OCR_TASK.enqueue(settings, case_id)
    except Exception as exc:  # noqa: BLE001  (queue down, tesseract missing: logged only)
        log.warning("ocr.request_failed", case_id=case_id, error=type(exc).__name__)
