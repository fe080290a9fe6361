"""The ledger's witness (issue 12.9): the latest signed checkpoint kept outside the database, and
the refusal to start or verify a database below it (rolled back, restored from an old copy, a
checkpoint row deleted)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, update

from rempart.config import Settings
from rempart.domain import custody
from rempart.evidence import custody_log
from rempart.evidence.ledger import Ledger
from rempart.evidence.witness import witness_path
from rempart.services.integrity import RefusedToStart, check_at_start, instance_witness
from rempart.store.db import make_engine, make_session_factory
from rempart.store.ledger_tables import LedgerCheckpoint, LedgerHead, LedgerLeaf, LedgerNode
from tests.cli_support import invoke_rempart

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def instance(migrated_url, tmp_path, monkeypatch):
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REMPART_DATABASE_URL", migrated_url)
    settings = Settings(data_dir=tmp_path / "data", database_url=migrated_url)
    engine = make_engine(migrated_url)
    yield settings, make_session_factory(engine)
    engine.dispose()


def _ingest(settings, sessions, case_id: str, count: int = 2) -> int:
    """What every ingest path does: append leaves, commit, sign the checkpoint. (Views: a
    "received" leaf without its evidence row would be a problem of its own, issue 12.10.)"""
    with sessions.begin() as session:
        for n in range(count):
            Ledger(session).append(custody.viewed(case_id, f"item-{n}", "a" * 64,
                                                  custody.ActorRole.STAFF, T0))
    with sessions.begin() as session:
        row = custody_log.sign_pending(session, settings)
        assert row is not None
        return row.size


def _witnessed(settings) -> dict:
    return json.loads(witness_path(settings).read_text())


def test_a_committed_checkpoint_is_written_to_the_witness_and_a_rolled_back_one_is_not(instance):
    settings, sessions = instance
    size = _ingest(settings, sessions, "case-a")
    witnessed = _witnessed(settings)
    assert witnessed["checkpoint"].split("\n")[1] == str(size) and witnessed["checkpoints"] == 1
    assert witness_path(settings).stat().st_mode & 0o777 == 0o600
    with sessions() as session:
        Ledger(session).append(custody.viewed("case-a", "late", "b" * 64,
                                              custody.ActorRole.STAFF, T0))
        assert custody_log.sign_pending(session, settings) is not None
        session.rollback()  # the checkpoint never existed: the witness must not move
    assert _witnessed(settings)["checkpoint"].split("\n")[1] == str(size)
    check_at_start(settings)


def test_it_refuses_to_start_on_a_database_restored_from_an_older_copy(tmp_path, monkeypatch):
    """SQLite: the database file copied aside, more reports, then the old copy put back."""
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    from rempart.store import migrate

    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_data_dir()
    url = settings.resolved_database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    _ingest(settings, sessions, "case-a")
    engine.dispose()
    database = tmp_path / "data" / "db" / "rempart.db"  # the default layout: db/ apart
    shutil.copy(database, tmp_path / "old-copy.db")  # a consistent copy: nothing in the WAL
    engine = make_engine(url)
    _ingest(settings, make_session_factory(engine), "case-b")
    engine.dispose()
    check_at_start(settings)
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copy(tmp_path / "old-copy.db", database)
    with pytest.raises(RefusedToStart, match="rolled back or restored from an older copy"):
        check_at_start(settings)
    from rempart.web.app import create_app

    with pytest.raises(SystemExit, match="refusing to start"):
        create_app(settings)


def test_a_rollback_of_the_ledger_rows_is_refused_on_both_engines(instance):
    settings, sessions = instance
    first = _ingest(settings, sessions, "case-a")
    _ingest(settings, sessions, "case-b")
    with sessions.begin() as session:  # back to the first checkpoint, as an old copy would be
        session.execute(delete(LedgerCheckpoint).where(LedgerCheckpoint.size > first))
        session.execute(delete(LedgerLeaf).where(LedgerLeaf.idx >= first))
        session.execute(delete(LedgerNode).where(LedgerNode.level > 1))
        session.execute(update(LedgerHead).values(size=first))
    with pytest.raises(RefusedToStart, match="has 2 entries but a checkpoint of 4"):
        check_at_start(settings)
    result = invoke_rempart("ledger", "verify")
    assert result.exit_code == 1 and "rolled back" in result.output


def test_a_deleted_checkpoint_row_is_caught(instance):
    settings, sessions = instance
    first = _ingest(settings, sessions, "case-a")
    last = _ingest(settings, sessions, "case-b")
    verified = invoke_rempart("ledger", "verify")
    assert verified.exit_code == 0, verified.output
    with sessions.begin() as session:  # the receipt checkpoint of case-a's uploads
        session.execute(delete(LedgerCheckpoint).where(LedgerCheckpoint.size == first))
    with pytest.raises(RefusedToStart, match="1 signed checkpoint.* were deleted"):
        check_at_start(settings)
    with sessions.begin() as session:  # the latest one
        session.execute(delete(LedgerCheckpoint).where(LedgerCheckpoint.size == last))
    with pytest.raises(RefusedToStart, match=f"checkpoint of size {last} is missing"):
        check_at_start(settings)
    result = invoke_rempart("ledger", "verify")
    assert result.exit_code == 1 and "was deleted" in result.output


def test_a_rewritten_log_is_caught(instance):
    settings, sessions = instance
    size = _ingest(settings, sessions, "case-a")
    with sessions.begin() as session:
        session.execute(update(LedgerCheckpoint).where(LedgerCheckpoint.size == size)
                        .values(root=b"\x00" * 32))
    with pytest.raises(RefusedToStart, match="the log was rewritten"):
        check_at_start(settings)


def test_the_worker_refuses_to_start_below_the_witness(instance):
    settings, sessions = instance
    _ingest(settings, sessions, "case-a")
    with sessions.begin() as session:
        session.execute(delete(LedgerCheckpoint))
    result = invoke_rempart("worker")
    assert result.exit_code == 1 and isinstance(result.exception, RefusedToStart)
    assert "checkpoint of size 2 is missing" in str(result.exception)


def test_a_forged_or_unreadable_witness_is_refused(instance):
    settings, sessions = instance
    _ingest(settings, sessions, "case-a")
    path = witness_path(settings)
    witnessed = _witnessed(settings)
    path.write_text(json.dumps({**witnessed, "checkpoint": witnessed["checkpoint"].replace(
        "\n2\n", "\n1\n")}))
    with pytest.raises(RefusedToStart, match="not a checkpoint signed by this log's key"):
        check_at_start(settings)


def test_the_first_start_writes_the_witness_of_an_existing_ledger(instance):
    settings, sessions = instance
    _ingest(settings, sessions, "case-a")
    witness_path(settings).unlink()
    check_at_start(settings)
    assert instance_witness(settings).read().size == 2


def test_the_witness_can_live_elsewhere(instance, tmp_path):
    settings, sessions = instance
    elsewhere = settings.model_copy(update={"checkpoint_file": tmp_path / "other" / "witness"})
    _ingest(elsewhere, sessions, "case-a")
    assert (tmp_path / "other" / "witness").is_file()
    assert not witness_path(settings).exists()
