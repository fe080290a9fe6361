"""Export a stored case as a verifiable bundle: the service the CLI, case portal and back-office
call. It reads the case's evidence rows and bytes, and logs the export in the custody ledger
inside the caller's transaction (commit afterwards)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from rempart.config import Settings
from rempart.domain.custody import ActorRole
from rempart.evidence.bundle import BundleItem, export_case
from rempart.evidence.custody_log import instance_ledger, received_roles
from rempart.evidence.interface import EvidenceStore
from rempart.store.capture_tables import CaptureRecord
from rempart.store.ledger_tables import LedgerCheckpoint
from rempart.store.repositories import SqlCaseRepository
from rempart.store.tables import EvidenceRecord

UPLOAD_SOURCE = "upload"
CAPTURE_SOURCE = "url-capture"  # fetched by Rempart's server (issue 14.3)


class CaseToExportNotFound(LookupError):
    """No case with that id (or it was withdrawn)."""


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite returns naive UTC


def _bundle_item(record: EvidenceRecord, submitter_role: str, source: str) -> BundleItem:
    return BundleItem(record.id, record.file_name, record.media_type, record.size,
                      record.sha256, _aware(record.received_at), source, submitter_role)


def _captured_ids(session: Session, case_id: str) -> set[str]:
    rows = session.execute(select(CaptureRecord.warc_item_id, CaptureRecord.png_item_id)
                           .where(CaptureRecord.case_id == case_id))
    return {str(i) for row in rows for i in row if i}


def _submitter(role: ActorRole | None, reporter_role: str) -> str:
    """The reporter's own role (victim, witness, parent) for what they sent; otherwise the
    custody role of whoever brought the item: "witness" (an invited witness, accepted by the
    victim), "staff" or "operator"."""
    return reporter_role if role in (None, ActorRole.REPORTER) else role.value


def export_case_bundle(session: Session, settings: Settings, store: EvidenceStore, case_id: str,
                       out: BinaryIO, role: ActorRole) -> LedgerCheckpoint:
    """Write the case's bundle to ``out``; returns the checkpoint it is proven against."""
    cases = SqlCaseRepository(session)
    case = cases.get(case_id)
    if case is None:
        raise CaseToExportNotFound(case_id)
    roles = received_roles(session, case_id)
    captured = _captured_ids(session, case_id)
    items = [_bundle_item(record, _submitter(roles.get(record.id), case.reporter_role),
                          CAPTURE_SOURCE if record.id in captured else UPLOAD_SOURCE)
             for record in cases.evidence(case_id)]
    return export_case(instance_ledger(session, settings), case_id, items,
                       lambda item_id: store.open(case_id, item_id), out, role)
