"""The encrypted vault on both engines: through the case services (keys commit with the unit of
work), tampering on disk, rotation without touching blobs, crypto-shredding."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from sqlalchemy import func, select

from rempart import bootstrap
from rempart.domain import custody
from rempart.domain.cases import CaseKind
from rempart.evidence import merkle
from rempart.evidence.blobstores import FilesystemBlobStore
from rempart.evidence.interface import EvidenceIntegrityError, EvidenceNotFound
from rempart.evidence.keys import FileKeyManager
from rempart.evidence.ledger import Ledger
from rempart.evidence.vault import EncryptedVault, key_usage, rotate_master_key
from rempart.services import cases
from rempart.services.uploads import Upload
from rempart.store.tables import EvidenceRecord
from rempart.store.vault_tables import VaultKeyRecord
from tests.cli_support import invoke_rempart

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)


def submit(services, *payloads: bytes) -> cases.SubmittedReport:
    uploads = [Upload(f"capture{i}.png", "image/png", io.BytesIO(p))
               for i, p in enumerate(payloads)]
    return cases.submit_report(
        services.uow(), services.store,
        cases.NewReport(description="Des menaces tous les jours.", kinds=[CaseKind.THREATS]),
        uploads, services.limits)


def read(services, case_id: str, item_id: str) -> bytes:
    return b"".join(services.store.open(case_id, item_id))


def blob_path(services, case_id: str, item_id: str):
    return services.settings.data_dir / "vault" / case_id / item_id


def test_it_is_the_default_store_and_keeps_only_ciphertext(services):
    assert isinstance(services.store, EncryptedVault)
    second = PNG + b"second"
    report = submit(services, PNG, second)
    assert [r.sha256 for r in report.receipts] == [hashlib.sha256(p).hexdigest()
                                                   for p in (PNG, second)]
    for receipt, payload in zip(report.receipts, (PNG, second), strict=True):
        assert read(services, report.case_id, receipt.item_id) == payload
        stored = blob_path(services, report.case_id, receipt.item_id).read_bytes()
        assert PNG[:200] not in stored
    with services.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(VaultKeyRecord)) == 2


def test_a_failed_unit_of_work_leaves_no_key_and_nothing_readable(services, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("database step failed after storing")

    monkeypatch.setattr(cases.audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        submit(services, PNG)
    with services.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(VaultKeyRecord)) == 0
        assert session.scalar(select(func.count()).select_from(EvidenceRecord)) == 0
    assert not [p for p in (services.settings.data_dir / "vault").rglob("*") if p.is_file()]


def test_it_refuses_unknown_items_and_items_of_another_case(services):
    report = submit(services, PNG)
    item = report.receipts[0].item_id
    with pytest.raises(EvidenceNotFound):
        services.store.open(report.case_id, "no-such-item")
    with pytest.raises(EvidenceNotFound):
        services.store.open("another-case", item)


def test_it_detects_a_changed_byte_a_missing_blob_and_swapped_blobs(services):
    first, second = submit(services, PNG), submit(services, PNG + b"x")
    a, b = first.receipts[0].item_id, second.receipts[0].item_id
    path_a, path_b = blob_path(services, first.case_id, a), blob_path(services, second.case_id, b)
    original = path_a.read_bytes()
    for position in (0, 5, 30, len(original) // 2, len(original) - 1):
        tampered = bytearray(original)
        tampered[position] ^= 0x01
        path_a.write_bytes(bytes(tampered))
        with pytest.raises(EvidenceIntegrityError):
            services.store.open(first.case_id, a)
    path_a.write_bytes(path_b.read_bytes())
    with pytest.raises(EvidenceIntegrityError):
        services.store.open(first.case_id, a)
    path_a.unlink()
    with pytest.raises(EvidenceIntegrityError):
        services.store.open(first.case_id, a)
    assert read(services, second.case_id, b) == PNG + b"x"


def test_rotation_rewraps_every_key_without_touching_blobs(services):
    reports = [submit(services, PNG + bytes([i])) for i in range(3)]
    blobs = {r.receipts[0].item_id: blob_path(services, r.case_id, r.receipts[0].item_id)
             .read_bytes() for r in reports}
    keys = services.store.keys
    old = keys.active_key_id()
    report = rotate_master_key(keys, services.session_factory, batch=2)
    # Three evidence keys and the three cases' text keys (issue 12.2).
    assert report.rewrapped == 6 and report.destroyed_key_ids == [old]
    assert keys.key_ids() == [report.new_key_id] == [keys.active_key_id()]
    assert key_usage(services.session_factory) == {report.new_key_id: 3}
    for i, r in enumerate(reports):
        item = r.receipts[0].item_id
        assert read(services, r.case_id, item) == PNG + bytes([i])
        assert blob_path(services, r.case_id, item).read_bytes() == blobs[item]
    fresh = bootstrap.build(services.settings)  # no cached text key: unwrapped anew
    try:
        for r in reports:
            assert cases.case_detail(fresh.uow(), r.case_id).description.startswith("Des ")
    finally:
        fresh.dispose()


def test_the_keys_command_rotates_and_reports(services, monkeypatch):
    report = submit(services, PNG)
    monkeypatch.setenv("REMPART_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("REMPART_DATABASE_URL", services.settings.resolved_database_url)
    rotated = invoke_rempart("keys", "rotate")
    status = invoke_rempart("keys", "status")
    assert rotated.exit_code == 0, rotated.output
    assert '"rewrapped": 2' in rotated.output  # the item's key and the case's text key
    assert status.exit_code == 0 and '": 1' in status.output
    fresh = FileKeyManager(services.settings.data_dir / "secrets" / "master-keys")
    vault = EncryptedVault(services.store.blobs, fresh, services.session_factory)
    assert b"".join(vault.open(report.case_id, report.receipts[0].item_id)) == PNG


def test_withdrawal_shreds_the_keys_while_the_ledger_keeps_the_hashes(services, tmp_path):
    report = submit(services, PNG)
    item = report.receipts[0].item_id
    backup = blob_path(services, report.case_id, item).read_bytes()
    cases.withdraw_case(services.uow(), services.store, report.case_id)
    with pytest.raises(EvidenceNotFound):
        services.store.open(report.case_id, item)
    with services.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(VaultKeyRecord)) == 0
        leaves = Ledger(session).case_leaves(report.case_id)
        events = [custody.CustodyEvent.from_leaf(bytes(leaf.leaf)) for leaf in leaves]
        assert [e.action for e in events] == [custody.CustodyAction.RECEIVED,
                                              custody.CustodyAction.SHREDDED]
        assert hashlib.sha256(PNG).hexdigest() in bytes(leaves[0].leaf).decode()
        ledger = Ledger(session)
        size = ledger.size()
        root = ledger.root(size)
        proof = ledger.inclusion_proof(leaves[0].idx, size)
        merkle.verify_inclusion(merkle.leaf_hash(bytes(leaves[0].leaf)), leaves[0].idx, size,
                                proof, root)
    assert not blob_path(services, report.case_id, item).exists()
    # A backup copy of the blob put back is still unreadable: its data key is gone.
    restored = blob_path(services, report.case_id, item)
    restored.parent.mkdir(parents=True)
    restored.write_bytes(backup)
    with pytest.raises(EvidenceNotFound):
        services.store.open(report.case_id, item)


def test_the_vault_works_without_a_unit_of_work(services, tmp_path):
    vault = EncryptedVault(FilesystemBlobStore(tmp_path / "blobs"),
                           FileKeyManager(tmp_path / "keys"), services.session_factory,
                           segment_size=1000)
    payload = os.urandom(5000)
    stored = vault.put("case-x", "item-x", io.BytesIO(payload))
    assert (stored.size, stored.sha256) == (5000, hashlib.sha256(payload).hexdigest())
    assert b"".join(vault.open("case-x", "item-x")) == payload
    with pytest.raises(ValueError):
        vault.put("case-x", "item-x", io.BytesIO(b"overwrite"))
    assert b"".join(vault.open("case-x", "item-x")) == payload
    vault.delete_case("case-x")
    with pytest.raises(EvidenceNotFound):
        vault.open("case-x", "item-x")


def test_a_put_after_the_unit_of_work_ended_commits_on_its_own(services):
    with services.uow():
        pass
    services.store.put("case-y", "item-y", io.BytesIO(b"late"))
    with services.session_factory() as session:
        assert session.get(VaultKeyRecord, "item-y") is not None
    with services.uow():  # inside one, the key waits for the caller's commit
        services.store.put("case-y", "item-z", io.BytesIO(b"rolled back"))
    with services.session_factory() as session:
        assert session.get(VaultKeyRecord, "item-z") is None
