"""Secrets, master keys and the signing identity stay one when processes create them together."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from rempart.config import Settings
from rempart.documents.signing import load_or_create_identity
from rempart.evidence.keys import FileKeyManager
from rempart.private_files import create_folder_once, create_once


def test_the_first_call_writes_a_private_file_and_later_calls_read_it(tmp_path):
    path = tmp_path / "secrets" / "session_key"
    first = create_once(path, lambda: b"one")
    assert first == b"one"
    assert create_once(path, lambda: b"two") == b"one"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["session_key"]  # no temporary left


def test_when_another_process_publishes_first_its_file_is_kept(tmp_path):
    path = tmp_path / "log_key"

    def make_while_another_publishes() -> bytes:
        path.write_bytes(b"theirs")  # the other process links its complete file meanwhile
        return b"mine"

    assert create_once(path, make_while_another_publishes) == b"theirs"
    assert path.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["log_key"]


def test_a_folder_filled_by_another_process_first_is_not_mixed_with_ours(tmp_path):
    folder = tmp_path / "signing"

    def fill_while_another_publishes(tmp: Path) -> None:
        (tmp / "key").write_text("mine")
        folder.mkdir()
        (folder / "key").write_text("theirs")

    create_folder_once(folder, fill_while_another_publishes)
    assert (folder / "key").read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["signing"]


def test_an_empty_folder_left_behind_is_filled(tmp_path):
    folder = tmp_path / "signing"
    folder.mkdir()
    create_folder_once(folder, lambda tmp: (tmp / "key").write_text("k"))
    assert (folder / "key").read_text() == "k"


def _start_together(barrier, data_dir: str, queue) -> None:  # runs in a child process
    barrier.wait()
    settings = Settings(data_dir=Path(data_dir), database_url="sqlite://")
    secret = settings.secret_bytes("session_key")
    keys = FileKeyManager(Path(data_dir) / "secrets" / "master-keys")
    identity = load_or_create_identity(settings)
    queue.put((secret, keys.active_key_id(), identity.key_pem, identity.cert_pem))


@pytest.mark.parametrize("round_", range(3))
def test_processes_starting_together_on_a_fresh_folder_share_one_of_each(tmp_path, round_):
    context = multiprocessing.get_context("fork")
    count = 6
    barrier, queue = context.Barrier(count), context.Queue()
    children = [context.Process(target=_start_together, args=(barrier, str(tmp_path), queue))
                for _ in range(count)]
    for child in children:
        child.start()
    results = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    assert len(set(results)) == 1, "the processes ended up with different secrets or keys"
    secret, key_id, key_pem, cert_pem = results[0]
    assert len(secret) == 64
    master_keys = tmp_path / "secrets" / "master-keys"
    assert sorted(p.name for p in master_keys.iterdir()) == sorted(["active", key_id])
    signing = tmp_path / "signing"
    assert (signing / "signer-key.pem").read_bytes() == key_pem
    assert (signing / "signer.pem").read_bytes() == cert_pem
    assert not [p for p in tmp_path.rglob(".*")], "a temporary file was left over"
