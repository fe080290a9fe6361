"""Integrity checks the web app and the worker run before they start, and the operator runs
with ``rempart ledger verify`` / ``rempart audit verify``.

``check_at_start`` refuses a database below the ledger's witness (an older copy put back, a
checkpoint row deleted: see ``rempart.evidence.witness``) with one line, and writes the witness on
the first start of an instance that has none yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from rempart.config import Settings
from rempart.evidence.checkpoint import load_log_signer
from rempart.evidence.cross_check import evidence_problems
from rempart.evidence.ledger import Ledger, audit
from rempart.evidence.vault import SweepReport, blob_store_for, sweep_orphans
from rempart.evidence.witness import CheckpointWitness, LedgerBehindWitness, witness_path
from rempart.store.db import make_engine, make_session_factory
from rempart.store.integrity_tables import audit_chain_problems, audit_chain_tip
from rempart.store.ledger_tables import LedgerCheckpoint

log = structlog.get_logger(__name__)


def sweep_vault(settings: Settings, sessions: sessionmaker[Session]) -> SweepReport | None:
    """Interrupted writes and keyless blobs older than the grace period (``sweep_orphans``);
    a storage that cannot be listed now is left for the next sweep."""
    try:
        return sweep_orphans(blob_store_for(settings), sessions)
    except SQLAlchemyError:
        return None  # not migrated yet: no key rows to compare with
    except Exception as exc:  # noqa: BLE001 - S3 or disk trouble must not stop the start
        log.warning("vault.sweep_failed", error=exc.__class__.__name__)
        return None


class RefusedToStart(SystemExit):
    """Raised at start-up with the one-line reason (printed by Python, exit status 1)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"error: refusing to start: {reason}")


def instance_witness(settings: Settings) -> CheckpointWitness:
    return CheckpointWitness(witness_path(settings), load_log_signer(settings).verifier_key())


def check_at_start(settings: Settings) -> None:
    """Start-up of the web app and the worker: refuse a database below the witness (create the
    witness if there is none), then sweep what killed writes left in the vault."""
    witness = instance_witness(settings)
    engine = make_engine(settings.resolved_database_url)
    try:
        sweep_vault(settings, make_session_factory(engine))
        with make_session_factory(engine)() as session:
            try:
                state = witness.check(session)
                latest = None if state is not None else Ledger(session).latest_checkpoint()
                count = int(session.scalar(select(func.count())
                                           .select_from(LedgerCheckpoint)) or 0)
                tip = audit_chain_tip(session)
            except SQLAlchemyError:
                if witness.read() is not None:
                    raise RefusedToStart("the database has no custody ledger, but its witness "
                                         f"{witness.path} saw one") from None
                return  # not migrated yet: nothing to compare
    except LedgerBehindWitness as exc:
        raise RefusedToStart(str(exc)) from None
    finally:
        engine.dispose()
    if latest is not None:  # first start with a witness: trust the ledger as it is now
        witness.record(latest.note, count, tip)


@dataclass
class IntegrityReport:
    ledger_size: int = 0
    checkpoints: int = 0
    evidence_rows: int = 0
    audit_links: int = 0
    problems: list[str] = field(default_factory=list)


def verify_ledger(settings: Settings, sessions: sessionmaker[Session]) -> IntegrityReport:
    """``rempart ledger verify``: the whole tree and every checkpoint, the witness, evidence
    rows against their "received" entries, and the audit chain."""
    trusted = {load_log_signer(settings).verifier_key()}
    with sessions() as session:
        ledger = audit(session, trusted)
        report = IntegrityReport(ledger.size, ledger.checkpoints, problems=list(ledger.problems))
        report.evidence_rows, problems = evidence_problems(session)
        report.problems += problems
        _check_audit(settings, session, report)
    return report


def verify_audit(settings: Settings, sessions: sessionmaker[Session]) -> IntegrityReport:
    """``rempart audit verify``: the audit log's hash chain, and its tip against the witness."""
    report = IntegrityReport()
    with sessions() as session:
        _check_audit(settings, session, report)
    return report


def _check_audit(settings: Settings, session: Session, report: IntegrityReport) -> None:
    report.audit_links, problems = audit_chain_problems(session)
    try:
        instance_witness(settings).check(session)
    except LedgerBehindWitness as exc:
        problems.insert(0, str(exc))
    report.problems += problems
