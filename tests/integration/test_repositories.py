"""SQL repositories on both engines: queue order and filters, cascades, attempts, audit."""

from datetime import UTC, datetime, timedelta

import pytest

from rempart.store.db import make_engine, make_session_factory
from rempart.store.tables import (
    AuditRecord,
    CaseRecord,
    CaseTokenRecord,
    EvidenceRecord,
    MessageRecord,
    StaffRecord,
)
from rempart.store.uow import SqlAlchemyUnitOfWork

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def uow_factory(migrated_url):
    engine = make_engine(migrated_url)
    factory = make_session_factory(engine)
    yield lambda: SqlAlchemyUnitOfWork(factory)
    engine.dispose()


def case(n: int, priority: int, kinds=("insults",), status="received",
         created_at=None) -> CaseRecord:
    return CaseRecord(id=f"00000000-0000-0000-0000-{n:012d}", code=f"RMP-0000-{n:04d}",
                      passphrase_hash="h", status=status, kinds=list(kinds), description="d",
                      platforms=[], other_platform=None, urls=[], incident_dates=None,
                      author_handles=[], victim_is_minor=False, reporter_role="victim",
                      contact=None, labels=[], priority=priority,
                      created_at=created_at or T0 + timedelta(hours=n), updated_at=T0)


def test_the_queue_is_most_urgent_then_oldest_and_filters(uow_factory):
    with uow_factory() as uow:
        uow.cases.add(case(1, 0))
        uow.cases.add(case(2, 4, kinds=("threats", "insults")))
        uow.cases.add(case(3, 8, status="closed"))
        uow.cases.add(case(4, 0, kinds=("threats",)))
        uow.commit()
    with uow_factory() as uow:
        assert [c.code[-1] for c in uow.cases.queue(None, None)] == ["3", "2", "1", "4"]
        assert [c.code[-1] for c in uow.cases.queue("received", "threats")] == ["2", "4"]
        assert uow.cases.get_by_code("RMP-0000-0002").kinds == ["threats", "insults"]
        assert uow.cases.code_exists("RMP-0000-0001")
        assert not uow.cases.code_exists("RMP-0000-9999")


def _many_tied_cases(uow_factory) -> list[str]:
    """23 cases in three priorities, many received at the same instant; their codes in queue
    order (priority, then oldest, then id), the decoy kinds left out."""
    same_time = T0 + timedelta(days=1)
    cases = [case(n, priority=n % 3, created_at=same_time if n % 2 else None,
                  kinds=("intimate_images",) if n != 7 else ("intimateXimages",))
             for n in range(1, 24)]
    with uow_factory() as uow:
        for c in reversed(cases):  # inserted out of order on purpose
            uow.cases.add(c)
        uow.commit()
    expected = sorted((c for c in cases if c.kinds == ["intimate_images"]),
                      key=lambda c: (-c.priority, c.created_at, c.id))
    return [c.code for c in expected]


def _pages(uow_factory, kind, size):
    pages, offset = [], 0
    while True:
        with uow_factory() as uow:
            page = [c.code for c in uow.cases.queue("received", kind, limit=size, offset=offset)]
        if not page:
            return pages
        pages.append(page)
        offset += size


def test_queue_pages_follow_one_total_order_without_overlap_or_gap(uow_factory):
    expected = _many_tied_cases(uow_factory)
    pages = _pages(uow_factory, "intimate_images", 5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 2]
    assert [code for page in pages for code in page] == expected  # "_" is no LIKE wildcard
    with uow_factory() as uow:
        assert len(uow.cases.queue(None, None, limit=50)) == 23
        assert uow.cases.queue(None, None, limit=5, offset=100) == []


def test_the_page_is_cut_by_the_database(uow_factory):
    from sqlalchemy import event

    _many_tied_cases(uow_factory)
    statements = []

    def remember(conn, cursor, sql, *args):
        statements.append(sql)

    with uow_factory() as uow:
        engine = uow.session.get_bind()
        event.listen(engine, "before_cursor_execute", remember)
        try:
            assert len(uow.cases.queue(None, "intimate_images", limit=3, offset=3)) == 3
        finally:
            event.remove(engine, "before_cursor_execute", remember)
    [query] = [sql for sql in statements if "FROM cases" in sql]
    assert "LIMIT" in query.upper() and "OFFSET" in query.upper()


def test_the_fake_repository_pages_the_same_way():
    from tests.fakes import FakeUnitOfWork

    fake = FakeUnitOfWork()
    assert _pages(fake, "intimate_images", 5) == []
    expected = _many_tied_cases(fake)
    assert [code for page in _pages(fake, "intimate_images", 5) for code in page] == expected


