"""The facts of a report: bounds, the JSON round trip, and contradictions pointed out."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rempart.domain.facts import (
    BOOLEAN_FACTS,
    MAX_APPROXIMATE_CHARS,
    InvalidFacts,
    ReportFacts,
    contradictions,
    stated_duration_days,
)

TODAY = date(2026, 12, 1)

_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))
_text = st.text(min_size=1, max_size=MAX_APPROXIMATE_CHARS).map(str.strip).filter(bool)
facts_strategy = st.builds(
    ReportFacts,
    victim_age=st.none() | st.integers(0, 120),
    authors=st.none() | st.integers(1, 10_000),
    started_on=st.none() | _days,
    last_on=st.none() | _days,
    approximately=st.none() | _text,
    **{name: st.none() | st.booleans() for name in BOOLEAN_FACTS},
)


@given(facts_strategy)
def test_the_json_form_reads_back_as_the_same_facts(facts):
    assert ReportFacts.from_dict(facts.as_dict()) == facts


@given(facts_strategy)
def test_unknown_facts_are_left_out_of_the_json_form(facts):
    data = facts.as_dict()
    assert all(value is not None for value in data.values())
    assert set(data) == {name for name, value in vars(facts).items() if value is not None}


@pytest.mark.parametrize("data, reason", [
    ({"victim_age": 300}, "victim_age"),
    ({"victim_age": "13"}, "whole number"),
    ({"authors": 0}, "authors"),
    ({"repeated": "yes"}, "true or false"),
    ({"started_on": "hier"}, "not a date"),
    ({"approximately": "x" * (MAX_APPROXIMATE_CHARS + 1)}, "approximately"),
    ({"repaeted": True}, "unknown fact: repaeted"),
])
def test_it_refuses_facts_out_of_bounds_with_a_reason(data, reason):
    with pytest.raises(InvalidFacts, match=reason):
        ReportFacts.from_dict(data)


def codes(facts, text="", today=TODAY):
    return [(c.code, c.fact) for c in contradictions(facts, text, today)]


def test_it_points_out_an_end_before_the_start_and_dates_in_the_future():
    facts = ReportFacts(started_on=date(2026, 11, 20), last_on=date(2026, 11, 1))
    assert codes(facts) == [("end_before_start", "last_on")]
    future = ReportFacts(started_on=TODAY + timedelta(days=3))
    assert codes(future) == [("date_in_future", "started_on")]


def test_a_duration_in_the_text_without_dates_is_pointed_out():
    text = "Des élèves de ma classe m’insultent sur Instagram depuis un mois"
    assert codes(ReportFacts(), text) == [("duration_without_dates", "started_on")]
    assert codes(ReportFacts(approximately="depuis environ un mois"), text) == []
    assert codes(ReportFacts(started_on=TODAY - timedelta(days=28)), text) == []
    assert codes(ReportFacts(started_on=date(2025, 1, 1)), text) == [
        ("duration_differs", "started_on")]


@pytest.mark.parametrize("text, days", [
    ("depuis un mois", 30), ("ça fait 3 semaines", 21), ("depuis deux ans", 730),
    ("for three weeks now", 21), ("depuis des mois", 90), ("hier soir", None),
])
def test_it_reads_durations_in_french_and_english(text, days):
    assert stated_duration_days(text) == days


def test_an_age_that_disagrees_with_the_text_is_pointed_out():
    assert codes(ReportFacts(victim_age=13), "je suis majeure et il continue") == [
        ("minor_but_adult", "victim_age")]
    assert codes(ReportFacts(victim_age=25), "J’ai 14 ans") == [("age_differs", "victim_age")]
    assert codes(ReportFacts(victim_age=20), "il est mineur") == [
        ("adult_but_minor", "victim_age")]
    assert codes(ReportFacts(victim_age=15), "j'ai 15 ans") == []


def test_answers_the_text_contradicts_are_pointed_out_never_changed():
    facts = ReportFacts(repeated=False, death_threat=False, suicide_or_attempt=False)
    text = "Il m'écrit tous les jours « je vais te tuer » et j'ai pensé au suicide"
    assert codes(facts, text) == [("not_repeated_but_text", "repeated"),
                                  ("death_threat_in_text", "death_threat"),
                                  ("suicide_in_text", "suicide_or_attempt")]
    assert facts.repeated is False  # pointed out, not overridden
    assert codes(ReportFacts(), text) == []  # unknown answers contradict nothing


def test_a_given_age_decides_whether_the_victim_is_a_minor():
    from rempart.domain.cases import CaseKind, ReportFields, validate_report

    def minor(age, box):
        return validate_report(ReportFields("texte", (CaseKind.INSULTS,), victim_is_minor=box,
                                            facts=ReportFacts(victim_age=age))).victim_is_minor

    assert minor(13, False) is True and minor(19, True) is False and minor(None, True) is True


def test_a_link_pasted_without_its_scheme_gets_https():
    from rempart.domain.cases import CaseKind, ReportFields, validate_report

    cleaned = validate_report(ReportFields("texte", (CaseKind.INSULTS,), urls=(
        "www.tiktok.com/@moqueur", "//x.com/a", "https://a.example/1", "tiktok.com/@moqueur")))
    assert cleaned.urls == ("https://www.tiktok.com/@moqueur", "https://x.com/a",
                            "https://a.example/1", "https://tiktok.com/@moqueur")
