"""Classify a case's messages in the background and let the labels raise its triage priority.

What the reporter typed (the report, later messages) is read from the case inside the job: the
queue carries only the case id, never the text. ``request_classification`` is called by the web
handlers after a report or a message; with ``REMPART_JOBS_IMMEDIATE`` it runs inline (tests,
single-process set-ups), otherwise it is queued for ``rempart worker``.
"""

from __future__ import annotations

import structlog
from huey import Huey
from sqlalchemy.orm import Session

from rempart.domain.cases import MessageAuthor
from rempart.jobs import classify
from rempart.jobs.queue import CaseTask
from rempart.services.app import App
from rempart.services.cases import add_signals
from rempart.store.tables import CaseRecord, MessageRecord

TASK_NAME = "classify_and_triage"
log = structlog.get_logger(__name__)


def case_messages(session: Session, case_id: str) -> list[tuple[str, str]]:
    """The report's text and the reporter's messages, as (reference, text) pairs."""
    case = session.get(CaseRecord, case_id)
    if case is None:
        return []
    found = [("report", case.description)]
    found += [(f"message:{m.id}", m.body) for m in session.query(MessageRecord).filter_by(
        case_id=case_id, author=MessageAuthor.REPORTER.value, internal=False)]
    return found


def classify_case_now(services: App, case_id: str) -> set[str]:
    """Classify and store every message of the case, then raise its priority; returns labels."""
    from rempart.services import evidence_kinds
    from rempart.services.evidence_text import classifier_messages

    from_images = classifier_messages(services, case_id)  # the screenshots' text (OCR)
    from_images += evidence_kinds.classifier_messages(services, case_id)  # chats, e-mails
    with services.session_factory() as session, session.begin():
        classify.classify_messages(session, case_id,
                                   case_messages(session, case_id) + from_images)
        labels = classify.labels_for_case(session, case_id)
    if labels:
        add_signals(services.uow(), case_id, labels)
    log.info("case.classified", case_id=case_id, labels=len(labels))
    return labels


def _classify_in_worker(services: App, case_id: str) -> int:
    return len(classify_case_now(services, case_id))


CLASSIFY_TASK = CaseTask(TASK_NAME, _classify_in_worker, retries=2, retry_delay=10)


def register_worker_task(huey: Huey) -> None:
    """Called by ``rempart worker`` so its consumer knows the task by name."""
    CLASSIFY_TASK.register(huey)


def request_classification(services: App, case_id: str) -> None:
    """Never fails the reporter's request: the report is stored already, and a case that could
    not be classified keeps its priority from the report's own fields."""
    settings = services.settings
    try:
        if settings.jobs_immediate:
            classify_case_now(services, case_id)
            return
        CLASSIFY_TASK.enqueue(settings, case_id)
    except Exception as exc:  # noqa: BLE001  (queue down, model missing: logged, not raised)
        log.warning("case.classification_failed", case_id=case_id, error=type(exc).__name__)
