from datetime import UTC, datetime, timedelta

from rempart.domain.cases import CaseKind
from rempart.domain.triage import priority, queue_key

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def order(cases):
    return [name for name, *_ in sorted(cases, key=lambda c: queue_key(c[1], c[2]))]


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
