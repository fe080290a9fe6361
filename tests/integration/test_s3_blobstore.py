"""S3BlobStore and the vault against a real S3-compatible server (moto_server in a subprocess,
speaking HTTP on a free local port), including multipart uploads and streamed reads."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from rempart.evidence.blobstores import PART_SIZE, BlobNotFound, S3BlobStore
from rempart.evidence.interface import EvidenceIntegrityError, EvidenceNotFound
from rempart.evidence.keys import FileKeyManager
from rempart.evidence.vault import EncryptedVault
from rempart.store.db import make_engine, make_session_factory


@pytest.fixture
def store(endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    bucket = f"evidence-{os.urandom(4).hex()}"
    return S3BlobStore.connect(endpoint, bucket, "us-east-1", create_bucket=True)


def _write(store: S3BlobStore, name: str, data: bytes, step: int = 1_000_003) -> None:
    pending = store.begin(name)
    for i in range(0, len(data), step):
        pending.write(data[i:i + step])
    pending.commit()


def test_it_stores_small_and_multipart_blobs_and_streams_them_back(store):
    small, large = os.urandom(1000), os.urandom(2 * PART_SIZE + 12345)
    _write(store, "case-1/small", small)
    _write(store, "case-1/large", large)
    assert b"".join(store.read("case-1/small")) == small
    chunks = list(store.read("case-1/large"))
    assert len(chunks) > 1 and b"".join(chunks) == large
    parts = store.client.head_object(Bucket=store.bucket, Key="case-1/large")["ETag"]
    assert parts.strip('"').endswith("-3")  # really sent as a three-part upload


def test_nothing_is_visible_before_commit_and_an_abort_leaves_nothing(store):
    pending = store.begin("case-1/item")
    pending.write(os.urandom(PART_SIZE + 10))  # one part already uploaded
    assert not store.exists("case-1/item")
    pending.abort()
    assert not store.exists("case-1/item")
    uploads = store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    assert uploads == []
    with pytest.raises(BlobNotFound):
        store.read("case-1/item")


def test_it_deletes_a_case_prefix_only(store):
    for name in ("case-1/a", "case-1/b", "case-2/a"):
        _write(store, name, b"x")
    store.delete_prefix("case-1/")
    assert not store.exists("case-1/a") and not store.exists("case-1/b")
    assert store.exists("case-2/a")


def test_it_refuses_unsafe_names(store):
    for name in ("../x", "case/../../x", "case-1", "a/b/c"):
        with pytest.raises(ValueError):
            store.begin(name)


def test_the_vault_round_trips_tampering_and_shreds_over_s3(store, migrated_url, tmp_path):
    engine = make_engine(migrated_url)
    try:
        vault = EncryptedVault(store, FileKeyManager(tmp_path / "keys"),
                               make_session_factory(engine))
        video = os.urandom(PART_SIZE + 3 * 1024 * 1024 + 7)
        stored = vault.put("case-1", "item-1", io.BytesIO(video))
        assert stored.sha256 == hashlib.sha256(video).hexdigest()
        assert b"".join(vault.open("case-1", "item-1")) == video
        blob = b"".join(store.read("case-1/item-1"))
        tampered = bytearray(blob)
        tampered[len(blob) // 2] ^= 0x80
        store.client.put_object(Bucket=store.bucket, Key="case-1/item-1", Body=bytes(tampered))
        with pytest.raises(EvidenceIntegrityError):
            vault.open("case-1", "item-1")
        vault.delete_case("case-1")
        with pytest.raises(EvidenceNotFound):
            vault.open("case-1", "item-1")
        assert not store.exists("case-1/item-1")
    finally:
        engine.dispose()


def test_rempart_blob_store_s3_builds_the_vault_over_s3(store, endpoint, migrated_url, tmp_path):
    from rempart.config import Settings
    from rempart.evidence.vault import vault_from_settings

    settings = Settings(data_dir=tmp_path / "data", database_url=migrated_url, blob_store="s3",
                        s3_endpoint_url=endpoint, s3_bucket=store.bucket)
    engine = make_engine(migrated_url)
    try:
        vault = vault_from_settings(settings, make_session_factory(engine))
        assert isinstance(vault.blobs, S3BlobStore)
        vault.put("case-9", "item-9", io.BytesIO(b"capture"))
        assert store.exists("case-9/item-9")
        assert b"".join(vault.open("case-9", "item-9")) == b"capture"
        assert not (tmp_path / "data" / "vault").exists()
    finally:
        engine.dispose()
