"""The ledger's witness: the latest signed checkpoint, kept outside the database.

A database restored from an older copy, or edited by someone with write access, can lose its
newest ledger entries and checkpoint rows without any signature breaking: the older state is
still a valid, signed log. So every committed checkpoint is also written to a file elsewhere
(``REMPART_CHECKPOINT_FILE``, default ``<data>/witness/latest-checkpoint``: put it on another
disk or an append-only mount), and the web app, the worker and ``rempart ledger verify`` refuse
a database that is below it: fewer entries than the witness saw, its checkpoint row missing or
with another root, or fewer checkpoint rows up to it than when it was written.

The file is JSON: ``format`` (``rempart-witness/1``), ``checkpoint`` (the C2SP signed note, which
must verify under the log key) and ``checkpoints`` (how many checkpoint rows, up to and including
it, the signing transaction saw: rows only ever get added below it, by slower concurrent
signers, so a smaller count means rows were deleted) and ``audit`` (``seq`` and ``hash`` of the
audit log's hash chain tip then: a chain cut below it shows, see ``store/integrity_tables``).

The file is written after the commit of the transaction that signed the checkpoint (a SQLAlchemy
``after_commit`` hook), atomically (temporary file, fsync, rename) and under a lock, and only ever
moves forward: a crash between the commit and the write leaves it one checkpoint behind, which
is safe; it is never ahead of a committed checkpoint.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from rempart.config import Settings
from rempart.evidence.checkpoint import CheckpointError, NoteVerifier
from rempart.store.integrity_tables import audit_chain_link, audit_chain_tip
from rempart.store.ledger_tables import LedgerCheckpoint

log = structlog.get_logger(__name__)
FORMAT = "rempart-witness/1"
_PENDING = "rempart.witness.pending"
MAX_FILE_BYTES = 1 << 20


class LedgerBehindWitness(Exception):
    """The database is below the checkpoint its witness saw (one line, for the operator)."""


@dataclass(frozen=True)
class WitnessState:
    size: int
    root: bytes
    note: str
    checkpoints: int
    audit: tuple[int, bytes] | None = None  # the audit chain's tip when it was written


def witness_path(settings: Settings) -> Path:
    return settings.checkpoint_file or settings.data_dir / "witness" / "latest-checkpoint"


class CheckpointWitness:
    def __init__(self, path: Path, verifier_key: str) -> None:
        self.path = path
        self.verifier = NoteVerifier.parse(verifier_key)

    def read(self) -> WitnessState | None:
        try:
            with self.path.open("rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LedgerBehindWitness(f"the checkpoint witness {self.path} cannot be read: "
                                      f"{exc.strerror}") from None
        try:
            value = json.loads(raw)
            if value.get("format") != FORMAT:
                raise ValueError("not a rempart-witness/1 file")
            note, count = str(value["checkpoint"]), int(value["checkpoints"])
            checkpoint = self.verifier.open_checkpoint(note)
            audit = value.get("audit")
            tip = (int(audit["seq"]), bytes.fromhex(audit["hash"])) if audit else None
        except (ValueError, KeyError, TypeError, AttributeError, CheckpointError) as exc:
            raise LedgerBehindWitness(f"the checkpoint witness {self.path} is not a checkpoint "
                                      f"signed by this log's key ({exc})") from None
        return WitnessState(checkpoint.size, checkpoint.root, note, count, tip)

    def record(self, note: str, checkpoints: int,
               audit: tuple[int, bytes] | None = None) -> bool:
        """Write ``note`` if it is newer than the file's; True if written."""
        size = self.verifier.open_checkpoint(note).size
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.path.parent / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                current = self.read()
            except LedgerBehindWitness:
                current = None  # unreadable: replaced by a checkpoint that verifies
            if current is not None and (current.size, current.checkpoints) >= (size, checkpoints):
                return False
            value: dict[str, object] = {
                "format": FORMAT, "checkpoint": note,
                "checkpoints": max(checkpoints, current.checkpoints
                                   if current and current.size == size else 0)}
            if current is not None and current.audit is not None and (
                    audit is None or audit[0] < current.audit[0]):
                audit = current.audit  # a slower signer saw an older audit tip
            if audit is not None:
                value["audit"] = {"seq": audit[0], "hash": audit[1].hex()}
            body = json.dumps(value, indent=2) + "\n"
            tmp = self.path.with_name(f".{self.path.name}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
            return True

    def record_after_commit(self, session: Session, row: LedgerCheckpoint) -> None:
        """Write the witness once the transaction that added ``row`` commits (not if it rolls
        back). Counts the checkpoint rows up to it that this transaction sees."""
        count = int(session.scalar(select(func.count()).select_from(LedgerCheckpoint)
                                   .where(LedgerCheckpoint.size <= row.size)) or 0)
        session.info.setdefault(_PENDING, []).append((self, row.note, count,
                                                      audit_chain_tip(session)))

    def check(self, session: Session) -> WitnessState | None:
        """Raise LedgerBehindWitness if the database is below the witness."""
        from rempart.evidence.ledger import Ledger, LedgerError

        state = self.read()
        if state is None:
            return None
        ledger = Ledger(session)
        size = ledger.size()
        where = f"(witness {self.path})"
        if size < state.size:
            raise LedgerBehindWitness(
                f"the custody ledger has {size} entries but a checkpoint of {state.size} was "
                f"signed {where}: the database was rolled back or restored from an older copy "
                "(restore backups with `rempart restore`, which starts a new log epoch)")
        row = ledger.checkpoint_at(state.size)
        if row is None:
            raise LedgerBehindWitness(f"the signed checkpoint of size {state.size} is missing "
                                      f"from the database {where}: a checkpoint row was deleted")
        try:
            root = ledger.root(state.size)
        except LedgerError as exc:
            raise LedgerBehindWitness(f"the custody ledger cannot compute its root at size "
                                      f"{state.size} {where}: {exc}") from None
        if bytes(row.root) != state.root or root != state.root:
            raise LedgerBehindWitness(f"the custody ledger at size {state.size} is not the one "
                                      f"signed {where}: the log was rewritten")
        count = int(session.scalar(select(func.count()).select_from(LedgerCheckpoint)
                                   .where(LedgerCheckpoint.size <= state.size)) or 0)
        if count < state.checkpoints:
            raise LedgerBehindWitness(
                f"{state.checkpoints - count} signed checkpoint(s) up to size {state.size} were "
                f"deleted from the database {where}")
        if (state.audit is not None and state.audit[0] > 0
                and audit_chain_link(session, state.audit[0]) != state.audit[1]):
            raise LedgerBehindWitness(f"the audit log was cut or rewritten below entry "
                                      f"{state.audit[0]} of its chain {where}")
        return state


@event.listens_for(Session, "after_commit")
def _write_pending(session: Session) -> None:
    for witness, note, count, audit in session.info.pop(_PENDING, []):
        try:
            witness.record(note, count, audit)
        except (OSError, CheckpointError) as exc:
            # The checkpoint is committed; the witness stays one step behind (still safe).
            log.error("checkpoint_witness_not_written", reason=exc.__class__.__name__)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
