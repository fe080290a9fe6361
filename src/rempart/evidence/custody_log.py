"""What the case services, web pages and jobs call to record custody and show receipts.

Every ``log_*`` function appends inside the caller's transaction (the session's unit of work), so
"store the evidence + log its receipt" commits or fails together. ``sign_pending`` is called after
each upload batch and by the periodic job (every ``checkpoint_every_seconds``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from rempart.config import Settings
from rempart.domain import custody
from rempart.evidence.checkpoint import load_log_signer
from rempart.evidence.ledger import LeafReceipt, Ledger, LedgerError
from rempart.evidence.timestamp import timestamper_from_settings
from rempart.store.ledger_tables import LedgerCheckpoint


def instance_ledger(session: Session, settings: Settings) -> Ledger:
    """The ledger with this instance's signing key and, if configured, its TSA."""
    return Ledger(session, load_log_signer(settings), timestamper_from_settings(settings))


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


def log_shredded(session: Session, case_id: str, role: custody.ActorRole,
                 at: datetime | None = None) -> LeafReceipt:
    """A whole case made unreadable (withdrawal, retention expiry): ids only, no contents."""
    return Ledger(session).append(custody.shredded(case_id, role, _now(at)))


def sign_pending(session: Session, settings: Settings,
                 now: datetime | None = None) -> LedgerCheckpoint | None:
    """Sign a checkpoint if leaves were appended since the last one."""
    return instance_ledger(session, settings).sign_checkpoint_if_due(_now(now))


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
                           "checkpoint": self.checkpoint, "log_key": self.log_key}, indent=2)


def receipt_proof(session: Session, settings: Settings, leaf_index: int) -> ItemProof:
    """Proof of a leaf against the first signed checkpoint that includes it (the one the
    reporter was shown at upload). Raises LedgerError until such a checkpoint exists."""
    ledger = instance_ledger(session, settings)
    checkpoint = ledger.first_checkpoint_covering(leaf_index)
    if checkpoint is None:
        raise LedgerError("no signed checkpoint includes this entry yet")
    proof = ledger.inclusion_proof(leaf_index, checkpoint.size)
    return ItemProof(leaf_index, bytes(ledger.leaf(leaf_index).leaf).decode(),
                     [h.hex() for h in proof], checkpoint.note, checkpoint.verifier_key)
