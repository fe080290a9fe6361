"""Custody logging functions for the case services, and the receipt "download proof"."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from rempart.config import Settings
from rempart.domain import custody
from rempart.evidence import custody_log, merkle
from rempart.evidence.checkpoint import NoteVerifier
from rempart.evidence.ledger import Ledger, LedgerError
from rempart.store.db import make_engine, make_session_factory

SHA = hashlib.sha256(b"screenshot").hexdigest()


@pytest.fixture
def setup(migrated_url, tmp_path, monkeypatch):
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    engine = make_engine(migrated_url)
    yield make_session_factory(engine), Settings(data_dir=tmp_path, database_url=migrated_url)
    engine.dispose()


def test_a_receipt_proof_verifies_against_the_checkpoint_shown_at_upload(setup):
    sessions, settings = setup
    with sessions.begin() as session:
        receipt = custody_log.log_received(session, "case-1", "item-1", SHA,
                                           custody.ActorRole.REPORTER)
        # The receipt page signs the checkpoint if the periodic job has not yet.
        on_demand = custody_log.receipt_proof(session, settings, receipt.index)
        shown = Ledger(session).latest_checkpoint()
        assert on_demand.checkpoint == shown.note
        assert custody_log.sign_pending(session, settings) is None
        with pytest.raises(LedgerError):
            custody_log.receipt_proof(session, settings, 99)
    with sessions.begin() as session:
        custody_log.log_viewed(session, "case-1", "item-1", SHA, custody.ActorRole.STAFF)
        custody_log.log_shared(session, "case-1", "item-1", SHA, custody.ActorRole.STAFF,
                               "pharos", police=True)
        custody_log.log_shredded(session, "case-1", custody.ActorRole.SYSTEM)
        later = custody_log.sign_pending(session, settings)
        assert custody_log.sign_pending(session, settings) is None
    assert (shown.size, later.size) == (1, 4)
    with sessions() as session:
        proof = json.loads(custody_log.receipt_proof(session, settings, receipt.index).to_json())
        assert [e.action for e in map(lambda leaf: custody.CustodyEvent.from_leaf(leaf.leaf),
                                      Ledger(session).case_leaves("case-1"))] == [
            custody.CustodyAction.RECEIVED, custody.CustodyAction.VIEWED,
            custody.CustodyAction.SHARED_WITH_POLICE, custody.CustodyAction.SHREDDED]
    assert proof["checkpoint"] == shown.note
    checkpoint = NoteVerifier.parse(proof["log_key"]).open_checkpoint(proof["checkpoint"])
    merkle.verify_inclusion(merkle.leaf_hash(proof["leaf"].encode()), proof["leaf_index"],
                            checkpoint.size, [bytes.fromhex(h) for h in proof["inclusion_proof"]],
                            checkpoint.root)
    assert base64.b64encode(checkpoint.root).decode() in shown.note


def test_a_failed_unit_of_work_logs_nothing(setup):
    sessions, settings = setup
    with pytest.raises(RuntimeError), sessions.begin() as session:
        custody_log.log_received(session, "case-1", "item-1", SHA, custody.ActorRole.REPORTER)
        raise RuntimeError("storing the evidence failed")
    with sessions() as session:
        assert Ledger(session).size() == 0


def test_the_service_hooks_log_in_the_callers_session_and_skip_fakes(setup):
    sessions, _ = setup
    assert custody_log.item_received(None, "c", "i", SHA) is None
    assert custody_log.received_indexes(None, "c") == {}
    with sessions.begin() as session:
        assert custody_log.item_received(session, "case-9", "item-a", SHA) == 0
        assert custody_log.item_received(session, "case-9", "item-b", SHA) == 1
        assert custody_log.item_viewed(session, "case-9", "item-a", SHA) == 2
        assert custody_log.case_shredded(session, "case-9") == 3
        assert custody_log.received_indexes(session, "case-9") == {"item-a": 0, "item-b": 1}


def test_the_periodic_job_signs_pending_entries_only(tmp_path, monkeypatch):
    from rempart.config import get_settings
    from rempart.store import migrate

    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REMPART_JOBS_IMMEDIATE", "true")
    monkeypatch.delenv("REMPART_DATABASE_URL", raising=False)
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    get_settings.cache_clear()
    try:
        from rempart.jobs import checkpoints

        url = get_settings().resolved_database_url
        migrate.upgrade(url)
        engine = make_engine(url)
        with make_session_factory(engine).begin() as session:
            custody_log.log_received(session, "case-1", "item-1", SHA, custody.ActorRole.REPORTER)
        engine.dispose()
        assert checkpoints.sign_pending_checkpoint() == 1
        assert checkpoints.sign_pending_checkpoint() is None
    finally:
        get_settings.cache_clear()
