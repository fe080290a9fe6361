"""Group commit in the vault: inside a unit of work, the folder fsync that makes a blob's name
durable runs once per folder, after every rename into it (the blobs are fsynced and renamed by a
background thread, awaited first) and before the SQL commit that makes its data key (and
evidence row, and custody leaf) visible. A failed fsync commits nothing; a rolled-back unit of
work commits nothing. Outside a unit of work the fsync is immediate. The
report's custody "received" leaves are appended in one batch, in file order."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from rempart.domain import custody
from rempart.evidence import blobstores, custody_log
from rempart.evidence.blobstores import S3BlobStore
from rempart.evidence.interface import EvidenceNotFound
from rempart.evidence.keys import FileKeyManager
from rempart.evidence.ledger import Ledger
from rempart.evidence.vault import EncryptedVault, VaultUnitOfWork
from rempart.store.ledger_tables import LedgerLeaf
from rempart.store.tables import EvidenceRecord
from rempart.store.vault_tables import VaultKeyRecord
from tests.integration.test_vault import PNG, submit


@pytest.fixture
def journal(services, monkeypatch):
    """The folder fsyncs (with the blob names the folder then held) and SQL commits, in order."""
    events: list[tuple[str, Path | None, frozenset[str]]] = []
    real_fsync_dir = blobstores.fsync_dir

    def recording_fsync_dir(folder: Path) -> None:
        names = frozenset(p.name for p in Path(folder).iterdir() if not p.name.startswith("."))
        real_fsync_dir(folder)
        events.append(("fsync_dir", Path(folder), names))

    def recording_commit(connection: object) -> None:
        events.append(("commit", None, frozenset()))

    monkeypatch.setattr(blobstores, "fsync_dir", recording_fsync_dir)
    event.listen(services.engine, "commit", recording_commit)
    return events


def vault_root(services) -> Path:
    return Path(os.path.realpath(services.settings.data_dir / "vault"))


def count(services, table) -> int:
    with services.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_report_fsyncs_its_folder_once_after_every_rename_and_before_the_commit(
        services, journal):
    report = submit(services, PNG, PNG + b"2", PNG + b"3")
    folder, root = vault_root(services) / report.case_id, vault_root(services)
    first_commit = [kind for kind, _, _ in journal].index("commit")
    folder_syncs = [(i, names) for i, (kind, path, names) in enumerate(journal)
                    if kind == "fsync_dir" and path == folder]
    assert len(folder_syncs) == 1  # one for the three blobs: the group commit
    position, names_then = folder_syncs[0]
    assert position < first_commit
    assert names_then == {r.item_id for r in report.receipts}  # every rename came before it
    root_syncs = [i for i, (kind, path, _) in enumerate(journal)
                  if kind == "fsync_dir" and path == root]
    assert root_syncs and root_syncs[0] < first_commit  # the new case folder's own entry
    assert count(services, VaultKeyRecord) == 3


def test_a_direct_session_commit_waits_for_the_folder_fsync_too(services, journal):
    with services.uow() as uow:
        services.store.put("case-d", "item-1", io.BytesIO(b"one"))
        services.store.put("case-d", "item-2", io.BytesIO(b"two"))
        assert not any(kind == "fsync_dir" and path == vault_root(services) / "case-d"
                       for kind, path, _ in journal)  # deferred while the unit of work runs
        uow.session.commit()
    kinds = [(kind, path) for kind, path, _ in journal]
    assert kinds.index(("fsync_dir", vault_root(services) / "case-d")) < kinds.index(
        ("commit", None))
    assert b"".join(services.store.open("case-d", "item-2")) == b"two"


def test_a_failed_folder_fsync_commits_nothing(services, monkeypatch):
    real_fsync_dir = blobstores.fsync_dir
    root = vault_root(services)

    def failing_for_case_folders(folder: Path) -> None:
        if Path(folder).parent == root:
            raise OSError(5, "Input/output error")
        real_fsync_dir(folder)

    monkeypatch.setattr(blobstores, "fsync_dir", failing_for_case_folders)
    with pytest.raises(OSError):
        submit(services, PNG, PNG + b"2")
    for table in (VaultKeyRecord, EvidenceRecord, LedgerLeaf):
        assert count(services, table) == 0
    assert not [p for p in root.rglob("*") if p.is_file()]  # submit_report cleaned up


def test_a_failed_blob_fsync_in_the_background_commits_nothing(services, monkeypatch):
    real_fsync = os.fsync

    def failing_for_files(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(blobstores.os, "fsync", failing_for_files)
    with pytest.raises(OSError):
        submit(services, PNG, PNG + b"2")
    monkeypatch.setattr(blobstores.os, "fsync", real_fsync)
    for table in (VaultKeyRecord, EvidenceRecord, LedgerLeaf):
        assert count(services, table) == 0
    assert not [p for p in vault_root(services).rglob("*") if p.is_file()]  # nor .incoming-


def test_a_rolled_back_unit_of_work_commits_nothing_and_syncs_no_folder(services, journal):
    with services.uow():
        services.store.put("case-r", "item-1", io.BytesIO(b"rolled back"))
    assert [kind for kind, path, _ in journal
            if kind == "commit" or path == vault_root(services) / "case-r"] == []
    assert count(services, VaultKeyRecord) == 0
    with pytest.raises(EvidenceNotFound):  # a keyless blob at most: unreadable
        services.store.open("case-r", "item-1")


def test_outside_a_unit_of_work_put_syncs_the_folder_before_its_key_commits(services, journal):
    services.store.put("case-o", "item-1", io.BytesIO(b"alone"))
    kinds = [(kind, path) for kind, path, _ in journal]
    assert kinds.index(("fsync_dir", vault_root(services) / "case-o")) < kinds.index(
        ("commit", None))
    assert count(services, VaultKeyRecord) == 1


def test_over_s3_the_keys_commit_with_the_unit_of_work(services, endpoint, tmp_path,
                                                       monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    blobs = S3BlobStore.connect(endpoint, f"evidence-{os.urandom(4).hex()}", "us-east-1",
                                create_bucket=True)
    vault = EncryptedVault(blobs, FileKeyManager(tmp_path / "keys"), services.session_factory)
    with VaultUnitOfWork(services.session_factory) as uow:
        vault.put("case-s", "item-1", io.BytesIO(b"over s3"))
        vault.put("case-s", "item-2", io.BytesIO(b"over s3 too"))
        uow.commit()
    assert blobs.exists("case-s/item-1") and blobs.exists("case-s/item-2")
    assert b"".join(vault.open("case-s", "item-2")) == b"over s3 too"
    assert count(services, VaultKeyRecord) == 2


def test_a_reports_received_leaves_are_one_batch_in_file_order(services):
    report = submit(services, PNG, PNG + b"2", PNG + b"3")
    indexes = [r.leaf_index for r in report.receipts]
    assert indexes == list(range(indexes[0], indexes[0] + 3))
    with services.session_factory() as session:
        events = [custody.CustodyEvent.from_leaf(bytes(leaf.leaf))
                  for leaf in Ledger(session).case_leaves(report.case_id)]
    assert [(e.action, e.item_id, e.sha256) for e in events] == [
        (custody.CustodyAction.RECEIVED, r.item_id, r.sha256) for r in report.receipts]
    assert custody_log.items_received(None, "case", [("a", "0" * 64), ("b", "1" * 64)]) == [
        None, None]
