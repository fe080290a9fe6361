"""Master keys: generated 0600 on first start, several coexist, wrapping is authenticated."""

from __future__ import annotations

import os
import stat

import pytest

from rempart.evidence import crypto
from rempart.evidence.interface import EvidenceIntegrityError
from rempart.evidence.keys import (
    ExternalFileKeyManager,
    FileKeyManager,
    KeyManagerError,
    key_manager_for,
)
from tests.cli_support import invoke_rempart


def test_it_generates_a_private_master_key_on_first_start(tmp_path):
    keys = FileKeyManager(tmp_path / "secrets" / "master-keys")
    key_id = keys.active_key_id()
    path = tmp_path / "secrets" / "master-keys" / key_id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert FileKeyManager(path.parent).active_key_id() == key_id  # same key on restart
    assert key_id not in path.read_text() and len(bytes.fromhex(path.read_text())) == 32


def test_old_keys_unwrap_until_destroyed_and_the_active_one_cannot_be(tmp_path):
    keys = FileKeyManager(tmp_path)
    old, data_key = keys.active_key_id(), crypto.new_data_key()
    wrapped = keys.wrap(old, data_key)
    new = keys.create_key()
    assert keys.active_key_id() == new and set(keys.key_ids()) == {old, new}
    assert keys.unwrap(old, wrapped) == data_key
    with pytest.raises(EvidenceIntegrityError):
        keys.unwrap(new, wrapped)
    with pytest.raises(KeyManagerError):
        keys.destroy_key(new)
    keys.destroy_key(old)
    with pytest.raises(KeyManagerError):
        keys.unwrap(old, wrapped)


def test_an_altered_wrapped_key_fails(tmp_path):
    keys = FileKeyManager(tmp_path)
    wrapped = bytearray(keys.wrap(keys.active_key_id(), crypto.new_data_key()))
    wrapped[3] ^= 1
    with pytest.raises(EvidenceIntegrityError):
        keys.unwrap(keys.active_key_id(), bytes(wrapped))


def test_it_refuses_path_tricks_in_key_ids(tmp_path):
    keys = FileKeyManager(tmp_path / "keys")
    for bad in ("../active", "mk-../../x", "active"):
        with pytest.raises(KeyManagerError):
            keys.unwrap(bad, b"\x00" * 40)


def test_an_external_key_file_is_used_and_read_only(tmp_path, monkeypatch):
    key_file = tmp_path / "master.key"
    key_file.write_text(os.urandom(32).hex() + "\n")
    monkeypatch.setenv("REMPART_MASTER_KEY_FILE", str(key_file))
    keys = key_manager_for(tmp_path / "data")
    assert isinstance(keys, ExternalFileKeyManager)
    data_key = crypto.new_data_key()
    assert keys.unwrap(keys.active_key_id(), keys.wrap(keys.active_key_id(), data_key)) == data_key
    with pytest.raises(KeyManagerError):
        keys.create_key()
    assert not (tmp_path / "data").exists()
    key_file.write_text("short")
    with pytest.raises(KeyManagerError):
        ExternalFileKeyManager(key_file)


def test_rotate_with_an_external_key_exits_2_with_one_line(tmp_path, monkeypatch):
    key_file = tmp_path / "master.key"
    key_file.write_text(os.urandom(32).hex())
    monkeypatch.setenv("REMPART_MASTER_KEY_FILE", str(key_file))
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "data"))
    result = invoke_rempart("keys", "rotate")
    assert result.exit_code == 2
    assert "managed outside Rempart" in result.output
    assert key_file.read_text() and not (tmp_path / "data" / "secrets").exists()