def test_deleting_a_case_deletes_its_rows_and_keeps_the_audit_log(uow_factory):
    c = case(1, 0)
    with uow_factory() as uow:
        uow.staff.add(StaffRecord(id="s1", email="a@b.org", password_hash="h", totp_secret="t",
                                  last_totp_step=None, role="admin", active=True,
                                  created_at=T0, last_login_at=None))
        uow.cases.add(c)
        uow.session.flush()
        uow.cases.add_evidence(EvidenceRecord(id="e1", case_id=c.id, file_name="a.png",
                                              media_type="image/png", size=1, sha256="0" * 64,
                                              received_at=T0))
        uow.cases.add_message(MessageRecord(id="m1", case_id=c.id, author="staff", staff_id="s1",
                                            internal=True, body="note", created_at=T0))
        uow.cases.add_token(CaseTokenRecord(token_hash="t" * 64, case_id=c.id, expires_at=T0))
        uow.audit.add(AuditRecord(at=T0, actor="staff", staff_id="s1", action="case.viewed",
                                  case_id=c.id, detail={}))
        uow.commit()
    with uow_factory() as uow:
        assert uow.cases.evidence_counts([c.id]) == {c.id: 1}
        assert uow.cases.messages(c.id, include_internal=False) == []
        assert len(uow.cases.messages(c.id, include_internal=True)) == 1
        uow.cases.delete(uow.cases.get(c.id))
        uow.commit()
    with uow_factory() as uow:
        assert uow.cases.get(c.id) is None
        assert uow.cases.evidence(c.id) == []
        assert uow.cases.get_token("t" * 64) is None
        assert [e.action for e in uow.audit.latest(10, c.id)] == ["case.viewed"]


def test_attempts_count_within_the_window_and_clear(uow_factory):
    with uow_factory() as uow:
        for minutes in (0, 10, 20):
            uow.attempts.record_failure("k", T0 + timedelta(minutes=minutes))
        uow.attempts.record_failure("other", T0)
        uow.commit()
    with uow_factory() as uow:
        assert uow.attempts.failures_since("k", T0 + timedelta(minutes=5)) == 2
        uow.attempts.clear("k")
        uow.commit()
    with uow_factory() as uow:
        assert uow.attempts.failures_since("k", T0) == 0
        assert uow.attempts.failures_since("other", T0) == 1
        uow.attempts.purge_before(T0 + timedelta(seconds=1))
        uow.commit()
    with uow_factory() as uow:
        assert uow.attempts.failures_since("other", T0) == 0


def test_leaving_without_commit_rolls_back(uow_factory):
    with uow_factory() as uow:
        uow.cases.add(case(1, 0))
    with uow_factory() as uow:
        assert uow.cases.get(case(1, 0).id) is None


def test_case_codes_are_unique(uow_factory):
    from sqlalchemy.exc import IntegrityError

    with uow_factory() as uow:
        uow.cases.add(case(1, 0))
        uow.commit()
    duplicate = case(2, 0)
    duplicate.code = case(1, 0).code
    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.cases.add(duplicate)
        uow.commit()


def _received(n: int):
    from rempart.domain import custody

    return custody.received("case-1", f"item-{n}", f"{n:064x}", custody.ActorRole.REPORTER, T0)


def test_the_ledger_repository_appends_in_the_transaction_and_proves_entries(uow_factory,
                                                                             tmp_path):
    from rempart.config import Settings

    settings = Settings(data_dir=tmp_path)
    with uow_factory() as uow:
        assert uow.ledger.append_many([_received(1), _received(2)]) == [0, 1]
    with uow_factory() as uow:  # not committed: gone
        assert uow.ledger.received_indexes("case-1") == {}
        assert uow.ledger.append_many([_received(1), _received(2)]) == [0, 1]
        note = uow.ledger.sign_pending(settings)
        assert note is not None and "\n2\n" in note
        assert uow.ledger.sign_pending(settings) is None  # nothing new to sign
        uow.commit()
    with uow_factory() as uow:
        assert uow.ledger.received_indexes("case-1") == {"item-1": 0, "item-2": 1}
        proof = uow.ledger.receipt_proof(settings, 1)
        assert proof.checkpoint == note and '"item-2"' in proof.leaf
        assert len(proof.inclusion_proof) == 1


def test_the_fake_ledger_rolls_back_with_its_unit_of_work():
    from rempart.config import Settings
    from rempart.evidence.ledger import LedgerError
    from tests.fakes import FakeUnitOfWork

    uow, settings = FakeUnitOfWork(), Settings()
    with uow:
        uow.ledger.append(_received(1))
    with uow:
        assert uow.ledger.received_indexes("case-1") == {}
        assert uow.ledger.append_many([_received(1), _received(2)]) == [0, 1]
        uow.commit()
    with uow:
        assert uow.ledger.received_indexes("case-1") == {"item-1": 0, "item-2": 1}
        assert '"item-2"' in uow.ledger.receipt_proof(settings, 1).leaf
        with pytest.raises(LedgerError):
            uow.ledger.receipt_proof(settings, 2)
