"""The encrypted evidence vault: an ``EvidenceStore`` over a blob store and wrapped data keys.

Ordering, so that a crash never leaves an acknowledged item unreadable: ``put`` encrypts into a
staged blob, makes it durable and visible (in a unit of work: by the time the unit of work
commits, see below), then adds the wrapped data key row. When the caller
works in a ``VaultUnitOfWork`` (what ``rempart.bootstrap`` builds), the key row joins that unit of
work, so the data key, the evidence row and its custody leaf commit in one transaction or not at
all; a rolled-back upload leaves only keyless ciphertext. Joining is also what makes it work on
SQLite, where a second connection could not write while the unit of work holds the write lock
(the custody ledger appends in it). Without a unit of work (scripts, benchmarks) the key row
commits in its own short transaction before ``put`` returns.

Group commit: inside a unit of work, ``put`` returns once the ciphertext is written; a
background thread fsyncs and renames each blob while the caller encrypts the next file, and the
folder fsync that makes the new names survive a crash waits for the transaction. Just before the
transaction commits (a ``before_commit`` hook, so a direct ``session.commit()`` waits as well),
every background write is awaited, then every distinct folder of the blobs is fsynced once: a
report of ten screenshots in one case folder pays one folder fsync instead of ten. A key, an
evidence row or a custody leaf never commits before its blob's bytes and name are durable; if a
blob or folder fsync fails, nothing commits. The unit of work does not end before its background
writes have, so a caller cleaning up after a failure finds every file in place.

``delete_case`` crypto-shreds in its own transaction, immediately: the data keys are deleted
first, then the blobs best-effort. Copies of the blobs in backups stay ciphertext without a key.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

import structlog
from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from rempart.config import Settings
from rempart.evidence import crypto
from rempart.evidence.blobstores import (
    BlobNotFound,
    BlobStore,
    FilesystemBlobStore,
    NameSync,
    PendingBlob,
    S3BlobStore,
)
from rempart.evidence.interface import EvidenceIntegrityError, EvidenceNotFound, StoredBlob
from rempart.evidence.keys import KeyManager, key_manager_from_settings
from rempart.store.uow import SqlAlchemyUnitOfWork
from rempart.store.vault_tables import VaultKeyRecord

log = structlog.get_logger(__name__)


class _JoinedUnit:
    """What vault writes share with the unit of work they join: its session, and the blobs put
    in it until they are durable. Each blob is fsynced and renamed into place by a background
    thread while the caller encrypts the next file (fsync waits on the disk, not the CPU); just
    before the transaction commits, every one of them is awaited, then each distinct folder is
    fsynced once. A failure there aborts the commit. A rollback keeps all this pending (a
    savepoint's rollback must not drop what the outer key rows need); the unit of work ending
    waits for the background work and forgets the rest, leaving at worst keyless blobs."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.publishing: list[Future[NameSync]] = []
        self.name_syncs: dict[NameSync, None] = {}  # an ordered set: one run per folder
        self._publisher: ThreadPoolExecutor | None = None
        event.listen(session, "before_commit", self._make_blobs_durable)

    def publish(self, pending: PendingBlob) -> None:
        if self._publisher is None:  # one thread per unit of work: nothing to share or fork
            self._publisher = ThreadPoolExecutor(1, thread_name_prefix="vault-publish")
        self.publishing.append(self._publisher.submit(_publish_or_abort, pending))

    def _make_blobs_durable(self, session: Session) -> None:
        while self.publishing:  # raising aborts the commit: no key row without its blob
            self.name_syncs[self.publishing[0].result()] = None
            self.publishing.pop(0)
        for sync in list(self.name_syncs):
            sync()
            del self.name_syncs[sync]

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.shutdown(wait=True)  # no write outlives the unit of work


def _publish_or_abort(pending: PendingBlob) -> NameSync:
    try:
        return pending.publish()
    except BaseException:
        pending.abort()
        raise


# The unit of work the current code runs in, if the vault can join it.
_joined: ContextVar[_JoinedUnit | None] = ContextVar("rempart_vault_unit", default=None)


class VaultUnitOfWork(SqlAlchemyUnitOfWork):
    """A SQL unit of work that vault writes join: data keys commit with the evidence rows, and
    the blobs' folders are fsynced once per transaction, just before it commits."""

    _vault_tokens: list[Token[_JoinedUnit | None]]

    def __enter__(self) -> Self:
        super().__enter__()
        assert self.session is not None
        self.__dict__.setdefault("_vault_tokens", []).append(
            _joined.set(_JoinedUnit(self.session)))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        joined = _joined.get()
        try:
            if joined is not None:
                joined.close()
        finally:
            try:
                super().__exit__(exc_type, exc, tb)
            finally:
                _joined.reset(self._vault_tokens.pop())


def _blob_name(case_id: str, item_id: str) -> str:
    return f"{case_id}/{item_id}"


class EncryptedVault:
    def __init__(self, blobs: BlobStore, keys: KeyManager, session_factory: sessionmaker[Session],
                 segment_size: int = crypto.SEGMENT_SIZE) -> None:
        self.blobs, self.keys, self.sessions = blobs, keys, session_factory
        self.segment_size = segment_size

    def put(self, case_id: str, item_id: str, source: BinaryIO) -> StoredBlob:
        name = _blob_name(case_id, item_id)
        if self.blobs.exists(name):  # never overwrite stored evidence, whatever the caller
            raise ValueError("an item with this id is already stored")
        data_key = crypto.new_data_key()
        joined = _joined.get()
        pending = self.blobs.begin(name)
        try:
            sealed = crypto.encrypt_stream(data_key, item_id, source, pending.write,
                                           self.segment_size)
        except BaseException:
            pending.abort()
            raise
        if joined is None:
            _publish_or_abort(pending)()
        else:  # durable in the background, awaited before the transaction commits
            joined.publish(pending)
        self._save_key(case_id, item_id, data_key, sealed, joined)
        return StoredBlob(item_id=item_id, sha256=sealed.sha256, size=sealed.size)

    def _save_key(self, case_id: str, item_id: str, data_key: bytes,
                  sealed: crypto.SealedSummary, joined: _JoinedUnit | None) -> None:
        key_id = self.keys.active_key_id()
        row = VaultKeyRecord(item_id=item_id, case_id=case_id, master_key_id=key_id,
                             wrapped_key=self.keys.wrap(key_id, data_key), sha256=sealed.sha256,
                             size=sealed.size, created_at=datetime.now(UTC))
        if joined is not None:
            # Flushed with the unit of work's other rows, in one batch; a duplicate id fails
            # there, still before the caller commits and acknowledges anything.
            joined.session.add(row)
            return
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


@dataclass(frozen=True)
class SweepReport:
    incoming: int  # interrupted writes removed (temporary files, multipart uploads)
    keyless: int  # blobs whose key row never committed (a write killed before its commit)


SWEEP_GRACE_SECONDS = 3600
_SWEEP_BATCH = 500


def sweep_orphans(blobs: BlobStore, session_factory: sessionmaker[Session],
                  older_than_seconds: float = SWEEP_GRACE_SECONDS) -> SweepReport:
    """Remove what a killed write leaves: interrupted writes and blobs without a data key row,
    all older than the grace period (a younger one may belong to a transaction still running
    in another process). A blob whose key row exists is committed evidence: never touched."""
    import time

    incoming = blobs.sweep_incoming(older_than_seconds)
    before = time.time() - older_than_seconds
    keyless = 0
    names = list(blobs.committed_before(before))
    for start in range(0, len(names), _SWEEP_BATCH):
        batch = names[start:start + _SWEEP_BATCH]
        with session_factory() as session:
            keyed = {(case_id, item_id) for case_id, item_id in session.execute(
                select(VaultKeyRecord.case_id, VaultKeyRecord.item_id)
                .where(VaultKeyRecord.item_id.in_([n.split("/")[1] for n in batch])))}
        for name in batch:
            case_id, item_id = name.split("/")
            if (case_id, item_id) not in keyed:
                blobs.delete(name)
                keyless += 1
    if incoming or keyless:
        log.info("vault.swept", incoming=incoming, keyless=keyless)
    return SweepReport(incoming, keyless)


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
    from rempart.store.vault_tables import CaseTextKeyRecord

    new_id = keys.create_key()
    rewrapped = 0
    # Evidence keys, then the cases' text keys (rempart.evidence.sealed): both wrapped by the
    # master keys about to be destroyed.
    wrapped: list[tuple[Any, Any]] = [
        (VaultKeyRecord, VaultKeyRecord.item_id), (CaseTextKeyRecord, CaseTextKeyRecord.case_id)]
    for model, order in wrapped:
        while True:
            with session_factory() as session:
                rows = session.scalars(select(model).where(model.master_key_id != new_id)
                                       .order_by(order).limit(batch)).all()
                for row in rows:
                    data_key = keys.unwrap(row.master_key_id, row.wrapped_key)
                    row.wrapped_key, row.master_key_id = keys.wrap(new_id, data_key), new_id
                session.commit()
            rewrapped += len(rows)
            if not rows:  # an empty pass also catches keys wrapped under the old one meanwhile
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



def blob_store_for(settings: Settings) -> BlobStore:
    """``REMPART_BLOB_STORE=fs`` (default: ``<data>/vault``) or ``s3`` (``REMPART_S3_*``)."""
    if settings.blob_store == "s3":
        return S3BlobStore.connect(settings.s3_endpoint_url, settings.s3_bucket,
                                   settings.s3_region)
    if settings.blob_store != "fs":
        raise ValueError("REMPART_BLOB_STORE must be fs or s3")
    store = FilesystemBlobStore(settings.ensure_data_dir() / "vault")
    store.sweep_incoming()
    return store


def vault_from_settings(settings: Settings, session_factory: sessionmaker[Session]
                        ) -> EncryptedVault:
    """The vault; it also registers, for the session factory's engine, the keyring that seals
    case text at rest (``rempart.evidence.sealed``) under the same master keys."""
    from rempart.evidence.sealed import TextKeyring, register_keyring

    keys = key_manager_from_settings(settings)
    engine = session_factory.kw.get("bind")
    if engine is not None:
        register_keyring(engine, TextKeyring(keys, settings.secret_bytes("blind_index_key")))
    restrict_database_file(settings)
    return EncryptedVault(blob_store_for(settings), keys, session_factory)


def restrict_database_file(settings: Settings) -> None:
    """The SQLite database and its WAL files readable by the instance's user only (0600); SQLite
    gives new WAL files the database file's mode."""
    url = settings.resolved_database_url
    if not url.startswith("sqlite:///"):
        return
    database = Path(url.removeprefix("sqlite:///"))
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, 0o600)
