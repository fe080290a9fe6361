"""Custody-ledger receipts for the pages: one signed checkpoint per upload batch, and the
"download proof" of one receipt. Imports nothing from the other pages (the report form and
the case portal call ``sign_checkpoint`` after their uploads)."""

from __future__ import annotations

import structlog
from sqlalchemy.exc import SQLAlchemyError

from rempart import bootstrap
from rempart.evidence import custody_log
from rempart.evidence.checkpoint import CheckpointError
from rempart.evidence.ledger import LedgerError

log = structlog.get_logger(__name__)


def sign_checkpoint(services: bootstrap.Services) -> None:
    """After an upload batch: sign one checkpoint over its "received" entries, so that each
    receipt's proof points at the checkpoint of its own upload.

    The upload is already stored: a failure here must not hide its receipt from the reporter.
    The periodic job, or the first proof asked for, signs the checkpoint later.
    """
    try:
        with services.uow() as uow:
            assert uow.session is not None
            custody_log.sign_pending(uow.session, services.settings)
            uow.commit()
    except (LedgerError, CheckpointError, SQLAlchemyError) as problem:
        log.warning("checkpoint.deferred", error=type(problem).__name__)


def proof_json(services: bootstrap.Services, leaf_index: int) -> str:
    """The proof of one ledger entry against the first checkpoint covering it (JSON)."""
    with services.uow() as uow:
        assert uow.session is not None
        proof = custody_log.receipt_proof(uow.session, services.settings, leaf_index)
        uow.commit()  # receipt_proof may have signed the checkpoint covering this entry
    return proof.to_json()
