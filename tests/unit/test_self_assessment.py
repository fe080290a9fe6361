"""Self-assessment: the right path, emergency numbers first, services that fit."""

from __future__ import annotations

from rempart.domain.self_assessment import Answers, assess


def test_it_puts_112_then_3114_first_on_danger_and_suicidal_thoughts():
    result = assess(Answers(danger_now=True, suicidal_thoughts=True))
    assert result.emergency_first[:2] == ("112", "3114")
    assert set(result.emergency_first) == {"112", "3114", "17", "114"}


def test_it_puts_112_and_3114_first_on_suicidal_thoughts_alone():
    assert assess(Answers(suicidal_thoughts=True)).emergency_first == ("112", "3114")


def test_it_lists_emergency_numbers_on_danger_alone():
    assert assess(Answers(danger_now=True)).emergency_first == ("112", "17", "114")


def test_it_has_no_emergency_section_otherwise():
    assert assess(Answers(what=frozenset({"insults"}))).emergency_first == ()


def test_it_routes_each_role_to_its_path_and_unknown_roles_to_the_victim_path():
    assert assess(Answers(role="witness")).path == "/temoin"
    assert assess(Answers(role="adult")).path == "/parent"
    assert assess(Answers(role="nonsense")).path == "/victime"


def test_it_recognises_harassment_from_repetition_or_several_people_or_harm():
    assert assess(Answers(repeated=True)).looks_like_harassment
    assert assess(Answers(several_people=True)).looks_like_harassment
    assert assess(Answers(what=frozenset({"insults"}), affects_health=True)).looks_like_harassment
    assert not assess(Answers(what=frozenset({"insults"}))).looks_like_harassment


def test_it_picks_services_that_fit():
    minor = assess(Answers(what=frozenset({"intimate_images"}), under_18=True, public=True))
    assert minor.services == ("3018", "119", "takeitdown", "pharos")
    adult = assess(Answers(what=frozenset({"intimate_images", "personal_info_exposure"})))
    assert adult.services == ("3018", "stopncii", "cnil")


def test_it_ignores_unknown_kinds():
    assert assess(Answers(what=frozenset({"x"}))).facts.kinds == frozenset()


def test_a_suicide_answer_never_meets_not_harassment_yet():
    for answers in (Answers(suicidal_thoughts=True),
                    Answers(suicidal_thoughts=True, what=frozenset({"insults"})),
                    Answers(suicidal_thoughts=True, repeated=True),
                    Answers(danger_now=True)):
        result = assess(answers)
        assert result.verdict == "safety_first" and result.safety_first
        assert {"112"} <= set(result.emergency_first[:2])
    assert "3114" in assess(Answers(suicidal_thoughts=True)).emergency_first[:2]


def test_the_verdict_is_harassment_or_not_yet_without_danger():
    assert assess(Answers(repeated=True)).verdict == "harassment"
    assert assess(Answers(what=frozenset({"insults"}))).verdict == "not_yet"
