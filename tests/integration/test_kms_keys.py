"""AwsKmsKeyManager against a real KMS-compatible server (moto_server in a subprocess, over HTTP):
wrapping, the vault on both engines, rotation with old keys disabled and scheduled for
deletion, tampering, and ``rempart keys`` with REMPART_KEY_MANAGER=aws-kms.

Each test uses its own alias: keys are tagged with it, so tests sharing the server never see
each other's keys (as two deployments sharing an account would not)."""

from __future__ import annotations

import hashlib
import io
import json
import os

import pytest

from rempart.config import Settings
from rempart.evidence.blobstores import FilesystemBlobStore
from rempart.evidence.interface import EvidenceIntegrityError
from rempart.evidence.keys import KeyManagerError
from rempart.evidence.kms import AwsKmsKeyManager
from rempart.evidence.vault import EncryptedVault, key_usage, rotate_master_key
from tests.cli_support import invoke_rempart

REGION = "eu-west-3"


@pytest.fixture
def aws_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.delenv("REMPART_MASTER_KEY_FILE", raising=False)


@pytest.fixture
def alias() -> str:
    return f"alias/rempart-test-{os.urandom(4).hex()}"


@pytest.fixture
def kms(endpoint, aws_env, alias) -> AwsKmsKeyManager:
    return AwsKmsKeyManager.connect(endpoint, REGION, alias)


def test_first_use_creates_a_tagged_key_behind_the_alias_and_wraps_round_trip(kms):
    active = kms.active_key_id()
    assert kms.active_key_id() == active and kms.key_ids() == [active]
    assert kms.client.describe_key(KeyId=kms.alias)["KeyMetadata"]["KeyId"] == active
    data_key = os.urandom(32)
    wrapped = kms.wrap(active, data_key)
    assert data_key not in wrapped
    assert kms.unwrap(active, wrapped) == data_key


