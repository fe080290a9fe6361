"""The encrypted evidence vault: an ``EvidenceStore`` over a blob store and wrapped data keys.

Ordering, so that a crash never leaves an acknowledged item unreadable: ``put`` encrypts into a
staged blob, then commits the wrapped data key in its own short transaction, then makes the blob
visible, and only then returns; the caller's unit of work commits the evidence row afterwards.
An evidence row therefore always has its key and its blob. A crash in between leaves at most a
key row without an evidence row (invisible, removed by ``sweep_orphans``) or a staged blob that
no reader sees. The key is committed separately (not in the caller's transaction) because the
``EvidenceStore`` interface does not carry the unit of work; doing it first is what keeps the
invariant.

``delete_case`` crypto-shreds: the data keys are deleted first (committed), then the blobs
best-effort. Copies of the blobs in backups stay ciphertext without a key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from rempart.evidence import crypto
from rempart.evidence.blobstores import BlobNotFound, BlobStore
from rempart.evidence.interface import EvidenceIntegrityError, EvidenceNotFound, StoredBlob
from rempart.evidence.keys import KeyManager
from rempart.store.vault_tables import VaultKeyRecord

log = structlog.get_logger(__name__)


def _blob_name(case_id: str, item_id: str) -> str:
    return f"{case_id}/{item_id}"


class EncryptedVault:
    def __init__(self, blobs: BlobStore, keys: KeyManager, session_factory: sessionmaker[Session],
                 segment_size: int = crypto.SEGMENT_SIZE) -> None:
        self.blobs, self.keys, self.sessions = blobs, keys, session_factory
        self.segment_size = segment_size

    def put(self, case_id: str, item_id: str, source: BinaryIO) -> StoredBlob:
        data_key = crypto.new_data_key()
        pending = self.blobs.begin(_blob_name(case_id, item_id))
        try:
            sealed = crypto.encrypt_stream(data_key, item_id, source, pending.write,
                                           self.segment_size)
            self._save_key(case_id, item_id, data_key, sealed)
            pending.commit()
        except BaseException:
            pending.abort()
            raise
        return StoredBlob(item_id=item_id, sha256=sealed.sha256, size=sealed.size)

    def _save_key(self, case_id: str, item_id: str, data_key: bytes,
                  sealed: crypto.SealedSummary) -> None:
        key_id = self.keys.active_key_id()
        row = VaultKeyRecord(item_id=item_id, case_id=case_id, master_key_id=key_id,
                             wrapped_key=self.keys.wrap(key_id, data_key), sha256=sealed.sha256,
                             size=sealed.size, created_at=datetime.now(UTC))
        with self.sessions() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                raise ValueError("an item with this id is already stored") from None

    def _key_for(self, case_id: str, item_id: str) -> tuple[bytes, str]:
        with self.sessions() as session:
            row = session.get(VaultKeyRecord, item_id)
        if row is None or row.case_id != case_id:
            raise EvidenceNotFound(item_id)
        return self.keys.unwrap(row.master_key_id, row.wrapped_key), row.sha256

    def open(self, case_id: str, item_id: str) -> Iterator[bytes]:
        key, digest = self._key_for(case_id, item_id)
        name = _blob_name(case_id, item_id)
        # Authenticate the whole blob first, so that a truncated or altered item is refused
        # before a single byte of it reaches an export or a viewer.
        try:
            crypto.verify_stream(key, item_id, digest, self.blobs.read(name))
        except BlobNotFound:
            raise EvidenceIntegrityError(f"missing bytes for item {item_id}") from None
        return crypto.decrypt_stream(key, item_id, digest, self.blobs.read(name))

    def delete_case(self, case_id: str) -> None:
        with self.sessions() as session:
            session.execute(delete(VaultKeyRecord).where(VaultKeyRecord.case_id == case_id))
            session.commit()
        try:
            self.blobs.delete_prefix(f"{case_id}/")
        except OSError as exc:  # the keys are gone: leftover ciphertext is unreadable
            log.warning("vault.blob_delete_failed", case_id=case_id, error=type(exc).__name__)

    def sweep_orphans(self, known_item_ids: set[str], older_than: datetime) -> int:
        """Delete the keys of items the caller does not know that were saved before
        ``older_than``: puts a crash interrupted after the key was saved but before the evidence
        row was committed. Their blobs, if any, stay as unreadable ciphertext. The age limit
        keeps uploads still in flight safe."""
        with self.sessions() as session:
            rows = session.execute(select(VaultKeyRecord.item_id, VaultKeyRecord.created_at)
                                   ).all()
            orphans = [item_id for item_id, created in rows if item_id not in known_item_ids
                       and _aware(created) < older_than]
            for item_id in orphans:
                session.execute(delete(VaultKeyRecord).where(VaultKeyRecord.item_id == item_id))
            session.commit()
        return len(orphans)


@dataclass(frozen=True)
class RotationReport:
    new_key_id: str
    rewrapped: int
    destroyed_key_ids: list[str]


def rotate_master_key(keys: KeyManager, session_factory: sessionmaker[Session],
                      batch: int = 500) -> RotationReport:
    """Create a new master key, re-wrap every data key under it (blobs untouched), then destroy
    the old keys. Each batch commits on its own, so an interrupted rotation resumes where it
    stopped; old keys are destroyed only once no row needs them."""
    new_id = keys.create_key()
    rewrapped = 0
    while True:
        with session_factory() as session:
            rows = session.scalars(select(VaultKeyRecord)
                                   .where(VaultKeyRecord.master_key_id != new_id)
                                   .order_by(VaultKeyRecord.item_id).limit(batch)).all()
            for row in rows:
                data_key = keys.unwrap(row.master_key_id, row.wrapped_key)
                row.wrapped_key, row.master_key_id = keys.wrap(new_id, data_key), new_id
            session.commit()
        rewrapped += len(rows)
        if not rows:  # an empty pass also catches puts that wrapped under the old key meanwhile
            break
    destroyed = [k for k in keys.key_ids() if k != new_id]
    for key_id in destroyed:
        keys.destroy_key(key_id)
    return RotationReport(new_key_id=new_id, rewrapped=rewrapped, destroyed_key_ids=destroyed)


def key_usage(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Data keys per master key id."""
    with session_factory() as session:
        rows = session.execute(select(VaultKeyRecord.master_key_id, func.count())
                               .group_by(VaultKeyRecord.master_key_id)).all()
    return {key_id: count for key_id, count in rows}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
