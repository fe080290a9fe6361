"""Custody use cases: sign the checkpoint of an upload batch, the "download proof" of a receipt,
the verifiable bundle of a case (with its audit entry).

Called by the report and evidence use cases (``rempart.services.reporting``), the case portal, the
back-office, the JSON API and the CLI; everything goes through the unit of work's ledger
(``uow.ledger``), never through a database session.
"""

from __future__ import annotations

import tempfile
from typing import IO, BinaryIO

import structlog
from sqlalchemy.exc import SQLAlchemyError

from rempart.config import Settings
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.custody import ActorRole
from rempart.domain.staff import Permission
from rempart.evidence.checkpoint import CheckpointError
from rempart.evidence.interface import EvidenceStore
from rempart.evidence.ledger import LedgerError
from rempart.services import audit
from rempart.services import staff as staff_services
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember
from rempart.store.ledger_repository import CaseToExportNotFound
from rempart.store.uow import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger(__name__)
_AUDIT_ACTOR = {ActorRole.REPORTER: Actor.REPORTER, ActorRole.STAFF: Actor.STAFF,
                ActorRole.OPERATOR: Actor.OPERATOR, ActorRole.SYSTEM: Actor.SYSTEM}


def sign_checkpoint(uow: UnitOfWork, settings: Settings) -> str | None:
    """After an upload batch: sign one checkpoint over its "received" entries, so that each
    receipt's proof points at the checkpoint of its own upload; the note signed, or None.

    The upload is already stored: a failure here must not hide its receipt from the reporter.
    The periodic job, or the first proof asked for, signs the checkpoint later.
    """
    try:
        with uow:
            note = uow.ledger.sign_pending(settings)
            uow.commit()
            return note
    except (LedgerError, CheckpointError, SQLAlchemyError) as problem:
        log.warning("checkpoint.deferred", error=type(problem).__name__)
        return None


def receipt_proof(uow: UnitOfWork, settings: Settings, case_id: str, leaf_index: int) -> str:
    """The proof (JSON) of one "received" entry of this case against the first checkpoint
    covering it. CaseNotFound("receipt") if the entry is not one of this case's receipts."""
    with uow:
        if leaf_index not in set(uow.ledger.received_indexes(case_id).values()):
            raise CaseNotFound("receipt")
        proof = uow.ledger.receipt_proof(settings, leaf_index)
        uow.commit()  # the proof may have signed the checkpoint covering this entry
    return proof.to_json()


def export_bundle(uow: UnitOfWork, settings: Settings, store: EvidenceStore, case_id: str,
                  out: BinaryIO, role: ActorRole, member: StaffMember | None = None) -> int:
    """Write the case's verifiable bundle to ``out``, with its custody and audit entries
    committed; the size of the log it is proven against. A staff member needs the evidence
    permission; CaseNotFound if the case does not exist."""
    if (role is ActorRole.STAFF) != (member is not None):
        raise ValueError("a staff export names its staff member, and only it does")
    with uow:
        if member is not None:
            staff_services.require_permission(uow, member, Permission.VIEW_EVIDENCE)
        try:
            size = uow.ledger.export_bundle(settings, store, case_id, out, role)
        except CaseToExportNotFound as missing:
            raise CaseNotFound() from missing
        audit.record(uow, _AUDIT_ACTOR[role], AuditAction.EVIDENCE_EXPORTED, case_id=case_id,
                     staff_id=member.id if member else None, detail={"format": "bundle"})
        uow.commit()
    return size


def export_bundle_file(uow_factory: UnitOfWorkFactory, settings: Settings,
                       store: EvidenceStore, case_id: str, member: StaffMember | None = None
                       ) -> IO[bytes]:
    """The bundle in an anonymous temporary file (gone when closed), at its start; the export
    is committed. For the reporter (no member) or a staff member."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    try:
        role = ActorRole.STAFF if member is not None else ActorRole.REPORTER
        export_bundle(uow_factory(), settings, store, case_id, spool, role, member)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool
