from datetime import UTC, datetime, timedelta

from rempart.domain.cases import CaseKind
from rempart.domain.facts import ReportFacts
from rempart.domain.triage import (
    URGENT_RESPONSE,
    USUAL_RESPONSE,
    priority,
    reasons,
    response_due,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def order(cases):
    return [name for name, *_ in sorted(cases, key=lambda c: (-c[1], c[2]))]


def test_it_puts_minors_then_threats_then_intimate_images_then_oldest():
    cases = [
        ("old insults", priority(False, [CaseKind.INSULTS]), T0),
        ("new insults", priority(False, [CaseKind.INSULTS]), T0 + timedelta(days=1)),
        ("images", priority(False, [CaseKind.INTIMATE_IMAGES]), T0 + timedelta(days=2)),
        ("threats", priority(False, [CaseKind.THREATS]), T0 + timedelta(days=3)),
        ("minor insults", priority(True, [CaseKind.INSULTS]), T0 + timedelta(days=4)),
        ("threats+images", priority(False, [CaseKind.THREATS, CaseKind.INTIMATE_IMAGES]),
         T0 + timedelta(days=5)),
    ]
    assert order(cases) == ["minor insults", "threats+images", "threats", "images",
                            "old insults", "new insults"]


def test_a_minor_outranks_any_combination_of_kinds():
    assert priority(True, []) > priority(False, list(CaseKind))


def test_labels_raise_the_priority_like_the_kind_they_reveal():
    assert priority(False, [CaseKind.INSULTS], {"threat"}) == priority(False, [CaseKind.THREATS])
    assert priority(False, [CaseKind.INSULTS], {"doxxing"}) > priority(False, [CaseKind.INSULTS])


def test_self_harm_incitement_comes_first_and_unknown_labels_are_ignored():
    assert priority(False, [], {"self_harm_incitement"}) > priority(True, list(CaseKind))
    assert priority(False, [CaseKind.OTHER], {"neutral", "insult"}) == 0


def test_a_death_threat_to_a_thirteen_year_old_ranks_above_insults_to_an_adult():
    facts = ReportFacts(victim_age=13, death_threat=True)
    threatened_child = priority(False, [CaseKind.INSULTS], facts=facts)
    assert threatened_child > priority(False, [CaseKind.INSULTS])
    assert threatened_child > priority(True, [CaseKind.INSULTS])  # the threat adds to the age
    assert threatened_child == priority(True, [CaseKind.THREATS])


def test_thoughts_of_suicide_come_before_everything_else():
    assert priority(False, [], facts=ReportFacts(suicide_or_attempt=True)) > priority(
        True, list(CaseKind), facts=ReportFacts(death_threat=True, deepfake=True))


def test_it_spells_out_the_reasons_most_serious_first():
    found = reasons(False, [CaseKind.INSULTS, CaseKind.THREATS], {"doxxing"},
                    ReportFacts(victim_age=13, death_threat=True))
    assert [r.message for r in found] == ["death threat", "victim aged %(age)s",
                                          "personal details exposed"]
    assert found[1].values == {"age": 13}


def test_an_ordinary_case_has_no_reason_and_labels_give_theirs():
    assert reasons(False, [CaseKind.INSULTS]) == []
    assert [r.message for r in reasons(True, [], {"threat", "self_harm_incitement"})] == [
        "incitement to self-harm", "threats", "minor victim"]


def test_urgent_cases_are_due_sooner():
    assert response_due(priority(True, [])) == URGENT_RESPONSE < USUAL_RESPONSE
    assert response_due(priority(False, [CaseKind.THREATS])) == USUAL_RESPONSE
