"""Which key manager the settings choose, and bad settings refused in one line (no server)."""

from __future__ import annotations

import os

import pytest

from rempart.config import Settings
from rempart.evidence.keys import (
    ExternalFileKeyManager,
    FileKeyManager,
    KeyManagerError,
    key_manager_from_settings,
)
from rempart.evidence.kms import AwsKmsKeyManager
from tests.cli_support import invoke_rempart


@pytest.fixture(autouse=True)
def no_external_key(monkeypatch):
    monkeypatch.delenv("REMPART_MASTER_KEY_FILE", raising=False)


def test_the_default_is_still_the_data_folder_or_the_key_file(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.key_manager == "file"
    assert isinstance(key_manager_from_settings(settings), FileKeyManager)
    key_file = tmp_path / "master.key"
    key_file.write_text(os.urandom(32).hex())
    monkeypatch.setenv("REMPART_MASTER_KEY_FILE", str(key_file))
    assert isinstance(key_manager_from_settings(settings), ExternalFileKeyManager)


def test_aws_kms_is_chosen_without_calling_it_and_without_files(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", key_manager="aws-kms",
                        kms_endpoint_url="http://127.0.0.1:9", kms_region="eu-west-3",
                        kms_alias="alias/rempart-x")
    keys = key_manager_from_settings(settings)
    assert isinstance(keys, AwsKmsKeyManager) and keys.alias == "alias/rempart-x"
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(("changes", "reason"), [
    ({"key_manager": "vault"}, "must be file or aws-kms"),
    ({"key_manager": "aws-kms", "kms_region": "eu-west-3", "kms_alias": "rempart"},
     "not a customer alias"),
    ({"key_manager": "aws-kms", "kms_region": "eu-west-3", "kms_alias": "alias/aws/s3"},
     "not a customer alias"),
])
def test_bad_settings_are_refused(tmp_path, changes, reason):
    with pytest.raises(KeyManagerError, match=reason):
        key_manager_from_settings(Settings(data_dir=tmp_path / "data", **changes))


def test_a_key_file_and_kms_together_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("REMPART_MASTER_KEY_FILE", str(tmp_path / "master.key"))
    with pytest.raises(KeyManagerError, match="cannot be used with"):
        key_manager_from_settings(Settings(data_dir=tmp_path, key_manager="aws-kms"))


def test_the_keys_command_exits_2_with_one_line_on_a_bad_key_manager(tmp_path, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REMPART_KEY_MANAGER", "vault")
    result = invoke_rempart("keys", "status")
    assert result.exit_code == 2
    assert result.output == "error: REMPART_KEY_MANAGER must be file or aws-kms\n"
