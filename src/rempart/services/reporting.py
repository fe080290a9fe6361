"""Filing a report and adding evidence, the whole use case, one way for every door: the report
form, the case portal, the JSON API and the CLI call these and nothing else.

A report is stored (case, files, "received" custody entries, audit: one transaction), then the
checkpoint over its receipts is signed, then its classification is requested. The two last steps
never fail the reporter's request: the report is stored already.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rempart.jobs import ocr as ocr_jobs
from rempart.services import cases, classification, custody
from rempart.services.cases import EvidenceReceipt, NewReport, SubmittedReport
from rempart.services.uploads import Upload

if TYPE_CHECKING:  # the wiring's type only; services never build it
    from rempart.services.app import App as Services


@dataclass(frozen=True)
class AddedEvidence:
    receipts: list[EvidenceReceipt]
    checkpoint: str | None  # the note signed over these receipts (None: signed later)


def file_report(app: Services, report: NewReport, uploads: list[Upload]) -> SubmittedReport:
    """Store the report and its files, sign their checkpoint, ask for classification."""
    submitted = cases.submit_report(app.uow(), app.store, report, uploads, app.limits)
    custody.sign_checkpoint(app.uow(), app.settings)  # one checkpoint per upload batch
    classification.request_classification(app, submitted.case_id)
    ocr_jobs.request_ocr(app, submitted.case_id)  # the screenshots' text, then classified again
    return submitted


def add_evidence(app: Services, case_id: str, uploads: list[Upload]) -> AddedEvidence:
    """Store the files in the case, then sign the checkpoint over their receipts."""
    receipts = cases.add_evidence(app.uow(), app.store, case_id, uploads, app.limits)
    added = AddedEvidence(receipts, custody.sign_checkpoint(app.uow(), app.settings))
    ocr_jobs.request_ocr(app, case_id)  # the screenshots' text, then classified again
    return added


def post_message(app: Services, case_id: str, body: str) -> None:
    """The reporter writes in the thread; the message is classified like the report."""
    cases.post_reporter_message(app.uow(), case_id, body)
    classification.request_classification(app, case_id)
