"""What a killed write leaves in the vault (issue 12.12): interrupted writes (``.incoming-`` files,
unfinished S3 multipart uploads) and blobs whose key row never committed. They are swept at
start (web app, worker) and hourly by the worker, once older than the grace period; committed
evidence is never touched. Filesystem and S3 (a real moto_server)."""

from __future__ import annotations

import io
import os
import time

import pytest

from rempart.config import Settings
from rempart.evidence.blobstores import PART_SIZE, FilesystemBlobStore, S3BlobStore
from rempart.evidence.keys import FileKeyManager
from rempart.evidence.vault import EncryptedVault, VaultUnitOfWork, sweep_orphans
from rempart.services.integrity import check_at_start
from rempart.store.db import make_engine, make_session_factory
from tests.integration.test_vault import PNG, submit

OLD = time.time() - 2 * 3600


class Killed(Exception):
    """Stands for the SIGKILL: the unit of work ends without its commit."""


def _killed_put(vault: EncryptedVault, sessions, case_id: str, item_id: str) -> None:
    """``vault.put`` in a unit of work that never commits: exactly what a CLI `evidence add`
    killed after writing the blob leaves (ciphertext published, no key row)."""
    with pytest.raises(Killed), VaultUnitOfWork(sessions):
        vault.put(case_id, item_id, io.BytesIO(PNG))
        raise Killed


def _age(path) -> None:
    os.utime(path, (OLD, OLD))


def test_it_sweeps_incoming_files_and_keyless_blobs_but_never_committed_evidence(services):
    vault = services.store
    committed = submit(services, PNG)
    item = committed.receipts[0].item_id
    root = services.settings.data_dir / "vault"
    _killed_put(vault, services.session_factory, "case-killed", "item-killed")
    _killed_put(vault, services.session_factory, "case-recent", "item-recent")
    interrupted = vault.blobs.begin("case-killed/other")
    interrupted.write(b"half a blob")
    leftovers = list(root.glob("case-killed/.incoming-*"))
    assert len(leftovers) == 1 and (root / "case-killed" / "item-killed").is_file()
    for path in [*leftovers, root / "case-killed" / "item-killed",
                 root / committed.case_id / item]:
        _age(path)
    report = sweep_orphans(vault.blobs, services.session_factory)
    assert (report.incoming, report.keyless) == (1, 1)
    assert not (root / "case-killed").exists()  # emptied, then removed
    assert (root / "case-recent" / "item-recent").is_file()  # within the grace period
    assert b"".join(vault.open(committed.case_id, item)) == PNG  # committed: untouched


def test_the_web_app_start_sweeps(services):
    from rempart.web.app import create_app

    _killed_put(services.store, services.session_factory, "case-killed", "item-killed")
    blob = services.settings.data_dir / "vault" / "case-killed" / "item-killed"
    _age(blob)
    create_app(services.settings)
    assert not blob.exists()


def test_the_worker_sweeps_hourly(services, monkeypatch):
    from rempart.config import get_settings
    from rempart.jobs.checkpoints import sweep_vault_orphans

    _killed_put(services.store, services.session_factory, "case-killed", "item-killed")
    _age(services.settings.data_dir / "vault" / "case-killed" / "item-killed")
    monkeypatch.setenv("REMPART_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("REMPART_DATABASE_URL", services.settings.resolved_database_url)
    get_settings.cache_clear()
    try:
        assert sweep_vault_orphans() == (0, 1)
    finally:
        get_settings.cache_clear()


@pytest.fixture
def s3_settings(endpoint, migrated_url, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    monkeypatch.delenv("REMPART_MASTER_KEY_FILE", raising=False)
    bucket = f"evidence-{os.urandom(4).hex()}"
    S3BlobStore.connect(endpoint, bucket, "us-east-1", create_bucket=True)
    return Settings(data_dir=tmp_path / "data", database_url=migrated_url, blob_store="s3",
                    s3_endpoint_url=endpoint, s3_bucket=bucket)


def test_it_sweeps_unfinished_uploads_and_keyless_objects_on_s3(s3_settings):
    engine = make_engine(s3_settings.resolved_database_url)
    sessions = make_session_factory(engine)
    try:
        blobs = S3BlobStore.connect(s3_settings.s3_endpoint_url, s3_settings.s3_bucket,
                                    "us-east-1")
        vault = EncryptedVault(blobs, FileKeyManager(s3_settings.data_dir / "keys"), sessions)
        vault.put("case-ok", "item-ok", io.BytesIO(PNG))  # committed (own transaction)
        _killed_put(vault, sessions, "case-killed", "item-killed")
        unfinished = blobs.begin("case-killed/big")
        unfinished.write(os.urandom(PART_SIZE + 10))  # one part sent, never completed
        assert blobs.client.list_multipart_uploads(Bucket=blobs.bucket).get("Uploads")
        # Within the grace period the keyless object stays (S3 times cannot be set back: the
        # test moves the grace period instead). moto_server dates every multipart upload
        # 2010-11-10, so the unfinished one is already past any grace period.
        first = sweep_orphans(blobs, sessions)
        assert (first.incoming, first.keyless) == (1, 0)
        assert blobs.exists("case-killed/item-killed")
        assert not blobs.client.list_multipart_uploads(Bucket=blobs.bucket).get("Uploads")
        report = sweep_orphans(blobs, sessions, older_than_seconds=-60)
        assert (report.incoming, report.keyless) == (0, 1)
        assert not blobs.exists("case-killed/item-killed")
        assert b"".join(vault.open("case-ok", "item-ok")) == PNG
    finally:
        engine.dispose()


def test_start_up_sweeps_the_configured_s3_store(s3_settings):
    from rempart.evidence.vault import vault_from_settings
    from rempart.store import migrate

    migrate.upgrade(s3_settings.resolved_database_url)
    engine = make_engine(s3_settings.resolved_database_url)
    sessions = make_session_factory(engine)
    try:
        vault = vault_from_settings(s3_settings, sessions)
        _killed_put(vault, sessions, "case-killed", "item-killed")
        assert vault.blobs.exists("case-killed/item-killed")
        check_at_start(s3_settings)  # too recent: kept
        assert vault.blobs.exists("case-killed/item-killed")
    finally:
        engine.dispose()


def test_a_filesystem_blob_with_its_key_is_kept_even_when_old(tmp_path, services):
    store = services.store.blobs
    assert isinstance(store, FilesystemBlobStore)
    report = submit(services, PNG, PNG + b"2")
    for receipt in report.receipts:
        _age(services.settings.data_dir / "vault" / report.case_id / receipt.item_id)
    assert sweep_orphans(store, services.session_factory).keyless == 0
