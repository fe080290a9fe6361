"""Staff TOTP secrets sealed at rest: AES-256-GCM bound to the account id, failing closed."""

import os

import pytest

from rempart.config import Settings
from rempart.security import totp
from rempart.security.totp_crypto import (
    PREFIX,
    TotpKeyError,
    TotpSecretBox,
    TotpSecretError,
    box_from_settings,
    is_sealed,
    key_from_file_bytes,
)

KEY = bytes(range(32))


def test_a_sealed_secret_opens_for_its_account_and_shows_nothing_of_it():
    box, secret = TotpSecretBox(KEY), totp.new_secret()
    sealed = box.seal("staff-1", secret)
    assert sealed.startswith(PREFIX) and is_sealed(sealed)
    assert secret not in sealed and len(sealed) <= 255
    assert box.open("staff-1", sealed) == secret
    assert box.seal("staff-1", secret) != sealed  # a fresh nonce each time


def test_a_secret_copied_to_another_account_does_not_open():
    sealed = TotpSecretBox(KEY).seal("staff-1", totp.new_secret())
    with pytest.raises(TotpSecretError, match="staff account staff-2 does not decrypt"):
        TotpSecretBox(KEY).open("staff-2", sealed)


def test_another_instance_key_does_not_open_it():
    sealed = TotpSecretBox(KEY).seal("staff-1", totp.new_secret())
    with pytest.raises(TotpSecretError, match="totp_key is not the one"):
        TotpSecretBox(os.urandom(32)).open("staff-1", sealed)


@pytest.mark.parametrize("stored, reason", [
    ("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "not encrypted"),
    (PREFIX + "AAAA", "malformed"),
    (PREFIX + "!!not base64!!", "malformed"),
])
def test_clear_or_malformed_values_are_refused(stored, reason):
    with pytest.raises(TotpSecretError, match=reason):
        TotpSecretBox(KEY).open("staff-1", stored)


def test_an_altered_value_is_refused():
    sealed = TotpSecretBox(KEY).seal("staff-1", totp.new_secret())
    flipped = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    with pytest.raises(TotpSecretError):
        TotpSecretBox(KEY).open("staff-1", flipped)


def test_the_box_never_shows_its_key():
    assert KEY.hex() not in repr(TotpSecretBox(KEY))


@pytest.mark.parametrize("raw", [b"", b"zz" * 32, b"ab" * 16, "é".encode() * 32])
def test_a_malformed_key_file_is_refused(raw):
    with pytest.raises(TotpKeyError, match="64 hex digits"):
        key_from_file_bytes(raw)


def test_the_key_comes_from_the_data_folder_or_a_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("REMPART_TOTP_KEY_FILE", raising=False)
    settings = Settings(data_dir=tmp_path / "data")
    sealed = box_from_settings(settings).seal("s", "JBSWY3DPEHPK3PXP")
    key_file = tmp_path / "data" / "secrets" / "totp_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert box_from_settings(settings).open("s", sealed) == "JBSWY3DPEHPK3PXP"

    external = tmp_path / "external.key"
    external.write_text(KEY.hex() + "\n")
    monkeypatch.setenv("REMPART_TOTP_KEY_FILE", str(external))
    assert box_from_settings(settings).open("s", TotpSecretBox(KEY).seal("s", "AB")) == "AB"
