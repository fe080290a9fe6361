"""The services against the in-memory unit of work (no database): fast checks of the rules."""

import io

import pytest

from rempart.domain.cases import CaseKind, CaseStatus
from rempart.domain.staff import StaffRole
from rempart.security.totp_crypto import TotpSecretBox
from rempart.services import cases, staff
from rempart.services.errors import (
    CaseAccessDenied,
    CaseNotFound,
    Forbidden,
    StaffError,
    TooManyAttempts,
)
from rempart.services.uploads import UploadLimits
from tests.evidence_support import FilesystemEvidenceStore
from tests.fakes import FakeUnitOfWork
from tests.integration.foundation_support import PNG, fast_argon2  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_argon2")
LIMITS = UploadLimits(max_file_bytes=10_000, max_report_bytes=20_000)


@pytest.fixture
def uow():
    return FakeUnitOfWork()


@pytest.fixture
def store(tmp_path):
    return FilesystemEvidenceStore(tmp_path)


def submit(uow, store, kinds=(CaseKind.INSULTS,), minor=False, files=()):
    return cases.submit_report(uow, store, cases.NewReport("ça continue", list(kinds),
                                                           victim_is_minor=minor),
                               [cases.Upload(n, None, io.BytesIO(d)) for n, d in files], LIMITS)


def test_a_report_commits_once_with_its_evidence_and_audit(uow, store):
    submitted = submit(uow, store, files=[("a.png", PNG)])
    assert uow.commits == 1
    assert len(uow.fake_cases.evidence_rows.committed) == 1
    [event] = uow.fake_audit.events.committed.values()
    assert event.action == "case.submitted" and event.detail == {"files": 1, "role": "victim"}
    assert submitted.receipts[0].sha256 in {e.sha256 for e in
                                            uow.fake_cases.evidence_rows.committed.values()}


def test_a_failure_before_commit_rolls_back_and_deletes_the_files(uow, store, monkeypatch):
    monkeypatch.setattr(uow, "commit", lambda: (_ for _ in ()).throw(RuntimeError("db down")))
    with pytest.raises(RuntimeError):
        submit(uow, store, files=[("a.png", PNG)])
    assert uow.fake_cases.cases.committed == {}
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_the_lock_counts_failures_per_code(uow, store):
    submitted = submit(uow, store)
    policy = cases.AttemptPolicy(max_failures=2)
    for _ in range(2):
        with pytest.raises(CaseAccessDenied):
            cases.open_case(uow, submitted.code, "non", policy)
    with pytest.raises(TooManyAttempts):
        cases.open_case(uow, submitted.code, submitted.passphrase, policy)
    other = submit(uow, store)
    assert cases.open_case(uow, other.code, other.passphrase, policy) == other.case_id


def test_staff_actions_check_the_role_before_touching_anything(uow, store):
    submitted = submit(uow, store, kinds=[CaseKind.THREATS], minor=True)
    analyst, _ = staff.add_staff(uow, TotpSecretBox(bytes(32)), "an@example.org",
                                 "mot de passe solide", StaffRole.ANALYST)
    commits = uow.commits
    with pytest.raises(Forbidden):
        staff.reply(uow, analyst, submitted.case_id, "bonjour")
    with pytest.raises(Forbidden):
        staff.audit_log(uow, analyst)
    assert uow.commits == commits
    staff.set_status(uow, analyst, submitted.case_id, CaseStatus.IN_REVIEW)
    assert staff.queue(uow, analyst).rows[0].status is CaseStatus.IN_REVIEW
    with pytest.raises(CaseNotFound):
        staff.set_status(uow, analyst, "missing", CaseStatus.CLOSED)


def test_the_queue_comes_in_pages_and_refuses_impossible_page_numbers(uow, store):
    for _ in range(5):
        submit(uow, store)
    analyst, _ = staff.add_staff(uow, TotpSecretBox(bytes(32)), "an@example.org",
                                 "mot de passe solide", StaffRole.ANALYST)
    pages = [staff.queue(uow, analyst, page=n, page_size=2) for n in (1, 2, 3, 4)]
    assert [len(p.rows) for p in pages] == [2, 2, 1, 0]
    assert [p.has_next for p in pages] == [True, True, False, False]
    assert [p.has_previous for p in pages] == [False, True, True, True]
    assert pages[1].first_position == 3
    assert len({r.case_id for p in pages for r in p.rows}) == 5
    assert [e.detail.get("page") for e in uow.fake_audit.events.committed.values()
            if e.action == "queue.viewed"] == [1, 2, 3, 4]
    for page, size in ((0, 50), (staff.MAX_QUEUE_PAGE + 1, 50), (1, 0)):
        with pytest.raises(StaffError):
            staff.queue(uow, analyst, page=page, page_size=size)


def test_a_report_and_its_withdrawal_are_custody_events_of_the_unit_of_work(uow, store):
    submitted = submit(uow, store, files=[("a.png", PNG)])
    assert submitted.receipts[0].leaf_index == 0
    cases.withdraw_case(uow, store, submitted.case_id)
    assert [e.action.value for e in uow.fake_ledger.events()] == ["item_received",
                                                                  "item_shredded"]


def test_a_receipt_proof_is_given_only_for_a_receipt_of_the_same_case(uow, store, tmp_path):
    import json

    from rempart.config import Settings
    from rempart.services import custody

    settings = Settings(data_dir=tmp_path)
    mine = submit(uow, store, files=[("a.png", PNG)])
    other = submit(uow, store, files=[("b.png", PNG)])
    assert custody.sign_checkpoint(uow, settings) is not None
    proof = json.loads(custody.receipt_proof(uow, settings, mine.case_id, 0))
    assert proof["leaf_index"] == 0 and mine.receipts[0].item_id in proof["leaf"]
    with pytest.raises(CaseNotFound):
        custody.receipt_proof(uow, settings, mine.case_id, other.receipts[0].leaf_index)


def test_a_staff_export_needs_its_member_and_an_active_account(uow, store, tmp_path):
    from rempart.config import Settings
    from rempart.domain.custody import ActorRole
    from rempart.services import custody

    settings = Settings(data_dir=tmp_path)
    submitted = submit(uow, store)
    with pytest.raises(ValueError):
        custody.export_bundle(uow, settings, store, submitted.case_id, io.BytesIO(),
                              ActorRole.STAFF)
    member, _ = staff.add_staff(uow, TotpSecretBox(bytes(32)), "an@example.org",
                                "mot de passe solide", StaffRole.ANALYST)
    staff.disable_staff(uow, "an@example.org")
    with pytest.raises(Forbidden):
        custody.export_bundle(uow, settings, store, submitted.case_id, io.BytesIO(),
                              ActorRole.STAFF, member)
    assert not any(e.action == "evidence.exported"
                   for e in uow.fake_audit.events.committed.values())
