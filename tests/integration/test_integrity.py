"""Edits outside the ledger (issue 12.10): evidence rows cross-checked against their "received"
entries both ways, and the audit log's hash chain, on both engines, through the real reporting
services and the real commands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select, update

from rempart.domain.audit import Actor, AuditAction
from rempart.services import audit, cases
from rempart.services.integrity import verify_audit, verify_ledger
from rempart.store.integrity_tables import AuditChainHead, AuditChainLink
from rempart.store.tables import AuditRecord, EvidenceRecord
from tests.cli_support import invoke_rempart
from tests.integration.test_vault import PNG, submit


@pytest.fixture
def instance(services, monkeypatch):
    monkeypatch.setenv("REMPART_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("REMPART_DATABASE_URL", services.settings.resolved_database_url)
    return services


def _problems(services) -> list[str]:
    return verify_ledger(services.settings, services.session_factory).problems


def _audited(services, count: int = 3) -> None:
    for n in range(count):
        with services.uow() as uow:
            audit.record(uow, Actor.STAFF, AuditAction.QUEUE_VIEWED, detail={"page": n})
            uow.commit()


def test_a_clean_instance_verifies(instance):
    submit(instance, PNG + b"one", PNG + b"two")
    _audited(instance)
    report = verify_ledger(instance.settings, instance.session_factory)
    assert report.problems == [] and report.evidence_rows == 2 and report.audit_links >= 4
    result = invoke_rempart("ledger", "verify")
    assert result.exit_code == 0 and "2 evidence rows match" in result.output
    assert invoke_rempart("audit", "verify").exit_code == 0


def test_a_changed_evidence_hash_is_caught(instance):
    report = submit(instance, PNG + b"one")
    item_id = report.receipts[0].item_id
    with instance.session_factory.begin() as session:
        session.execute(update(EvidenceRecord).where(EvidenceRecord.id == item_id)
                        .values(sha256="0" * 64))
    assert any(f"evidence {item_id}: SHA-256 is not the one logged" in p
               for p in _problems(instance))
    result = invoke_rempart("ledger", "verify")
    assert result.exit_code == 1 and item_id in result.output


def test_a_deleted_evidence_row_is_caught_but_a_withdrawn_case_is_not(instance):
    kept = submit(instance, PNG + b"kept")
    gone = submit(instance, PNG + b"gone")
    cases.withdraw_case(instance.uow(), instance.store, gone.case_id)
    assert _problems(instance) == []
    item_id = kept.receipts[0].item_id
    with instance.session_factory.begin() as session:
        session.execute(delete(EvidenceRecord).where(EvidenceRecord.id == item_id))
    assert any(f"evidence {item_id}" in p and "row is gone" in p for p in _problems(instance))


def test_an_evidence_row_added_outside_rempart_is_caught(instance):
    report = submit(instance, PNG + b"one")
    with instance.session_factory.begin() as session:
        session.add(EvidenceRecord(id="planted-item", case_id=report.case_id, file_name="x.png",
                                   media_type="image/png", size=1, sha256="1" * 64,
                                   received_at=datetime.now(UTC)))
    assert any("evidence planted-item: no 'received' entry" in p for p in _problems(instance))


def test_a_deleted_or_changed_audit_row_is_caught(instance):
    _audited(instance, 4)
    with instance.session_factory() as session:
        ids = list(session.scalars(select(AuditRecord.id).order_by(AuditRecord.id)))
    assert verify_audit(instance.settings, instance.session_factory).problems == []
    with instance.session_factory.begin() as session:
        session.execute(delete(AuditRecord).where(AuditRecord.id == ids[1]))
        session.execute(update(AuditRecord).where(AuditRecord.id == ids[2])
                        .values(action="case.viewed"))
    problems = verify_audit(instance.settings, instance.session_factory).problems
    assert f"audit row {ids[1]} was deleted" in " ".join(problems)
    assert f"audit row {ids[2]} was changed" in " ".join(problems)
    result = invoke_rempart("audit", "verify")
    assert result.exit_code == 1 and "was deleted" in result.output
    assert invoke_rempart("ledger", "verify").exit_code == 1


def test_an_audit_row_slipped_in_or_a_link_removed_is_caught(instance):
    _audited(instance, 3)
    with instance.session_factory.begin() as session:  # Core insert: what a raw SQL edit does
        session.execute(insert(AuditRecord.__table__).values(
            at=datetime.now(UTC), actor="staff", staff_id=None, action="case.viewed",
            case_id=None, detail={}))
    problems = verify_audit(instance.settings, instance.session_factory).problems
    assert any("is not in the chain" in p for p in problems)
    with instance.session_factory.begin() as session:
        session.execute(delete(AuditRecord).where(AuditRecord.action == "case.viewed"))
        session.execute(delete(AuditChainLink).where(AuditChainLink.seq == 2))
    problems = verify_audit(instance.settings, instance.session_factory).problems
    assert any("links 2 to 2 are missing" in p for p in problems)


def test_cutting_the_end_of_the_audit_log_is_caught_by_the_witness(instance):
    from rempart.evidence import custody_log

    submit(instance, PNG + b"one")
    _audited(instance, 2)
    with instance.session_factory.begin() as session:  # what every ingest path does next
        assert custody_log.sign_pending(session, instance.settings) is not None
    with instance.session_factory() as session:
        tip = session.get(AuditChainHead, 1).seq
    # The last audit row, its link and the tip rewound, consistently: the chain alone agrees...
    with instance.session_factory.begin() as session:
        last = session.get(AuditChainLink, tip)
        previous = session.get(AuditChainLink, tip - 1)
        session.execute(delete(AuditRecord).where(AuditRecord.id == last.audit_id))
        session.execute(delete(AuditChainLink).where(AuditChainLink.seq == tip))
        session.execute(update(AuditChainHead).values(seq=tip - 1, hash=previous.hash))
    from rempart.store.integrity_tables import audit_chain_problems

    with instance.session_factory() as session:
        assert audit_chain_problems(session)[1] == []
    # ... but not the witness, written when the report's checkpoint was committed.
    problems = verify_audit(instance.settings, instance.session_factory).problems
    assert any("audit log was cut or rewritten" in p for p in problems)


def test_concurrent_audited_transactions_chain_in_commit_order(instance):
    """Two units of work open at once, each auditing: the chain stays linear and verifies."""
    first, second = instance.uow(), instance.uow()
    with first, second:
        audit.record(first, Actor.STAFF, AuditAction.QUEUE_VIEWED)
        audit.record(second, Actor.STAFF, AuditAction.QUEUE_VIEWED)
        first.commit()
        second.commit()
    report = verify_audit(instance.settings, instance.session_factory)
    assert report.problems == [] and report.audit_links == 2
