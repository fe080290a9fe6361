"""Referrals on both engines: each a custody event and an audit entry; the school only with
the reporter's consent; the 119 only for a minor; nothing stored when refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from rempart.domain.custody import CustodyAction, CustodyEvent
from rempart.domain.referrals import ReferralFields, ReferralTarget
from rempart.domain.staff import StaffRole
from rempart.services import referrals
from rempart.services import staff as staff_services
from rempart.services.errors import CaseNotFound, Forbidden
from rempart.services.referrals import ReferralError
from rempart.store.ledger_tables import LedgerLeaf
from rempart.store.tables import AuditRecord
from tests.integration.foundation_support import fast_argon2  # noqa: F401
from tests.integration.workbench_support import file_case, workbench_services

TODAY = date.today()


@pytest.fixture
def app(tmp_path, migrated_url, fast_argon2):  # noqa: F811
    services = workbench_services(tmp_path, migrated_url)
    yield services
    services.dispose()


def _referral_leaves(services) -> list[CustodyEvent]:
    with services.session_factory() as session:
        events = [CustodyEvent.from_leaf(bytes(r.leaf)) for r in session.scalars(
            select(LedgerLeaf).order_by(LedgerLeaf.idx))]
    return [e for e in events if e.action is CustodyAction.REFERRAL_MADE]


def test_each_referral_is_a_custody_event_without_its_details(app):
    case = file_case(app)
    pharos = referrals.record_referral(app.uow, case.case_id, ReferralFields(
        ReferralTarget.PHAROS, TODAY, reference="PHA-2026-77"))
    police = referrals.record_referral(app.uow, case.case_id, ReferralFields(
        ReferralTarget.POLICE, TODAY - timedelta(days=1), reference="PV 2026/001",
        service="Brigade de gendarmerie de Rodez"))
    child = referrals.record_referral(app.uow, case.case_id, ReferralFields(
        ReferralTarget.CHILD_HELPLINE, TODAY))
    found, consent = referrals.case_referrals(app.uow, case.case_id)
    assert [r.id for r in found] == [pharos.id, police.id, child.id] and not consent
    assert found[1].service == "Brigade de gendarmerie de Rodez"
    leaves = _referral_leaves(app)
    assert [(e.item_id, e.target) for e in leaves] == [(pharos.id, "pharos"),
                                                        (police.id, "police"), (child.id, "119")]
    assert [r.leaf_index for r in found] == sorted(r.leaf_index for r in found)
    assert all("PV" not in e.leaf_bytes().decode() for e in leaves)
    with app.session_factory() as session:
        actions = [a.action for a in session.scalars(select(AuditRecord))]
    assert actions.count("referral.recorded") == 3


def test_the_school_needs_the_reporters_consent_given_from_the_portal(app):
    case = file_case(app)
    school = ReferralFields(ReferralTarget.SCHOOL, TODAY, service="Collège Jean Moulin")
    with pytest.raises(ReferralError, match="consent"):
        referrals.record_referral(app.uow, case.case_id, school)
    referrals.set_school_consent(app.uow, case.case_id, True)
    assert referrals.case_referrals(app.uow, case.case_id)[1]
    assert referrals.record_referral(app.uow, case.case_id, school).service == school.service
    referrals.set_school_consent(app.uow, case.case_id, False)
    with pytest.raises(ReferralError, match="consent"):
        referrals.record_referral(app.uow, case.case_id, school)
    assert len(referrals.case_referrals(app.uow, case.case_id)[0]) == 1


def test_a_refused_referral_stores_nothing(app):
    case = file_case(app, minor=False)
    with pytest.raises(ReferralError, match="minor"):
        referrals.record_referral(app.uow, case.case_id,
                                  ReferralFields(ReferralTarget.CHILD_HELPLINE, TODAY))
    with pytest.raises(ReferralError, match="procès-verbal"):
        referrals.record_referral(app.uow, case.case_id, ReferralFields(
            ReferralTarget.POLICE, TODAY, service="Commissariat"))
    assert referrals.case_referrals(app.uow, case.case_id)[0] == []
    assert _referral_leaves(app) == []
    with pytest.raises(CaseNotFound):
        referrals.record_referral(app.uow, "00000000-0000-0000-0000-000000000000",
                                  ReferralFields(ReferralTarget.PHAROS, TODAY))


def test_a_disabled_account_cannot_record_a_referral(app):
    case = file_case(app)
    member, _ = staff_services.add_staff(app.uow(), app.totp_box, "c@asso.example",
                                         "correct horse battery", StaffRole.COUNSELOR)
    referrals.record_referral(app.uow, case.case_id,
                              ReferralFields(ReferralTarget.PHAROS, TODAY), staff=member)
    staff_services.disable_staff(app.uow(), "c@asso.example")
    with pytest.raises(Forbidden):
        referrals.record_referral(app.uow, case.case_id,
                                  ReferralFields(ReferralTarget.PHAROS, TODAY), staff=member)
