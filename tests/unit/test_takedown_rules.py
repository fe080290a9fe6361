"""Takedown states, the Art. 17 statement of reasons, the platform directory and deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rempart.domain import takedowns as rules
from rempart.domain.referrals import (
    InvalidReferral,
    ReferralFields,
    ReferralTarget,
    validate_referral,
)

S = rules.TakedownStatus
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_takedown_goes_from_draft_to_sent_to_acknowledged_to_a_decision():
    rules.check_transition(S.DRAFTED, S.SENT)
    rules.check_transition(S.SENT, S.ACKNOWLEDGED)
    for decision in rules.DECISIONS:
        rules.check_transition(S.ACKNOWLEDGED, decision)
        rules.check_transition(S.SENT, decision)


@pytest.mark.parametrize(("current", "new"), [
    (S.DRAFTED, S.ACKNOWLEDGED), (S.DRAFTED, S.REMOVED), (S.SENT, S.DRAFTED),
    (S.ACKNOWLEDGED, S.SENT), (S.REMOVED, S.REFUSED), (S.REMOVED, S.SENT)])
def test_it_refuses_a_transition_out_of_order(current, new):
    with pytest.raises(rules.InvalidTakedown, match="cannot become"):
        rules.check_transition(current, new)


def test_a_refusal_can_be_reversed_after_a_complaint_but_a_removal_is_final():
    rules.check_transition(S.REFUSED, S.REMOVED)
    rules.check_transition(S.NO_ANSWER, S.REFUSED)
    assert rules.allowed_next(S.REMOVED) == frozenset()


def test_a_refusal_offers_the_dsa_next_steps_and_a_removal_none():
    ids = [step.id for step in rules.next_steps(S.REFUSED)]
    assert ids == ["internal_complaint", "out_of_court", "arcom", "pharos"]
    assert "Article 20" in rules.next_steps(S.NO_ANSWER)[0].title("en")
    assert rules.next_steps(S.REMOVED) == ()


def test_the_statement_of_reasons_uses_the_transparency_database_names():
    statement = rules.StatementOfReasons(
        decision_visibility=("DECISION_VISIBILITY_CONTENT_REMOVED",),
        decision_account="DECISION_ACCOUNT_SUSPENDED",
        decision_ground="DECISION_GROUND_ILLEGAL_CONTENT",
        category="STATEMENT_CATEGORY_CYBER_VIOLENCE",
        category_specification=(rules.KEYWORD_CYBER_HARASSMENT,
                                rules.KEYWORD_NON_CONSENSUAL_IMAGE_SHARING,
                                rules.KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE),
        puid="TK-2026-0001")
    data = statement.as_dict()
    assert set(data) == {"decision_visibility", "decision_account", "decision_monetary",
                         "decision_provision", "decision_ground", "category",
                         "category_specification", "puid"}
    assert rules.StatementOfReasons.from_dict(data) == statement
    assert rules.StatementOfReasons.from_dict(None).empty


@pytest.mark.parametrize("field", ["decision_account", "decision_ground", "category"])
def test_it_refuses_a_value_the_database_does_not_have(field):
    with pytest.raises(rules.InvalidTakedown, match=field):
        rules.StatementOfReasons.from_dict({field: "DECISION_MADE_UP"})


def test_it_refuses_an_unknown_keyword_and_a_repeated_one():
    with pytest.raises(rules.InvalidTakedown, match="category_specification"):
        rules.StatementOfReasons(category_specification=("KEYWORD_NOPE",))
    with pytest.raises(rules.InvalidTakedown, match="repeated"):
        rules.StatementOfReasons(category_specification=(rules.KEYWORD_CYBER_HARASSMENT,) * 2)


def test_the_shipped_directory_parses_and_finds_a_platform_by_name_or_url():
    directory = rules.parse_platforms_text(rules.default_platforms_text())
    assert directory.get("instagram").name == "Instagram"
    assert directory.for_url("https://www.tiktok.com/@x/video/1").name == "TikTok"
    assert directory.for_url("https://example.org/") is None
    with pytest.raises(rules.InvalidTakedown, match="unknown platform"):
        directory.get("Myspace")


@pytest.mark.parametrize(("yaml_text", "reason"), [
    ("platforms: []", "non-empty"),
    ("platforms: [{name: A, dsa_email: not-an-address}]", "dsa_email"),
    ("platforms: [{name: A, form_url: 'http://a.example'}]", "https"),
    ("platforms: [{name: A, service_level_hours: 0}]", "service_level_hours"),
    ("platforms: [{name: A}, {name: a}]", "twice"),
    ("platforms: [{dsa_email: a@b.fr}]", "name is required"),
    ("platforms: [", "not valid YAML"),
])
def test_it_refuses_a_broken_directory_naming_the_entry(yaml_text, reason):
    with pytest.raises(rules.InvalidTakedown, match=reason):
        rules.parse_platforms_text(yaml_text)


def test_a_request_is_overdue_once_its_service_level_ran_out_while_waiting():
    platform = rules.Platform("P", None, None, 24, False)
    sent = NOW - timedelta(hours=25)
    assert rules.due_at(sent, platform) == NOW - timedelta(hours=1)
    assert rules.is_overdue(S.SENT, sent, platform, NOW)
    assert rules.is_overdue(S.ACKNOWLEDGED, sent, platform, NOW)
    assert not rules.is_overdue(S.REMOVED, sent, platform, NOW)
    assert not rules.is_overdue(S.SENT, NOW - timedelta(hours=23), platform, NOW)
    assert not rules.is_overdue(S.DRAFTED, None, platform, NOW)


@pytest.mark.parametrize("url", ["instagram.com/p/1", "ftp://x.example/a", "https://",
                                 "https://a.example/with space"])
def test_it_refuses_a_content_address_that_is_not_a_full_url(url):
    with pytest.raises(rules.InvalidTakedown, match="URL"):
        rules.validate_url(url)


TODAY = date(2026, 12, 1)


def test_a_police_referral_needs_the_service_and_the_report_number():
    with pytest.raises(InvalidReferral, match="police station"):
        validate_referral(ReferralFields(ReferralTarget.POLICE, TODAY, reference="PV 1"),
                          victim_is_minor=False, school_consent=False, today=TODAY)
    with pytest.raises(InvalidReferral, match="procès-verbal"):
        validate_referral(ReferralFields(ReferralTarget.POLICE, TODAY, service="Commissariat"),
                          victim_is_minor=False, school_consent=False, today=TODAY)
    done = validate_referral(ReferralFields(ReferralTarget.POLICE, TODAY, "  2026/123 ",
                                            "Commissariat   du 11e"),
                             victim_is_minor=False, school_consent=False, today=TODAY)
    assert (done.reference, done.service) == ("2026/123", "Commissariat du 11e")


def test_the_school_is_told_only_with_the_reporters_consent():
    fields = ReferralFields(ReferralTarget.SCHOOL, TODAY, service="Collège Jean Moulin")
    with pytest.raises(InvalidReferral, match="consent"):
        validate_referral(fields, victim_is_minor=True, school_consent=False, today=TODAY)
    assert validate_referral(fields, victim_is_minor=True, school_consent=True, today=TODAY)


def test_the_119_is_for_a_minor_and_no_referral_is_dated_in_the_future():
    with pytest.raises(InvalidReferral, match="minor"):
        validate_referral(ReferralFields(ReferralTarget.CHILD_HELPLINE, TODAY),
                          victim_is_minor=False, school_consent=False, today=TODAY)
    with pytest.raises(InvalidReferral, match="future"):
        validate_referral(ReferralFields(ReferralTarget.PHAROS, TODAY + timedelta(days=1)),
                          victim_is_minor=False, school_consent=False, today=TODAY)
