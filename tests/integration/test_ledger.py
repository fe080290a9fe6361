"""The custody ledger on SQLite and PostgreSQL: appends, roots, proofs, checkpoints, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from rempart.domain import custody
from rempart.evidence import merkle
from rempart.evidence.checkpoint import NoteVerifier, signer_from_seed
from rempart.evidence.ledger import Ledger, LedgerError
from rempart.store.db import make_engine, make_session_factory
from rempart.store.ledger_tables import LedgerLeaf, LedgerNode

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SIGNER = signer_from_seed(b"\x07" * 32)


def _event(n: int) -> custody.CustodyEvent:
    # Views: `ledger verify` also wants an evidence row for every "received" entry (12.10).
    return custody.viewed(f"case-{n % 3}", f"item-{n}", f"{n:064x}", custody.ActorRole.STAFF,
                          T0 + timedelta(seconds=n))


def _append(sessions, first: int, count: int) -> list[int]:
    with sessions.begin() as session:
        return [r.index for r in Ledger(session).append_many(_event(first + i)
                                                              for i in range(count))]


def test_it_appends_gapless_and_matches_an_in_memory_tree(sessions):
    indexes = _append(sessions, 0, 1) + _append(sessions, 1, 6) + _append(sessions, 7, 30)
    assert indexes == list(range(37))
    hashes = [merkle.leaf_hash(_event(n).leaf_bytes()) for n in range(37)]
    with sessions() as session:
        ledger = Ledger(session)
        assert ledger.size() == 37
        for size in range(0, 38):
            assert ledger.root(size) == merkle.root_from_leaf_hashes(hashes[:size])
        for size in (1, 2, 5, 8, 13, 16, 37):
            root = ledger.root(size)
            for index in range(size):
                merkle.verify_inclusion(hashes[index], index, size,
                                        ledger.inclusion_proof(index, size), root)
            for old in range(1, size + 1):
                merkle.verify_consistency(old, size, ledger.root(old), root,
                                          ledger.consistency_proof(old, size))
        assert custody.CustodyEvent.from_leaf(ledger.leaf(4).leaf) == _event(4)
        assert [leaf.idx for leaf in ledger.case_leaves("case-1")] == list(range(1, 37, 3))


def test_a_rolled_back_transaction_leaves_no_trace(sessions):
    _append(sessions, 0, 3)
    session = sessions()
    session.begin()
    Ledger(session).append_many([_event(3), _event(4)])
    session.rollback()
    session.close()
    assert _append(sessions, 3, 1) == [3]
    with sessions() as session:
        assert session.scalar(select(LedgerLeaf.idx).order_by(LedgerLeaf.idx.desc())) == 3


def test_it_refuses_proofs_beyond_the_tree(sessions):
    _append(sessions, 0, 4)
    with sessions() as session:
        ledger = Ledger(session)
        for call in (lambda: ledger.inclusion_proof(4, 4), lambda: ledger.inclusion_proof(0, 5),
                     lambda: ledger.consistency_proof(0, 4), lambda: ledger.consistency_proof(2, 5),
                     lambda: ledger.root(5)):
            with pytest.raises(LedgerError):
                call()


def test_it_signs_checkpoints_after_new_leaves_only(sessions):
    with sessions.begin() as session:
        assert Ledger(session, SIGNER).sign_checkpoint_if_due(T0) is None
    _append(sessions, 0, 5)
    with sessions.begin() as session:
        ledger = Ledger(session, SIGNER)
        first = ledger.sign_checkpoint_if_due(T0)
        assert first is not None and first.size == 5
        assert ledger.sign_checkpoint_if_due(T0) is None
        assert ledger.sign_checkpoint() is first
    _append(sessions, 5, 2)
    with sessions.begin() as session:
        ledger = Ledger(session, SIGNER)
        second = ledger.sign_checkpoint_if_due(T0 + timedelta(seconds=1))
        assert second is not None and ledger.latest_checkpoint().size == 7
        verified = NoteVerifier.parse(SIGNER.verifier_key()).open_checkpoint(second.note)
        assert verified.size == 7 and verified.root == ledger.root(7)
        merkle.verify_consistency(5, 7, first.root, second.root, ledger.consistency_proof(5, 7))


def _hammer(sessions, worker: int, rounds: int, errors: list) -> None:
    try:
        for n in range(rounds):
            _append(sessions, 1000 * worker + n * 3, 3)
    except Exception as exc:  # reported by the test
        errors.append(exc)


def test_concurrent_appenders_get_gapless_distinct_indexes(migrated_url):
    workers, rounds = 3, 15
    engines = [make_engine(migrated_url) for _ in range(workers)]
    errors: list = []
    threads = [threading.Thread(target=_hammer, args=(make_session_factory(e), w, rounds, errors))
               for w, e in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sessions = make_session_factory(engines[0])
    with sessions() as session:
        indexes = list(session.scalars(select(LedgerLeaf.idx).order_by(LedgerLeaf.idx)))
        assert indexes == list(range(workers * rounds * 3))
        ledger = Ledger(session)
        hashes = [bytes(h) for h in session.scalars(select(LedgerLeaf.leaf_hash)
                                                    .order_by(LedgerLeaf.idx))]
        assert ledger.root(len(hashes)) == merkle.root_from_leaf_hashes(hashes)
    for engine in engines:
        engine.dispose()


def test_a_corrupted_node_breaks_proofs(sessions):
    _append(sessions, 0, 8)
    with sessions() as session:
        good = Ledger(session).root(8)
    with sessions.begin() as session:
        session.execute(update(LedgerNode).where(LedgerNode.level == 1, LedgerNode.idx == 0)
                        .values(hash=b"\x00" * 32))
    with sessions() as session:
        ledger = Ledger(session)
        hashes = [merkle.leaf_hash(_event(n).leaf_bytes()) for n in range(8)]
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(hashes[2], 2, 8, ledger.inclusion_proof(2, 8), good)


def test_the_cli_signs_prints_and_verifies_and_catches_tampering(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from rempart.cli import app
    from rempart.config import get_settings
    from rempart.store import migrate

    monkeypatch.setenv("REMPART_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("REMPART_DATABASE_URL", raising=False)
    monkeypatch.delenv("REMPART_LOG_KEY_FILE", raising=False)
    get_settings.cache_clear()
    url = get_settings().resolved_database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    _append(sessions, 0, 5)
    runner = CliRunner()
    printed = runner.invoke(app, ["ledger", "checkpoint"])
    assert printed.exit_code == 0, printed.output
    key = runner.invoke(app, ["ledger", "public-key"]).output.strip()
    assert NoteVerifier.parse(key).open_checkpoint(printed.output).size == 5
    verified = runner.invoke(app, ["ledger", "verify"])
    assert verified.exit_code == 0 and "5 leaves, 1 checkpoints" in verified.output
    with sessions.begin() as session:
        session.execute(update(LedgerLeaf).where(LedgerLeaf.idx == 2)
                        .values(leaf=_event(99).leaf_bytes()))
    broken = runner.invoke(app, ["ledger", "verify"])
    assert broken.exit_code == 1 and "leaf 2" in broken.output
    engine.dispose()
    get_settings.cache_clear()


def test_two_signers_racing_on_the_same_size_share_one_checkpoint(sessions, monkeypatch):
    _append(sessions, 0, 3)
    with sessions.begin() as session:
        winner = Ledger(session, SIGNER).sign_checkpoint(T0)
    with sessions.begin() as session:
        ledger = Ledger(session, SIGNER)
        # The loser looked before the winner committed: its first lookup saw nothing.
        real_lookup, calls = ledger.checkpoint_at, []
        monkeypatch.setattr(ledger, "checkpoint_at",
                            lambda size: calls.append(size) or (real_lookup(size)
                                                                if len(calls) > 1 else None))
        loser = ledger.sign_checkpoint(T0 + timedelta(seconds=1))
        assert loser.id == winner.id and calls == [3, 3]
        ledger.append(_event(3))  # the caller's transaction goes on after the lost race
    with sessions() as session:
        assert [c.size for c in Ledger(session).checkpoints()] == [3]
        assert Ledger(session).size() == 4


def _append_in_process(url: str, worker: int, rounds: int) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    for n in range(rounds):
        _append(sessions, 1000 * worker + 2 * n, 2)
    engine.dispose()


def test_two_processes_appending_get_gapless_indexes(migrated_url):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_in_process, args=(migrated_url, w, 20))
               for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    engine = make_engine(migrated_url)
    with make_session_factory(engine)() as session:
        assert list(session.scalars(select(LedgerLeaf.idx).order_by(LedgerLeaf.idx))) == list(
            range(80))
        from rempart.evidence.ledger import audit

        assert audit(session).problems == []
    engine.dispose()


def test_the_ledger_migration_goes_down_and_up(database_url):
    from sqlalchemy import inspect

    from rempart.store import migrate

    def tables() -> set[str]:
        engine = make_engine(database_url)
        try:
            return {t for t in inspect(engine).get_table_names() if t.startswith("ledger_")}
        finally:
            engine.dispose()

    migrate.upgrade(database_url, "0002_ledger")
    assert tables() == {"ledger_head", "ledger_leaves", "ledger_nodes", "ledger_checkpoints"}
    migrate.downgrade(database_url, "0000_base")
    assert tables() == set()
    migrate.upgrade(database_url, "0002_ledger")
    engine = make_engine(database_url)
    assert _append(make_session_factory(engine), 0, 2) == [0, 1]
    engine.dispose()
