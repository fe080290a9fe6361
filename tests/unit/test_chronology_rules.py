"""The chronology's rules (issue 14.4): screenshots' bubbles dated only under a full date, the
reporter's corrections, the first and last days, and the qualification using them (estimated)."""

from __future__ import annotations

from datetime import date

import pytest

from rempart.domain import qualification
from rempart.domain import timeline as t
from rempart.domain.facts import ReportFacts
from rempart.services import legal

TODAY = date(2026, 12, 2)


def test_a_bubble_gets_a_date_only_below_a_separator_showing_the_full_day():
    bubbles = [("left", "avant tout séparateur", "09:00"),
               ("center", "Aujourd'hui", None),
               ("left", "sous un séparateur sans année", "09:05"),
               ("center", "12 mars 2026", None),
               ("left", "t'es nulle", "14:02"),
               ("right", "arrête", "14:03"),
               ("left", "sans heure", None),
               ("center", "13/03/2026", None),
               ("left", "je vais te retrouver", "21h14")]
    lines = t.screenshot_lines(bubbles, "lu sur la capture a.png (pièce 3)", "fr", "ocr:x")
    assert [(line.at, line.text) for line in lines] == [
        ("2026-03-12T14:02:00", "Autre personne : t'es nulle"),
        ("2026-03-12T14:03:00", "Propriétaire du téléphone : arrête")]
    assert {line.key for line in lines} == {"ocr:x:4", "ocr:x:5"}
    assert t.full_date("12 mars") is None and t.full_date("31/02/2026") is None
    assert t.full_date("3 March 2026") == date(2026, 3, 3)


def test_corrections_change_a_date_exclude_a_line_and_add_one_the_latest_winning():
    lines = t.chronology(t.chat_lines([t.ChatMessage("2026-03-12T14:02:00", "Max", "a"),
                                       t.ChatMessage("2026-03-13T10:00:00", "Max", "b")],
                                      "export.txt (pièce 1)", "fr"))
    fixes = [t.Correction("date", "chat:0", "2026-03-01"),
             t.Correction("date", "chat:0", "2026-03-02", estimated=True),
             t.Correction("exclude", "chat:1"),
             t.Correction("add", "added:1", "2026-03-05", "il a publié ma photo"),
             t.Correction("date", "nothing:9", "2026-01-01")]
    fixed = t.corrected(lines, fixes, "vous l'avez indiqué")
    assert [(line.key, line.at, line.excluded) for line in fixed] == [
        ("chat:0", "2026-03-02", False), ("added:1", "2026-03-05", False),
        ("chat:1", "2026-03-13T10:00:00", True)]
    assert fixed[0].original_at == "2026-03-12T14:02:00" and fixed[0].estimated
    assert t.span(fixed) == (date(2026, 3, 2), date(2026, 3, 5))
    when, what = t.entry(fixed[0], "fr")
    assert when == "2026-03-02 (estimée)" and "la source indiquait 2026-03-12 14:02" in what
    back = t.corrected(lines, [*fixes, t.Correction("include", "chat:1")], "x")
    assert t.span(back) == (date(2026, 3, 2), date(2026, 3, 13))


def test_a_date_said_unknown_sorts_last_and_is_printed_so():
    lines = t.chat_lines([t.ChatMessage("2026-03-12T14:02:00", "Max", "a"),
                          t.ChatMessage("2026-03-13T10:00:00", "Max", "b")], "e", "en")
    fixed = t.corrected(lines, [t.Correction("date", "chat:0", "")], "you said so")
    assert [line.key for line in fixed] == ["chat:1", "chat:0"]
    assert t.entry(fixed[1], "en")[0] == "date unknown"
    assert t.span(fixed) == (date(2026, 3, 13), date(2026, 3, 13))


@pytest.mark.parametrize(("day", "clock", "reason"), [
    ("2026-02-30", "", "date"), ("hier", "", "date"), ("1989-12-31", "", "date_range"),
    ("2027-01-05", "", "date_range"), ("2026-03-01", "25:00", "time")])
def test_bad_dates_are_refused_with_their_reason(day, clock, reason):
    with pytest.raises(t.InvalidCorrection) as refused:
        t.parse_when(day, clock, TODAY)
    assert str(refused.value) == reason


def test_good_dates_and_texts():
    assert t.parse_when("2026-03-03", "", TODAY) == "2026-03-03"
    assert t.parse_when(" 2026-03-03 ", "21:14", TODAY) == "2026-03-03T21:14:00"
    assert t.clean_text("  il a\npublié  ") == "il a publié"
    for text, reason in (("   ", "text_missing"), ("x" * 281, "text_long")):
        with pytest.raises(t.InvalidCorrection, match=reason):
            t.clean_text(text)


def test_the_qualification_takes_the_chronology_only_for_dates_left_empty_and_says_estimated():
    span = (date(2026, 3, 1), date(2026, 3, 12))
    kinds = ["insults"]
    empty = legal.facts_from(ReportFacts(), kinds, (), TODAY, chronology=span)
    assert (empty.first_fact, empty.last_fact, empty.dates_estimated) == (*span, True)
    given = legal.facts_from(ReportFacts(started_on=date(2026, 2, 1), last_on=date(2026, 2, 9)),
                             kinds, (), TODAY, chronology=span)
    assert (given.first_fact, given.last_fact, given.dates_estimated) == (
        date(2026, 2, 1), date(2026, 2, 9), False)
    half = legal.facts_from(ReportFacts(started_on=date(2026, 2, 1)), kinds, (), TODAY,
                            chronology=span)
    assert (half.first_fact, half.last_fact, half.dates_estimated) == (
        date(2026, 2, 1), date(2026, 3, 12), True)
    said = legal.facts_from(ReportFacts(approximately="depuis environ un mois"), kinds, (),
                            TODAY, chronology=span)
    assert said.last_fact == TODAY  # what the reporter said comes before the chronology
    none = legal.facts_from(ReportFacts(), kinds, (), TODAY)
    assert none.first_fact is None and not none.dates_estimated
    reminders = qualification.reminders(empty, TODAY, include_unknown=True)
    assert reminders and all(r.estimated for r in reminders if r.deadline)
    assert "Date estimée." in reminders[0].message("fr")