def test_an_altered_or_misattributed_wrapped_key_is_refused(kms):
    first = kms.active_key_id()
    wrapped = kms.wrap(first, os.urandom(32))
    for position in (len(wrapped) // 2, len(wrapped) - 1):
        altered = bytearray(wrapped)
        altered[position] ^= 0x01
        with pytest.raises(EvidenceIntegrityError, match=first):
            kms.unwrap(first, bytes(altered))
    second = kms.create_key()
    # AWS answers IncorrectKeyException (an integrity error here); moto answers AccessDenied.
    with pytest.raises((EvidenceIntegrityError, KeyManagerError), match=second):
        kms.unwrap(second, wrapped)
    # The encryption context binds the purpose: the same key's ciphertext for anything else
    # does not unwrap as a data key.
    foreign = kms.client.encrypt(KeyId=first, Plaintext=os.urandom(32))["CiphertextBlob"]
    with pytest.raises(EvidenceIntegrityError):
        kms.unwrap(first, foreign)
    with pytest.raises(KeyManagerError, match="not a KMS key id"):
        kms.unwrap("mk-0123456789abcdef", wrapped)


def test_the_vault_puts_and_opens_items_with_kms_keys(kms, sessions, tmp_path):
    vault = EncryptedVault(FilesystemBlobStore(tmp_path / "blobs"), kms, sessions,
                           segment_size=1000)
    payload = os.urandom(5000)
    stored = vault.put("case-1", "item-1", io.BytesIO(payload))
    assert stored.sha256 == hashlib.sha256(payload).hexdigest()
    assert b"".join(vault.open("case-1", "item-1")) == payload
    assert key_usage(sessions) == {kms.active_key_id(): 1}


def test_rotation_rewraps_under_a_new_kms_key_and_retires_the_old_one(kms, sessions,
                                                                      tmp_path):
    vault = EncryptedVault(FilesystemBlobStore(tmp_path / "blobs"), kms, sessions)
    payloads = {f"item-{i}": os.urandom(2000) for i in range(3)}
    for item, payload in payloads.items():
        vault.put("case-1", item, io.BytesIO(payload))
    old = kms.active_key_id()
    old_wrapped = kms.wrap(old, os.urandom(32))
    blobs = {p.name: p.read_bytes() for p in (tmp_path / "blobs" / "case-1").iterdir()}

    report = rotate_master_key(kms, sessions, batch=2)

    assert report.rewrapped == 3 and report.destroyed_key_ids == [old]
    assert kms.key_ids() == [report.new_key_id] == [kms.active_key_id()]
    assert key_usage(sessions) == {report.new_key_id: 3}
    for item, payload in payloads.items():
        assert b"".join(vault.open("case-1", item)) == payload
    assert {p.name: p.read_bytes() for p in (tmp_path / "blobs" / "case-1").iterdir()} == blobs
    metadata = kms.client.describe_key(KeyId=old)["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion" and not metadata["Enabled"]
    with pytest.raises(KeyManagerError, match="PendingDeletion"):
        kms.unwrap(old, old_wrapped)
    with pytest.raises(KeyManagerError, match="active master key"):
        kms.destroy_key(report.new_key_id)


def test_it_never_destroys_a_key_that_is_not_its_own(kms, endpoint, aws_env):
    kms.active_key_id()
    neighbour = AwsKmsKeyManager.connect(endpoint, REGION, kms.alias + "-neighbour")
    theirs = neighbour.active_key_id()
    assert theirs not in kms.key_ids()
    with pytest.raises(KeyManagerError, match="not a Rempart master key"):
        kms.destroy_key(theirs)
    assert neighbour.client.describe_key(KeyId=theirs)["KeyMetadata"]["KeyState"] == "Enabled"


def test_rempart_key_manager_aws_kms_builds_the_vault(endpoint, aws_env, alias, migrated_url,
                                                      sessions, tmp_path):
    from rempart.evidence.vault import vault_from_settings

    settings = Settings(data_dir=tmp_path / "data", database_url=migrated_url,
                        key_manager="aws-kms", kms_endpoint_url=endpoint, kms_region=REGION,
                        kms_alias=alias)
    vault = vault_from_settings(settings, sessions)
    assert isinstance(vault.keys, AwsKmsKeyManager) and vault.keys.alias == alias
    vault.put("case-1", "item-1", io.BytesIO(b"capture"))
    assert b"".join(vault.open("case-1", "item-1")) == b"capture"
    assert not (tmp_path / "data" / "secrets" / "master-keys").exists()


def test_the_keys_command_rotates_and_reports_with_aws_kms(endpoint, aws_env, alias,
                                                           migrated_url, sessions,
                                                           tmp_path, monkeypatch):
    kms = AwsKmsKeyManager.connect(endpoint, REGION, alias)
    vault = EncryptedVault(FilesystemBlobStore(tmp_path / "blobs"), kms, sessions)
    vault.put("case-1", "item-1", io.BytesIO(b"capture"))
    old = kms.active_key_id()
    for name, value in {"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": migrated_url,
                        "KEY_MANAGER": "aws-kms", "KMS_ENDPOINT_URL": endpoint,
                        "KMS_REGION": REGION, "KMS_ALIAS": alias}.items():
        monkeypatch.setenv(f"REMPART_{name}", value)

    before = invoke_rempart("keys", "status")
    rotated = invoke_rempart("keys", "rotate")
    after = invoke_rempart("keys", "status")

    assert before.exit_code == 0, before.output
    assert json.loads(before.output) == {"active_key_id": old, "master_keys": {old: 1},
                                         "missing_keys": []}
    assert rotated.exit_code == 0, rotated.output
    report = json.loads(rotated.output)
    assert report["rewrapped"] == 1 and report["destroyed_key_ids"] == [old]
    assert json.loads(after.output)["master_keys"] == {report["active_key_id"]: 1}
    assert b"".join(vault.open("case-1", "item-1")) == b"capture"
    assert not (tmp_path / "data" / "secrets" / "master-keys").exists()


def test_unreachable_kms_exits_2_with_one_line(aws_env, alias, tmp_path, monkeypatch):
    from tests.integration.server_support import free_port

    for name, value in {"DATA_DIR": str(tmp_path / "data"), "KEY_MANAGER": "aws-kms",
                        "KMS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
                        "KMS_REGION": REGION, "KMS_ALIAS": alias}.items():
        monkeypatch.setenv(f"REMPART_{name}", value)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = invoke_rempart("keys", "status")
    assert result.exit_code == 2
    assert result.output.startswith("error: KMS describe_key with " + alias)
    assert result.output.count("\n") == 1
