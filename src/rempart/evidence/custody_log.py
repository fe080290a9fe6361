"""What the case services, web pages and jobs call to record custody and show receipts.

Every ``log_*`` function appends inside the caller's transaction (the session's unit of work), so
"store the evidence + log its receipt" commits or fails together. ``sign_pending`` is called after
each upload batch and by the periodic job (every ``checkpoint_every_seconds``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rempart.config import Settings
from rempart.domain import custody
from rempart.evidence.checkpoint import key_fingerprint, load_log_signer
from rempart.evidence.ledger import LeafReceipt, Ledger, LedgerError
from rempart.evidence.timestamp import timestamper_from_settings
from rempart.evidence.witness import CheckpointWitness, witness_path
from rempart.store.ledger_tables import LedgerCheckpoint, LedgerLeaf


def instance_ledger(session: Session, settings: Settings) -> Ledger:
    """The ledger with this instance's signing key, its witness file and, if configured, its
    TSA: every checkpoint signed through it is also written to the witness once committed."""
    signer = load_log_signer(settings)
    return Ledger(session, signer, timestamper_from_settings(settings),
                  CheckpointWitness(witness_path(settings), signer.verifier_key()))


def _now(at: datetime | None) -> datetime:
    return at or datetime.now(UTC)


def log_received(session: Session, case_id: str, item_id: str, sha256: str,
                 role: custody.ActorRole, at: datetime | None = None) -> LeafReceipt:
    return Ledger(session).append(custody.received(case_id, item_id, sha256, role, _now(at)))


def log_viewed(session: Session, case_id: str, item_id: str, sha256: str,
               role: custody.ActorRole, at: datetime | None = None) -> LeafReceipt:
    return Ledger(session).append(custody.viewed(case_id, item_id, sha256, role, _now(at)))


def log_shared(session: Session, case_id: str, item_id: str, sha256: str,
               role: custody.ActorRole, target: str, *, police: bool,
               at: datetime | None = None) -> LeafReceipt:
    return Ledger(session).append(custody.shared(case_id, item_id, sha256, role, _now(at),
                                                 target, police=police))


def log_exported(session: Session, case_id: str, item_id: str, sha256: str,
                 role: custody.ActorRole, at: datetime | None = None) -> LeafReceipt:
    """The item left Rempart inside a document or bundle (evidence report, export)."""
    return Ledger(session).append(custody.exported(case_id, item_id, sha256, role, _now(at)))


def log_shredded(session: Session, case_id: str, role: custody.ActorRole,
                 at: datetime | None = None) -> LeafReceipt:
    """A whole case made unreadable (withdrawal, retention expiry): ids only, no contents."""
    return Ledger(session).append(custody.shredded(case_id, role, _now(at)))


# Hooks for the case services. They take the unit of work's session, which is None for the
# in-memory unit of work of the services' unit tests: there is no ledger to append to there.


def item_received(session: Session | None, case_id: str, item_id: str, sha256: str,
                  role: custody.ActorRole = custody.ActorRole.REPORTER) -> int | None:
    """Leaf index of the "received" event appended in the caller's transaction."""
    if session is None:
        return None
    return log_received(session, case_id, item_id, sha256, role).index


def items_received(session: Session | None, case_id: str, items: Sequence[tuple[str, str]],
                   role: custody.ActorRole = custody.ActorRole.REPORTER) -> list[int | None]:
    """Leaf indexes of the "received" events of ``items`` (item id, SHA-256), in order, appended
    in one batch in the caller's transaction: one head lock and one insert for a whole report,
    taken once its files are stored rather than held while they are encrypted."""
    if session is None:
        return [None] * len(items)
    at = datetime.now(UTC)
    receipts = Ledger(session).append_many(custody.received(case_id, item_id, sha256, role, at)
                                           for item_id, sha256 in items)
    return [receipt.index for receipt in receipts]


def item_viewed(session: Session | None, case_id: str, item_id: str, sha256: str,
                role: custody.ActorRole = custody.ActorRole.STAFF) -> int | None:
    if session is None:
        return None
    return log_viewed(session, case_id, item_id, sha256, role).index


