"""``rempart backup`` and ``rempart restore`` (issue 12.15) on both engines: an online backup
taken while reports keep coming, restored into a new data folder (and database) that verifies,
a new log epoch, and the refusals: no secrets, another instance's secrets, a damaged backup."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from rempart import bootstrap
from rempart.config import Settings
from rempart.domain import custody
from rempart.evidence import custody_log
from rempart.evidence.ledger import Ledger
from rempart.services.integrity import check_at_start, verify_ledger
from rempart.store.ledger_tables import LedgerLeaf
from tests.cli_support import invoke_rempart
from tests.integration.test_vault import PNG, submit


@pytest.fixture
def instance(services, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("REMPART_DATABASE_URL", services.settings.resolved_database_url)
    return services


@pytest.fixture
def restore_url(instance, tmp_path):
    """Where the restore goes: SQLite in the new data folder, or a new empty PostgreSQL
    database."""
    url = instance.settings.resolved_database_url
    if url.startswith("sqlite"):
        yield None
        return
    from tests.conftest import _create_pg_database, _drop_pg_database

    created = _create_pg_database()
    yield created
    _drop_pg_database(created)


def _reports(services, count: int) -> list:
    made = [submit(services, PNG + bytes([n])) for n in range(count)]
    with services.session_factory.begin() as session:
        custody_log.sign_pending(session, services.settings)
    return made


def _restore(tmp_path, restore_url, *extra: str):
    args = ["restore", str(tmp_path / "backup"), "--data-dir", str(tmp_path / "restored"),
            *extra]
    if restore_url:
        args += ["--database-url", restore_url]
    return invoke_rempart(*args)


def test_a_backup_restores_into_a_new_data_folder_that_verifies(instance, tmp_path,
                                                                restore_url):
    made = _reports(instance, 3)
    stop = threading.Event()

    def keep_reporting() -> None:  # the backup is taken online, while reports come in
        while not stop.is_set():
            submit(instance, PNG + b"during")

    writer = threading.Thread(target=keep_reporting, daemon=True)
    writer.start()
    try:
        result = invoke_rempart("backup", str(tmp_path / "backup"), "--secrets",
                                str(tmp_path / "secrets"))
    finally:
        stop.set()
        writer.join(60)
    assert result.exit_code == 0, result.output
    backup = tmp_path / "backup"
    assert (backup / "MANIFEST.json").is_file() and not (backup / "secrets").exists()
    assert (tmp_path / "secrets" / "log_key").is_file()
    assert not any((backup / "vault").rglob("*.png"))  # ciphertext only, named by ids
    result = _restore(tmp_path, restore_url, "--secrets", str(tmp_path / "secrets"))
    assert result.exit_code == 0, result.output
    assert "case bundles with" in result.output and "new epoch" in result.output
    restored = Settings(data_dir=tmp_path / "restored", database_url=restore_url or "")
    app = bootstrap.build(restored)
    try:
        for report in made:
            item = report.receipts[0].item_id
            assert b"".join(app.store.open(report.case_id, item)).startswith(PNG)
        assert verify_ledger(restored, app.session_factory).problems == []
        with app.session_factory() as session:  # the epoch is recorded in the log itself
            last = session.scalars(select(LedgerLeaf).order_by(LedgerLeaf.idx.desc())
                                   .limit(1)).one()
            events = [custody.CustodyEvent.from_leaf(bytes(leaf.leaf)) for leaf in
                      session.scalars(select(LedgerLeaf).order_by(LedgerLeaf.idx))]
            size = Ledger(session).size()
        epoch = [e for e in events if e.target == "restored-backup"]
        assert len(epoch) == 1 and epoch[0].action is custody.CustodyAction.CHECKPOINT
        assert last.idx < size
    finally:
        app.dispose()
    check_at_start(restored)  # the restored instance starts: its witness is its own
    assert (tmp_path / "restored").stat().st_mode & 0o777 == 0o700


def test_a_restore_without_the_secrets_fails_with_one_line_and_makes_no_keys(
        instance, tmp_path, restore_url):
    _reports(instance, 1)
    assert invoke_rempart("backup", str(tmp_path / "backup")).exit_code == 0
    result = _restore(tmp_path, restore_url)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "needs the backup's secrets" in result.output
    assert not (tmp_path / "restored").exists()


def test_a_restore_with_another_instances_secrets_or_a_damaged_backup_fails(
        instance, tmp_path, restore_url):
    _reports(instance, 1)
    assert invoke_rempart("backup", str(tmp_path / "backup"), "--secrets",
                          str(tmp_path / "secrets")).exit_code == 0
    other = tmp_path / "other-secrets"
    other.mkdir()
    (other / "log_key").write_text("11" * 32)
    result = _restore(tmp_path, restore_url, "--secrets", str(other))
    assert result.exit_code == 2 and "not the one of this backup" in result.output
    blob = next((tmp_path / "backup" / "vault").glob("*/*"))
    blob.write_bytes(blob.read_bytes()[:-1])
    result = _restore(tmp_path, restore_url, "--secrets", str(tmp_path / "secrets"))
    assert result.exit_code == 2 and "damaged" in result.output
    assert not (tmp_path / "restored").exists()


def test_backup_refuses_a_used_folder_and_secrets_inside_the_backup(instance, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "file").write_text("x")
    result = invoke_rempart("backup", str(tmp_path / "used"))
    assert result.exit_code == 2 and "not an empty folder" in result.output
    result = invoke_rempart("backup", str(tmp_path / "b"), "--secrets",
                            str(tmp_path / "b" / "secrets"))
    assert result.exit_code == 2 and "separate folder" in result.output


def test_the_manifest_names_what_the_backup_holds(instance, tmp_path):
    _reports(instance, 2)
    assert invoke_rempart("backup", str(tmp_path / "backup")).exit_code == 0
    manifest = json.loads((tmp_path / "backup" / "MANIFEST.json").read_text())
    assert manifest["format"] == "rempart-backup/1" and manifest["items"] == 2
    assert manifest["ledger_size"] == 2 and manifest["latest_checkpoint"].count("\n") >= 4
    assert all(len(h) == 64 for h in manifest["files"].values())
