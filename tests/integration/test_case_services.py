"""Reporter and staff services on a real database and evidence folder, both engines."""

import io
import re

import pyotp
import pytest

from rempart.domain.audit import AuditAction
from rempart.domain.cases import CaseKind, CaseStatus, MessageAuthor, ReporterRole
from rempart.domain.staff import StaffRole
from rempart.services import cases, staff
from rempart.services.errors import (
    CaseAccessDenied,
    CaseNotFound,
    Forbidden,
    InvalidReport,
    LoginFailed,
    TooManyAttempts,
    UploadRejected,
    UploadTooLarge,
)
from tests.integration.foundation_support import (  # noqa: F401 (fixture)
    ELF,
    PNG,
    audit_count,
    build,
    fast_argon2,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("fast_argon2")


@pytest.fixture
def app(tmp_path, migrated_url):
    services = build(tmp_path, migrated_url, max_file_bytes=4096, max_report_bytes=6000)
    yield services
    services.dispose()


def report(**overrides) -> cases.NewReport:
    base = dict(description="Il menace de publier mes photos", kinds=[CaseKind.THREATS],
                platforms=["instagram"], urls=["https://instagram.com/p/1"],
                victim_is_minor=True, reporter_role=ReporterRole.WITNESS)
    base.update(overrides)
    return cases.NewReport(**base)


def png(name="capture.png", data=PNG) -> cases.Upload:
    return cases.Upload(name, "image/png", io.BytesIO(data))


def submit(app, *uploads, **overrides):
    return cases.submit_report(app.uow(), app.store, report(**overrides), list(uploads),
                               app.limits)


def counselor(app, role=StaffRole.COUNSELOR, email="anne@example.org"):
    member, _ = staff.add_staff(app.uow(), app.totp_box, email, "mot de passe solide", role)
    return member


def test_a_reporter_files_comes_back_adds_evidence_and_reads_the_reply(app):
    submitted = submit(app, png())
    assert submitted.code.startswith("RMP-") and len(submitted.passphrase.split()) == 7
    [receipt] = submitted.receipts
    assert receipt.media_type == "image/png" and receipt.size == len(PNG)

    case_id = cases.open_case(app.uow(), submitted.code, submitted.passphrase)
    cases.add_evidence(app.uow(), app.store, case_id, [png("deux.png", PNG + b"2")],
                       app.limits)  # another file: the same one would not be stored twice
    cases.post_reporter_message(app.uow(), case_id, "Bonjour, il recommence")
    anne = counselor(app)
    staff.reply(app.uow(), anne, case_id, "Nous avons bien reçu votre signalement.")
    staff.add_note(app.uow(), anne, case_id, "Note interne")

    detail = cases.case_detail(app.uow(), case_id)
    assert [e.file_name for e in detail.evidence] == ["capture.png", "deux.png"]
    assert [m.author for m in detail.messages] == [MessageAuthor.REPORTER, MessageAuthor.STAFF]
    assert all(m.staff_email is None for m in detail.messages)  # no staff names to reporters
    receipt_read, chunks = cases.read_evidence(app.uow(), app.store, case_id, receipt.item_id)
    assert b"".join(chunks) == PNG


def test_staff_see_the_queue_notes_and_evidence_and_it_is_audited(app):
    minor_threat = submit(app, png())
    adult_insult = submit(app, kinds=[CaseKind.INSULTS], victim_is_minor=False)
    anne = counselor(app)
    rows = staff.queue(app.uow(), anne).rows
    assert [r.case_id for r in rows] == [minor_threat.case_id, adult_insult.case_id]
    assert rows[0].evidence_count == 1
    insults = staff.queue(app.uow(), anne, kind=CaseKind.INSULTS).rows
    assert insults[0].case_id == adult_insult.case_id

    staff.add_note(app.uow(), anne, minor_threat.case_id, "Appeler le 3018")
    detail = staff.staff_case_detail(app.uow(), anne, minor_threat.case_id)
    assert [n.body for n in detail.notes] == ["Appeler le 3018"]
    assert detail.notes[0].staff_email == "anne@example.org"
    item = minor_threat.receipts[0].item_id
    _, chunks = staff.staff_read_evidence(app.uow(), app.store, anne, minor_threat.case_id, item)
    assert b"".join(chunks) == PNG
    staff.set_status(app.uow(), anne, minor_threat.case_id, CaseStatus.REFERRED_TO_POLICE)
    referred = staff.queue(app.uow(), anne, status=CaseStatus.REFERRED_TO_POLICE).rows
    assert referred[0].case_id == minor_threat.case_id

    admin = counselor(app, StaffRole.ADMIN, "admin@example.org")
    actions = [e.action for e in staff.audit_log(app.uow(), admin)]
    for action in (AuditAction.CASE_VIEWED, AuditAction.EVIDENCE_VIEWED, AuditAction.NOTE_ADDED,
                   AuditAction.STATUS_CHANGED, AuditAction.QUEUE_VIEWED,
                   AuditAction.CASE_SUBMITTED, AuditAction.AUDIT_READ):
        assert action.value in actions
    entries = staff.audit_log(app.uow(), admin, limit=500)
    assert all("Appeler" not in repr(e.detail) for e in entries)  # contents never logged


def test_roles_are_enforced_by_the_services(app):
    submitted = submit(app)
    analyst = counselor(app, StaffRole.ANALYST)
    with pytest.raises(Forbidden):
        staff.audit_log(app.uow(), analyst)
    with pytest.raises(Forbidden):
        staff.reply(app.uow(), analyst, submitted.case_id, "bonjour")
    staff.disable_staff(app.uow(), analyst.email)
    with pytest.raises(Forbidden):
        staff.queue(app.uow(), analyst)


def test_a_wrong_passphrase_ten_times_locks_the_code_without_revealing_it(app):
    submitted = submit(app)
    before = snapshot(app)
    refusals = []
    for _ in range(10):
        with pytest.raises((CaseAccessDenied, TooManyAttempts)) as refused:
            cases.open_case(app.uow(), submitted.code, "mauvaise phrase secrete")
        refusals.append(type(refused.value))
    assert refusals == [CaseAccessDenied] * 5 + [TooManyAttempts] * 5
    with pytest.raises(TooManyAttempts):
        cases.open_case(app.uow(), submitted.code, submitted.passphrase)
    assert snapshot(app) == before

    unknown = []
    for _ in range(6):
        with pytest.raises((CaseAccessDenied, TooManyAttempts)) as refused:
            cases.open_case(app.uow(), "RMP-ZZZZ-ZZZZ", "mauvaise phrase secrete")
        unknown.append(str(refused.value))
    known_messages = [str(CaseAccessDenied())] * 5 + [str(TooManyAttempts())]
    assert unknown == known_messages  # the same answers whether the code exists or not


def test_the_lock_expires_after_the_window(app):
    from dataclasses import replace
    from datetime import timedelta

    submitted = submit(app)
    short = replace(app.attempts, max_failures=2, window=timedelta(seconds=0))
    for _ in range(3):
        with pytest.raises(CaseAccessDenied):
            cases.open_case(app.uow(), submitted.code, "faux", short)
    assert cases.open_case(app.uow(), submitted.code, submitted.passphrase, short)


@pytest.mark.parametrize("uploads, error, reason", [
    ([("gros.png", PNG * 8)], UploadTooLarge, "file too large"),
    ([(f"{n}.png", PNG) for n in range(6)],
     UploadTooLarge, "report too large"),
    ([("photo.png", ELF)], UploadRejected, "type not allowed: detected executable (ELF)"),
    ([("ok.png", PNG), ("vide.txt", b"")], UploadRejected, "empty file"),
])
def test_refused_uploads_leave_nothing_behind(app, uploads, error, reason):
    existing = submit(app, png())
    case_id = existing.case_id
    before, audits = snapshot(app), audit_count(app)
    assert before["evidence_items"] and len(before["files"]) >= 1
    with pytest.raises(error, match=re.escape(reason)):
        submit(app, *(png(n, d) for n, d in uploads))
    with pytest.raises(error, match=re.escape(reason)):
        cases.add_evidence(app.uow(), app.store, case_id, [png(n, d) for n, d in uploads],
                           app.limits)
    assert snapshot(app) == before
    assert audit_count(app) == audits


def test_an_empty_report_is_refused_and_nothing_is_stored(app):
    before = snapshot(app)
    with pytest.raises(InvalidReport, match="describe what happened"):
        submit(app, png(), description="  ")
    with pytest.raises(InvalidReport, match="at least one kind"):
        submit(app, kinds=[])
    assert snapshot(app) == before


def test_a_failing_store_leaves_no_row_and_no_file(app, monkeypatch):
    before = snapshot(app)
    real_put = app.store.put
    calls = []

    def failing_put(case_id, item_id, source):
        calls.append(item_id)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_put(case_id, item_id, source)

    monkeypatch.setattr(app.store, "put", failing_put)
    with pytest.raises(OSError):
        submit(app, png("a.png"), png("b.png", PNG + b"b"))
    assert snapshot(app) == before


def test_withdrawal_deletes_rows_and_files_and_ends_access(app):
    submitted = submit(app, png())
    case_id = cases.open_case(app.uow(), submitted.code, submitted.passphrase)
    token = cases.issue_case_token(app.uow(), case_id, 60)
    cases.post_reporter_message(app.uow(), case_id, "je retire")
    cases.withdraw_case(app.uow(), app.store, case_id)
    state = snapshot(app)
    assert state["cases"] == [] and state["evidence_items"] == [] and state["messages"] == []
    assert not [name for name, _ in state["files"] if name.startswith(("evidence", "vault"))]
    with pytest.raises(CaseAccessDenied):
        cases.case_for_token(app.uow(), token)
    with pytest.raises(CaseAccessDenied):
        cases.open_case(app.uow(), submitted.code, submitted.passphrase)
    with pytest.raises(CaseNotFound):
        cases.case_detail(app.uow(), case_id)


def test_staff_login_needs_password_and_totp(app):
    member, secret = staff.add_staff(app.uow(), app.totp_box, "Bob@Example.org",
                                     "mot de passe solide", StaffRole.ADMIN)
    code = pyotp.TOTP(secret).now()

    def login(password, totp_code):
        return staff.authenticate(app.uow(), app.totp_box, "bob@example.org", password,
                                  totp_code)

    with pytest.raises(LoginFailed):
        login("mauvais mot de passe", code)
    with pytest.raises(LoginFailed):
        login("mot de passe solide", "000000" if code != "000000" else "111111")
    assert login("mot de passe solide", code) == member
    with pytest.raises(LoginFailed):  # the same code cannot be replayed
        login("mot de passe solide", code)
    token = staff.start_session(app.uow(), member, 60)
    assert staff.staff_for_session(app.uow(), token) == member
    staff.end_session(app.uow(), token)
    with pytest.raises(LoginFailed):
        staff.staff_for_session(app.uow(), token)


def test_expired_and_disabled_sessions_are_refused(app):
    member, _ = staff.add_staff(app.uow(), app.totp_box, "c@example.org",
                                "mot de passe solide", StaffRole.COUNSELOR)
    expired = staff.start_session(app.uow(), member, -1)
    with pytest.raises(LoginFailed):
        staff.staff_for_session(app.uow(), expired)
    staff.start_session(app.uow(), member, 600)
    assert len(snapshot(app)["staff_sessions"]) == 1  # the expired one was purged
    live = staff.start_session(app.uow(), member, 600)
    staff.disable_staff(app.uow(), member.email)
    with pytest.raises(LoginFailed):
        staff.staff_for_session(app.uow(), live)


def test_expired_case_tokens_are_refused_and_purged(app):
    submitted = submit(app)
    expired = cases.issue_case_token(app.uow(), submitted.case_id, -1)
    with pytest.raises(CaseAccessDenied):
        cases.case_for_token(app.uow(), expired)
    live = cases.issue_case_token(app.uow(), submitted.case_id, 600)
    assert cases.case_for_token(app.uow(), live) == submitted.case_id
    assert len(snapshot(app)["case_tokens"]) == 1


def test_signals_raise_the_priority(app):
    insult = submit(app, kinds=[CaseKind.INSULTS], victim_is_minor=False)
    before = cases.add_signals(app.uow(), insult.case_id, set())
    assert cases.add_signals(app.uow(), insult.case_id, {"threat"}) > before


def test_the_facts_are_stored_with_the_case_and_read_back(app):
    from datetime import date

    from rempart.domain.facts import ReportFacts

    facts = ReportFacts(victim_age=13, school=True, repeated=True, public=False,
                        started_on=date(2026, 10, 1), approximately="  depuis la rentrée ")
    submitted = cases.submit_report(app.uow(), app.store,
                                    report(facts=facts, victim_is_minor=False), [],
                                    app.limits)
    detail = cases.case_detail(app.uow(), submitted.case_id)
    assert detail.facts == ReportFacts(victim_age=13, school=True, repeated=True, public=False,
                                       started_on=date(2026, 10, 1),
                                       approximately="depuis la rentrée")
    assert detail.victim_is_minor  # derived from the age given, whatever the box said
    assert detail.incident_dates == "2026-10-01"


def test_the_reporter_edits_the_facts_and_each_change_is_a_custody_event(app):
    from sqlalchemy import select

    from rempart.domain.facts import ReportFacts
    from rempart.store.ledger_tables import LedgerLeaf

    submitted = cases.submit_report(app.uow(), app.store,
                                    report(facts=ReportFacts(school=True)), [], app.limits)

    def facts_leaves():
        with app.session_factory() as session:
            return [bytes(leaf.leaf).decode() for leaf in session.scalars(
                select(LedgerLeaf).where(LedgerLeaf.case_id == submitted.case_id)
                .order_by(LedgerLeaf.idx)) if b"facts_recorded" in bytes(leaf.leaf)]

    assert len(facts_leaves()) == 1
    changed = cases.update_facts(app.uow(), submitted.case_id,
                                 ReportFacts(school=True, victim_age=12, repeated=True))
    assert changed == ["repeated", "victim_age"]
    detail = cases.case_detail(app.uow(), submitted.case_id)
    assert detail.facts == ReportFacts(school=True, victim_age=12, repeated=True)
    assert detail.victim_is_minor
    assert len(facts_leaves()) == 2 and "victim_age" not in facts_leaves()[1]  # a digest only
    assert cases.update_facts(app.uow(), submitted.case_id, detail.facts) == []
    assert len(facts_leaves()) == 2
    with app.uow() as uow:
        [event] = [e for e in uow.audit.latest(10, submitted.case_id)
                   if e.action == "case.facts_updated"]
        assert event.detail == {"facts": "repeated,victim_age"}


def test_a_fact_out_of_bounds_is_refused_and_the_stored_facts_are_kept(app):
    from rempart.domain.facts import ReportFacts

    submitted = cases.submit_report(app.uow(), app.store,
                                    report(facts=ReportFacts(victim_age=14)), [], app.limits)
    with pytest.raises(InvalidReport, match="victim_age"):
        cases.update_facts(app.uow(), submitted.case_id, ReportFacts(victim_age=400))
    assert cases.case_detail(app.uow(), submitted.case_id).facts == ReportFacts(victim_age=14)
