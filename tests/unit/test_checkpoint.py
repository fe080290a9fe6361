"""C2SP signed notes and checkpoints, anchored to Go's golang.org/x/mod/sumdb/note test vector."""

from __future__ import annotations

import base64
import os
import stat

import pytest

from rempart.config import Settings
from rempart.evidence import checkpoint as cp

# The example of golang.org/x/mod/sumdb/note (BSD licence): Ed25519 is deterministic, so our
# signer must reproduce the Go note byte for byte and our verifier must accept it.
GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_NOTE = GO_TEXT + ("\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1F"
                     "FYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")


def _go_signer() -> cp.NoteSigner:
    seed = base64.b64decode(GO_SIGNER_KEY.split("+", 4)[-1])[1:]
    return cp.signer_from_seed(seed, "PeterNeumann")


def test_it_signs_exactly_like_the_go_note_package():
    signer = _go_signer()
    assert signer.verifier_key() == GO_VERIFIER_KEY
    assert signer.sign(GO_TEXT) == GO_NOTE


def test_it_verifies_the_go_note_and_rejects_a_changed_text():
    verifier = cp.NoteVerifier.parse(GO_VERIFIER_KEY)
    assert verifier.verify(GO_NOTE) == GO_TEXT
    with pytest.raises(cp.CheckpointError):
        verifier.verify(GO_NOTE.replace("cryptography", "cryptographY"))


@pytest.mark.parametrize("bad_key", [
    GO_VERIFIER_KEY.replace("c74f20a3", "c74f20a4"),
    GO_VERIFIER_KEY[:-2],
    GO_VERIFIER_KEY.replace("+ARpc", "+AhPc"),
    "PeterNeumann+c74f20a3",
])
def test_it_rejects_malformed_verifier_keys(bad_key):
    with pytest.raises(cp.CheckpointError):
        cp.NoteVerifier.parse(bad_key)


def test_a_checkpoint_round_trips_and_any_changed_byte_fails():
    signer = cp.signer_from_seed(bytes(range(32)))
    root = bytes(range(32, 64))
    note = signer.sign_checkpoint(12345, root)
    origin, size, root_line, blank = note.split("\n")[:4]
    assert (origin, size, root_line, blank) == (signer.name, "12345",
                                                 base64.b64encode(root).decode(), "")
    verifier = cp.NoteVerifier.parse(signer.verifier_key())
    assert verifier.open_checkpoint(note) == cp.Checkpoint(signer.name, 12345, root)
    data = note.encode()
    for position in range(len(data)):
        for delta in (1, 0x80):
            tampered = bytearray(data)
            tampered[position] ^= delta
            try:
                text = tampered.decode()
            except UnicodeDecodeError:
                continue
            with pytest.raises(cp.CheckpointError):
                verifier.open_checkpoint(text)


def test_it_refuses_a_note_signed_by_another_key():
    note = cp.signer_from_seed(b"\x01" * 32, "log").sign_checkpoint(1, b"\x00" * 32)
    verifier = cp.NoteVerifier.parse(cp.signer_from_seed(b"\x02" * 32, "log").verifier_key())
    with pytest.raises(cp.CheckpointError, match="no signature"):
        verifier.verify(note)


@pytest.mark.parametrize("body", [
    "origin\n12\n", "origin\n012\nAAAA\n", "origin\n-1\n" + "A" * 43 + "=\n",
    "origin\n1\nAAAA\n", "origin\n1\n" + base64.b64encode(b"x" * 32).decode(),
])
def test_it_rejects_malformed_checkpoints(body):
    with pytest.raises(cp.CheckpointError):
        cp.Checkpoint.parse(body)


def test_the_instance_key_is_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    settings = Settings(data_dir=tmp_path / "data")
    first = cp.load_log_signer(settings)
    again = cp.load_log_signer(settings)
    assert first.verifier_key() == again.verifier_key()
    mode = stat.S_IMODE(os.stat(tmp_path / "data" / "secrets" / "log_key").st_mode)
    assert mode == 0o600


def test_the_instance_key_can_come_from_a_file(tmp_path, monkeypatch):
    key_file = tmp_path / "log.key"
    key_file.write_text("11" * 32 + "\n")
    monkeypatch.setenv("REMPART_LOG_KEY_FILE", str(key_file))
    signer = cp.load_log_signer(Settings(data_dir=tmp_path / "data"))
    assert signer.verifier_key() == cp.signer_from_seed(b"\x11" * 32).verifier_key()
    key_file.write_text("not hex")
    with pytest.raises(cp.CheckpointError):
        cp.load_log_signer(Settings(data_dir=tmp_path / "data"))


def test_it_parses_a_verifier_key_whose_base64_holds_a_plus():
    # From transparency-dev/formats' note tests: the key material contains '+'.
    verifier = cp.NoteVerifier.parse("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
    assert verifier.name == "TEST"
