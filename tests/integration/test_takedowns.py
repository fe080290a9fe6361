"""Takedown requests on both engines: drafted from the case, sent, acknowledged, decided, with
custody events, audit entries, overdue flags and access checks; sent by e-mail to a real local
SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from rempart.domain import takedowns as rules
from rempart.domain.custody import CustodyAction, CustodyEvent
from rempart.domain.staff import StaffRole
from rempart.services import staff as staff_services
from rempart.services import takedowns
from rempart.services.errors import CaseNotFound, Forbidden
from rempart.services.takedowns import Change, TakedownError
from rempart.store.ledger_tables import LedgerLeaf
from rempart.store.tables import AuditRecord
from rempart.store.workbench_tables import TakedownRecord
from tests.integration.foundation_support import fast_argon2  # noqa: F401
from tests.integration.workbench_support import (  # noqa: F401
    file_case,
    mailbox,
    workbench_services,
)

S = rules.TakedownStatus
URL = "https://www.instagram.com/p/abc/"


@pytest.fixture
def app(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    services = workbench_services(tmp_path, migrated_url)
    yield services
    services.dispose()


def _leaves(services, action: CustodyAction) -> list[CustodyEvent]:
    with services.session_factory() as session:
        return [e for e in (CustodyEvent.from_leaf(bytes(row.leaf))
                            for row in session.scalars(select(LedgerLeaf)))
                if e.action is action]


def _audit(services) -> list[str]:
    with services.session_factory() as session:
        return [a.action for a in session.scalars(select(AuditRecord).order_by(AuditRecord.id))]


def test_a_takedown_goes_from_draft_to_decision_with_a_custody_event_for_each_state(app):
    case = file_case(app)
    drafted = takedowns.draft_takedown(app, case.case_id, URL, "instagram")
    assert drafted.status is S.DRAFTED and drafted.platform == "Instagram"
    assert drafted.notice["urls"] == [URL]
    assert drafted.notice["notifier"]["email"] == "dsa@asso.example"
    assert drafted.notice["source_type"] == "SOURCE_ARTICLE_16"
    sent = takedowns.set_status(app, drafted.id, Change(S.SENT, reference="IG-123"))
    assert sent.channel is rules.SendChannel.FORM and sent.reference == "IG-123"
    assert sent.due_at == sent.sent_at + timedelta(hours=48)
    takedowns.set_status(app, drafted.id, Change(S.ACKNOWLEDGED))
    statement = rules.StatementOfReasons(
        decision_visibility=("DECISION_VISIBILITY_CONTENT_REMOVED",),
        decision_ground="DECISION_GROUND_ILLEGAL_CONTENT",
        category="STATEMENT_CATEGORY_CYBER_VIOLENCE",
        category_specification=(rules.KEYWORD_CYBER_HARASSMENT,), puid="puid-1")
    with pytest.raises(TakedownError, match="before the request was sent"):
        takedowns.set_status(app, drafted.id, Change(S.REMOVED, at=sent.sent_at - timedelta(
            minutes=1)))
    done = takedowns.set_status(app, drafted.id, Change(S.REMOVED, statement=statement))
    assert done.status is S.REMOVED and done.statement == statement
    assert done.decided_at >= sent.sent_at and done.decided
    assert [e.status for e in done.events] == [S.DRAFTED, S.SENT, S.ACKNOWLEDGED, S.REMOVED]
    leaves = _leaves(app, CustodyAction.TAKEDOWN_STATUS)
    assert [leaf.target for leaf in leaves] == ["Instagram:drafted", "Instagram:sent",
                                                "Instagram:acknowledged", "Instagram:removed"]
    assert all(leaf.item_id == drafted.id and leaf.case_id == case.case_id for leaf in leaves)
    assert len({leaf.sha256 for leaf in leaves}) == 4  # each commits to a different state
    assert [e.leaf_index for e in done.events] == sorted(e.leaf_index for e in done.events)
    actions = _audit(app)
    assert actions.count("takedown.created") == 1 and actions.count("takedown.updated") == 3


def test_it_refuses_a_change_out_of_order_and_changes_nothing(app):
    case = file_case(app)
    drafted = takedowns.draft_takedown(app, case.case_id, URL, "Instagram")
    with pytest.raises(TakedownError, match="cannot become removed"):
        takedowns.set_status(app, drafted.id, Change(S.REMOVED))
    with pytest.raises(TakedownError, match="reference"):
        takedowns.set_status(app, drafted.id, Change(S.SENT))
    with pytest.raises(TakedownError, match="future"):
        takedowns.set_status(app, drafted.id, Change(S.SENT, reference="r",
                                                     at=datetime.now(UTC) + timedelta(days=1)))
    again = takedowns.takedown(app, drafted.id)
    assert again.status is S.DRAFTED and len(again.events) == 1
    assert len(_leaves(app, CustodyAction.TAKEDOWN_STATUS)) == 1


def test_it_refuses_an_unknown_platform_a_bad_url_and_an_unknown_case(app):
    case = file_case(app)
    with pytest.raises(TakedownError, match="unknown platform"):
        takedowns.draft_takedown(app, case.case_id, URL, "Myspace")
    with pytest.raises(TakedownError, match="URL"):
        takedowns.draft_takedown(app, case.case_id, "instagram.com/p/abc", "Instagram")
    with pytest.raises(CaseNotFound):
        takedowns.draft_takedown(app, "00000000-0000-0000-0000-000000000000", URL, "Instagram")
    with pytest.raises(CaseNotFound):
        takedowns.set_status(app, "nope", Change(S.SENT, reference="x"))


def test_a_notice_without_the_notifiers_address_is_refused(tmp_path, migrated_url,
                                                           fast_argon2):  # noqa: F811
    services = workbench_services(tmp_path, migrated_url, organisation_email="")
    try:
        case = file_case(services)
        with pytest.raises(TakedownError, match="REMPART_ORGANISATION_EMAIL"):
            takedowns.draft_takedown(services, case.case_id, URL, "Instagram")
    finally:
        services.dispose()


def test_overdue_requests_are_flagged_trusted_flaggers_first(tmp_path, migrated_url,
                                                              fast_argon2):  # noqa: F811
    directory = tmp_path / "platforms.yaml"
    directory.write_text("platforms:\n"
                         "  - {name: Slow, service_level_hours: 24, domains: [slow.example]}\n"
                         "  - {name: Fast, service_level_hours: 2, trusted_flagger: true}\n")
    services = workbench_services(tmp_path, migrated_url, platforms_file=directory,
                                  trusted_flagger=True)
    try:
        case = file_case(services)
        now = datetime.now(UTC)
        slow = takedowns.draft_takedown(services, case.case_id, "https://slow.example/1", "Slow")
        fast = takedowns.draft_takedown(services, case.case_id, "https://fast.example/1", "fast")
        assert fast.trusted_flagger and not slow.trusted_flagger
        assert fast.notice["source_type"] == "SOURCE_TRUSTED_FLAGGER"
        for item, hours_ago in ((slow, 30), (fast, 3)):
            with services.session_factory() as session, session.begin():
                session.get(TakedownRecord, item.id).created_at = now - timedelta(hours=40)
            takedowns.set_status(services, item.id, Change(
                S.SENT, reference="ref", at=now - timedelta(hours=hours_ago)))
        assert takedowns.list_takedowns(services, overdue_only=True, now=now - timedelta(
            hours=7)) == []
        overdue = takedowns.list_takedowns(services, overdue_only=True)
        assert [t.platform for t in overdue] == ["Fast", "Slow"]
        flagged = takedowns.flag_overdue(services)
        assert [t.platform for t in flagged] == ["Fast", "Slow"]
        assert takedowns.flag_overdue(services) == []  # flagged once
        takedowns.set_status(services, fast.id, Change(S.REFUSED))
        refused = takedowns.takedown(services, fast.id)
        assert not refused.overdue
        assert [s.id for s in refused.next_steps][:2] == ["internal_complaint", "out_of_court"]
        assert [t.platform for t in takedowns.list_takedowns(services, overdue_only=True)] == [
            "Slow"]
    finally:
        services.dispose()


def test_a_broken_platforms_file_is_a_clear_error(tmp_path, migrated_url,
                                                  fast_argon2):  # noqa: F811
    directory = tmp_path / "platforms.yaml"
    directory.write_text("platforms: [{name: A, service_level_hours: -1}]\n")
    services = workbench_services(tmp_path, migrated_url, platforms_file=directory)
    try:
        case = file_case(services)
        with pytest.raises(TakedownError, match="service_level_hours"):
            takedowns.draft_takedown(services, case.case_id, URL, "A")
        services.settings.platforms_file = tmp_path / "missing.yaml"
        with pytest.raises(TakedownError, match="cannot be read"):
            takedowns.draft_takedown(services, case.case_id, URL, "A")
    finally:
        services.dispose()


def test_an_analyst_may_work_on_takedowns_and_a_disabled_account_may_not(app):
    case = file_case(app)
    member, _ = staff_services.add_staff(app.uow(), app.totp_box, "analyste@asso.example",
                                         "correct horse battery", StaffRole.ANALYST)
    drafted = takedowns.draft_takedown(app, case.case_id, URL, "Instagram", staff=member)
    assert takedowns.case_takedowns(app, case.case_id, staff=member)[0].id == drafted.id
    assert "takedown.viewed" in _audit(app)
    staff_services.disable_staff(app.uow(), "analyste@asso.example")
    with pytest.raises(Forbidden):
        takedowns.set_status(app, drafted.id, Change(S.SENT, reference="r"), staff=member)


def test_the_notice_is_emailed_to_the_platforms_dsa_contact(  # noqa: F811
        tmp_path, migrated_url, mailbox, fast_argon2):  # noqa: F811
    directory = tmp_path / "platforms.yaml"
    directory.write_text("platforms:\n  - {name: Instagram, dsa_email: dsa@platform.example,"
                         " service_level_hours: 24}\n  - {name: Other}\n")
    services = workbench_services(tmp_path, migrated_url, platforms_file=directory,
                                  smtp_url=mailbox.url, smtp_from="rempart@asso.example")
    try:
        case = file_case(services, contact=None)
        drafted = takedowns.draft_takedown(services, case.case_id, URL, "Instagram")
        assert drafted.can_email
        sent = takedowns.send_by_email(services, drafted.id)
        assert sent.status is S.SENT and sent.channel is rules.SendChannel.EMAIL
        [mail] = mailbox.messages
        assert mail["X-Envelope-To"] == "dsa@platform.example"
        assert mail["Reply-To"] == "dsa@asso.example"
        parsed = BytesParser(policy=policy.default).parsebytes(mail.as_bytes())
        names = [part.get_filename() for part in parsed.iter_attachments()]
        assert names == [f"notice-{case.code}.pdf", f"notice-{case.code}.json"]
        assert URL in parsed.get_body(("plain",)).get_content()
        assert sent.reference and sent.reference in mail["Message-ID"]
        shared = _leaves(services, CustodyAction.SHARED_WITH_PLATFORM)
        assert [leaf.target for leaf in shared] == ["Instagram"]
        with pytest.raises(TakedownError, match="already sent"):
            takedowns.send_by_email(services, drafted.id)
        other = takedowns.draft_takedown(services, case.case_id, URL, "Other")
        with pytest.raises(TakedownError, match="no DSA contact e-mail"):
            takedowns.send_by_email(services, other.id)
    finally:
        services.dispose()


def test_a_failed_email_leaves_the_takedown_drafted(  # noqa: F811
        tmp_path, migrated_url, mailbox, fast_argon2):  # noqa: F811
    directory = tmp_path / "platforms.yaml"
    directory.write_text("platforms:\n  - {name: P, dsa_email: dsa@platform.example}\n")
    services = workbench_services(tmp_path, migrated_url, platforms_file=directory,
                                  smtp_url=mailbox.url)
    try:
        case = file_case(services)
        drafted = takedowns.draft_takedown(services, case.case_id, URL, "P")
        mailbox.refuse = 1
        with pytest.raises(TakedownError, match="451"):
            takedowns.send_by_email(services, drafted.id)
        assert takedowns.takedown(services, drafted.id).status is S.DRAFTED
    finally:
        services.dispose()


def test_the_evidence_report_and_the_bundle_list_takedowns_and_referrals(app, tmp_path):
    import io
    import json
    import subprocess

    from rempart.domain.custody import ActorRole
    from rempart.domain.referrals import ReferralFields, ReferralTarget
    from rempart.evidence import bundle
    from rempart.services import custody, documents, referrals

    case = file_case(app)
    drafted = takedowns.draft_takedown(app, case.case_id, URL, "Instagram")
    takedowns.set_status(app, drafted.id, Change(S.SENT, reference="IG-9"))
    takedowns.set_status(app, drafted.id, Change(S.REFUSED))
    referrals.record_referral(app.uow, case.case_id, ReferralFields(
        ReferralTarget.PHAROS, datetime.now(UTC).date(), reference="PHA-5"))
    pdf = documents.evidence_report(app, case.case_id, documents.OPERATOR, "fr")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   check=True).stdout.decode().split())
    assert "Demandes de retrait et signalements" in text
    assert "Instagram — refused" in text and "IG-9" in text and "PHA-5" in text
    out = io.BytesIO()
    custody.export_bundle(app.uow(), app.settings, app.store, case.case_id, out,
                          ActorRole.OPERATOR)
    members = bundle.members_of(out.getvalue())
    follow = json.loads(members["follow-up.json"])
    [item] = follow["takedowns"]
    assert item["status"] == "refused" and item["reference"] == "IG-9"
    assert [h["status"] for h in item["history"]] == ["drafted", "sent", "refused"]
    assert follow["referrals"][0]["target"] == "pharos"
    bundle_path = tmp_path / "bundle.zip"
    bundle_path.write_bytes(out.getvalue())
    report = bundle.verify_bundle(bundle_path, trusted_key=members["log-key.txt"].decode())
    assert report is not None  # the new member is covered by SHA256SUMS and verifies