def case_shredded(session: Session | None, case_id: str,
                  role: custody.ActorRole = custody.ActorRole.REPORTER) -> int | None:
    if session is None:
        return None
    return log_shredded(session, case_id, role).index


def received_indexes(session: Session | None, case_id: str) -> dict[str, int]:
    """Leaf index of each item's "received" event (its first leaf: receipt comes first)."""
    if session is None:
        return {}
    rows = session.execute(select(LedgerLeaf.item_id, func.min(LedgerLeaf.idx))
                           .where(LedgerLeaf.case_id == case_id, LedgerLeaf.item_id.is_not(None))
                           .group_by(LedgerLeaf.item_id))
    return {str(item_id): int(index) for item_id, index in rows}


def received_roles(session: Session | None, case_id: str) -> dict[str, custody.ActorRole]:
    """Who brought each item of the case, by role, read from its "received" leaf (a witness's
    file accepted by the victim says "witness", a page captured by staff says "staff")."""
    if session is None:
        return {}
    roles: dict[str, custody.ActorRole] = {}
    rows = session.execute(select(LedgerLeaf.leaf).where(
        LedgerLeaf.case_id == case_id, LedgerLeaf.item_id.is_not(None)).order_by(LedgerLeaf.idx))
    for (leaf,) in rows:
        try:
            event = custody.CustodyEvent.from_leaf(bytes(leaf))
        except custody.InvalidCustodyEvent:
            continue  # reported by the ledger audit
        if event.action is custody.CustodyAction.RECEIVED and event.item_id:
            roles.setdefault(event.item_id, event.actor_role)
    return roles


def sign_pending(session: Session, settings: Settings,
                 now: datetime | None = None) -> LedgerCheckpoint | None:
    """Sign a checkpoint if leaves were appended since the last one: the one scheduler every
    ingest path calls (report form, portal, JSON API and CLI through
    ``rempart.services.custody.sign_checkpoint``; the periodic job in ``jobs/checkpoints``)."""
    return instance_ledger(session, settings).sign_checkpoint_if_due(_now(now))


def latest_note(session: Session, settings: Settings) -> str:
    """The latest signed checkpoint (signing one first if entries are pending), or ""."""
    ledger = instance_ledger(session, settings)
    checkpoint = ledger.sign_checkpoint_if_due(datetime.now(UTC)) or ledger.latest_checkpoint()
    return checkpoint.note if checkpoint is not None else ""


@dataclass(frozen=True)
class ItemProof:
    """The "download proof" of one receipt: the leaf, its inclusion proof, the checkpoint."""

    leaf_index: int
    leaf: str
    inclusion_proof: list[str]
    checkpoint: str
    log_key: str

    def to_json(self) -> str:
        return json.dumps({"format": "rempart-leaf-proof/1", "leaf_index": self.leaf_index,
                           "leaf": self.leaf, "inclusion_proof": self.inclusion_proof,
                           "checkpoint": self.checkpoint, "log_key": self.log_key,
                           "log_key_fingerprint": key_fingerprint(self.log_key)}, indent=2)


def receipt_proof(session: Session, settings: Settings, leaf_index: int) -> ItemProof:
    """Proof of a leaf against the first signed checkpoint that includes it (the one the
    reporter was shown at upload), signing it first if needed. LedgerError if no such leaf."""
    ledger = instance_ledger(session, settings)
    checkpoint = ledger.first_checkpoint_covering(leaf_index)
    if checkpoint is None and leaf_index < ledger.size():
        # Not signed yet (the periodic job signs at least every checkpoint_every_seconds):
        # sign now, so a receipt always comes with its checkpoint. The caller commits.
        checkpoint = ledger.sign_checkpoint()
    if checkpoint is None:
        raise LedgerError(f"no ledger entry {leaf_index}")
    proof = ledger.inclusion_proof(leaf_index, checkpoint.size)
    return ItemProof(leaf_index, bytes(ledger.leaf(leaf_index).leaf).decode(),
                     [h.hex() for h in proof], checkpoint.note, checkpoint.verifier_key)
