"""Qualification: offences suggested from facts, penalty derivations, deadlines and reminders."""

from __future__ import annotations

from datetime import date

import pytest

from rempart.domain.offences import Penalty
from rempart.domain.qualification import (
    Facts,
    add_months,
    aggravations_of,
    approximate_period,
    assess,
    deadlines,
    remedies,
    reminders,
    suggest,
)


def ids(facts: Facts) -> list[str]:
    return [s.offence.id for s in suggest(facts)]


def by_id(facts: Facts, offence_id: str):
    return next(s for s in suggest(facts) if s.offence.id == offence_id)


def test_it_reaches_the_seeds_three_years_and_45000_euros():
    facts = Facts(kinds=frozenset({"insults"}), victim_age=14, repeated=True, online=True)
    harassment = by_id(facts, "222-33-2-2")
    assert harassment.penalty == Penalty(36, 45000)
    assert harassment.derivation("fr") == (
        "base 1 an / 15\u202f000 € (article 222-33-2-2 du Code pénal); "
        "+ victime mineure; + en ligne → 3 ans / 45\u202f000 €")
    assert harassment.derivation("en").endswith("+ minor victim; + online → 3 years / "
                                                "45\u202f000 €")


def test_it_gives_two_years_with_one_aggravation():
    facts = Facts(repeated=True, online=True, victim_age=30)
    assert by_id(facts, "222-33-2-2").penalty == Penalty(24, 30000)


def test_it_gives_the_base_penalty_offline_for_an_adult():
    facts = Facts(repeated=True, online=False, victim_age=30)
    assert by_id(facts, "222-33-2-2").penalty == Penalty(12, 15000)
    assert "→ 1 an" in by_id(facts, "222-33-2-2").derivation("fr")


def test_it_applies_the_raid_clause_for_several_authors_without_repetition():
    facts = Facts(kinds=frozenset({"insults"}), authors=12, repeated=False, public=True)
    assert "222-33-2-2" in ids(facts)
    assert "raid" in by_id(facts, "222-33-2-2").why("fr")


def test_it_treats_group_harassment_as_several_authors():
    assert "222-33-2-2" in ids(Facts(kinds=frozenset({"group_harassment"})))


def test_it_suggests_school_harassment_instead_when_authors_are_at_school():
    facts = Facts(repeated=True, school=True, victim_age=13)
    assert "222-33-2-3" in ids(facts) and "222-33-2-2" not in ids(facts)


def test_it_suggests_public_insult_for_public_insults():
    assert ids(Facts(kinds=frozenset({"insults"}), public=True)) == ["33-loi-1881"]


def test_it_suggests_private_insult_for_a_single_private_insult():
    assert ids(Facts(kinds=frozenset({"insults"}), public=False)) == ["R621-2"]


def test_it_suggests_malicious_messages_for_repeated_private_messages():
    assert "222-16" in ids(Facts(repeated=True, public=False))


def test_it_suggests_defamation_for_public_false_allegations():
    assert "32-loi-1881" in ids(Facts(false_allegations=True, public=True))


@pytest.mark.parametrize(("facts", "expected"), [
    (Facts(kinds=frozenset({"threats"})), ("222-17", Penalty(6, 7500))),
    (Facts(kinds=frozenset({"threats"}), death_threat=True), ("222-17", Penalty(36, 45000))),
    (Facts(labels=frozenset({"threat"}), threat_with_demand=True, death_threat=True),
     ("222-18", Penalty(60, 75000))),
])
def test_it_qualifies_threats(facts, expected):
    suggestion = suggest(facts)[0]
    assert (suggestion.offence.id, suggestion.penalty) == expected


def test_it_adds_images_of_minors_for_a_minor_victim_of_intimate_images():
    facts = Facts(kinds=frozenset({"intimate_images"}), victim_minor=True, public=True)
    assert ids(facts) == ["227-23", "226-2-1"]
    assert by_id(facts, "227-23").penalty == Penalty(84, 100000)


def test_it_qualifies_a_sexual_deepfake_online():
    facts = Facts(kinds=frozenset({"intimate_images"}), deepfake=True, victim_age=25)
    assert ids(facts) == ["226-8-1"]
    assert suggest(facts)[0].penalty == Penalty(36, 75000)


def test_it_qualifies_doxxing_and_identity_theft():
    facts = Facts(kinds=frozenset({"personal_info_exposure", "identity_theft"}), victim_age=16)
    assert ids(facts) == ["223-1-1", "226-4-1"]
    assert by_id(facts, "223-1-1").penalty == Penalty(60, 75000)


def test_it_uses_classifier_labels():
    facts = Facts(labels=frozenset({"doxxing", "identity_hate"}), public=True)
    assert set(ids(facts)) == {"223-1-1", "33-loi-1881"}
    assert by_id(facts, "33-loi-1881").penalty == Penalty(12, 45000)


def test_it_suggests_a_discriminatory_private_insult_instead_of_a_plain_one():
    facts = Facts(labels=frozenset({"identity_hate"}), public=False)
    assert ids(facts) == ["R625-8-1"]
    assert suggest(facts)[0].penalty == Penalty(0, 1500)
    assert ids(Facts(kinds=frozenset({"insults"}), public=False, discriminatory=True)) == [
        "R625-8-1"]


def test_it_suggests_sexual_harassment_for_repeated_sexual_messages():
    facts = Facts(labels=frozenset({"sexual"}), repeated=True, victim_age=16)
    assert {"222-33", "222-33-2-2"} <= set(ids(facts))
    assert by_id(facts, "222-33").penalty == Penalty(36, 45000)
    assert "222-33" not in ids(Facts(labels=frozenset({"sexual"}), repeated=False))


def test_it_counts_several_authors_of_sexual_harassment_as_an_aggravation():
    facts = Facts(labels=frozenset({"sexual"}), authors=4, online=False, victim_age=30)
    assert by_id(facts, "222-33").aggravations == {"several_authors"}
    assert by_id(facts, "222-33").penalty == Penalty(36, 45000)


def test_it_suggests_blackmail_for_sextortion_online():
    facts = Facts(kinds=frozenset({"intimate_images", "threats"}), threat_with_demand=True,
                  victim_age=19)
    sextortion = by_id(facts, "312-10")
    assert sextortion.penalty == Penalty(84, 100000)
    assert sextortion.derivation("fr").endswith("+ sextorsion en ligne → 7 ans / 100\u202f000 €")
    assert sextortion.derivation("en").endswith("+ online sextortion → 7 years / 100\u202f000 €")
    assert "312-10" not in ids(Facts(kinds=frozenset({"threats"}), threat_with_demand=True))


def test_it_suggests_sexual_propositions_to_a_child_under_15_online():
    facts = Facts(labels=frozenset({"sexual"}), victim_age=13)
    assert "227-22-1" in ids(facts)
    assert by_id(facts, "227-22-1").penalty == Penalty(24, 30000)
    assert "majeur" in by_id(facts, "227-22-1").why("fr")
    assert "227-22-1" not in ids(Facts(labels=frozenset({"sexual"}), victim_age=15))
    assert "227-22-1" not in ids(Facts(labels=frozenset({"sexual"}), victim_age=13, online=False))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_writes_derivations_and_reminders_for_the_added_offences(language):
    facts = Facts(labels=frozenset({"sexual", "identity_hate"}), kinds=frozenset({"threats"}),
                  threat_with_demand=True, repeated=True, public=False, victim_age=13,
                  first_fact=date(2026, 9, 1), last_fact=date(2026, 11, 1))
    assert {"222-33", "312-10", "227-22-1"} <= set(ids(facts))
    for suggestion in suggest(facts):
        assert suggestion.derivation(language).startswith("base ")
        assert suggestion.offence.article in suggestion.derivation(language)
    for reminder in reminders(facts, today=date(2026, 11, 17)):
        assert reminder.title(language) in reminder.message(language)


def test_it_says_one_year_not_one_years():
    facts = Facts(kinds=frozenset({"insults"}), public=True, discriminatory=True,
                  first_fact=date(2026, 9, 1))
    (deadline,) = deadlines(facts)
    assert (deadline.period_fr, deadline.period_en) == ("1 an", "1 year")


def test_it_suggests_nothing_without_facts():
    assert suggest(Facts(online=False)) == []


def test_it_derives_aggravations_from_age():
    assert {"victim_under_15", "minor_victim"} <= aggravations_of(Facts(victim_age=14))
    assert "victim_under_15" not in aggravations_of(Facts(victim_age=15))
    assert "minor_victim" not in aggravations_of(Facts(victim_age=18))
    assert "minor_victim" in aggravations_of(Facts(victim_minor=True))


def test_it_counts_three_months_from_the_first_public_insult():
    facts = Facts(kinds=frozenset({"insults"}), public=True,
                  first_fact=date(2026, 9, 1), last_fact=date(2026, 10, 15))
    (deadline,) = deadlines(facts)
    assert (deadline.expires, deadline.latest_expires) == (date(2026, 12, 1), date(2027, 1, 15))
    assert "article 65" in deadline.article and deadline.period_fr == "3 mois"


def test_it_counts_one_year_for_discriminatory_insults():
    facts = Facts(kinds=frozenset({"insults"}), public=True, discriminatory=True,
                  first_fact=date(2026, 9, 1))
    (deadline,) = deadlines(facts)
    assert deadline.expires == date(2027, 9, 1) and "65-3" in deadline.article


def test_it_counts_six_years_from_the_last_act_of_harassment():
    facts = Facts(repeated=True, online=False, first_fact=date(2024, 1, 10),
                  last_fact=date(2026, 2, 28))
    (deadline,) = deadlines(facts)
    assert deadline.expires == date(2032, 2, 28) and deadline.start == date(2026, 2, 28)


def test_it_has_no_deadline_without_dates():
    assert deadlines(Facts(repeated=True)) == []


def test_it_orders_reminders_soonest_first_and_marks_urgency():
    facts = Facts(kinds=frozenset({"insults"}), repeated=True, authors=3, public=True,
                  first_fact=date(2026, 9, 1), last_fact=date(2026, 11, 1))
    first, second = reminders(facts, today=date(2026, 11, 17))
    assert first.offence_id == "33-loi-1881" and first.deadline == date(2026, 12, 1)
    assert first.days_left == 14 and first.urgent and not first.expired and first.due_today
    assert first.remind_on == (date(2026, 11, 1), date(2026, 11, 17), date(2026, 11, 28))
    assert "2026-12-01" in first.message("fr") and "act before" in first.message("en")
    assert second.offence_id == "222-33-2-2" and not second.urgent
    assert second.remind_on == (date(2032, 5, 5), date(2032, 10, 2))


def test_it_marks_expired_deadlines():
    facts = Facts(kinds=frozenset({"insults"}), public=True, first_fact=date(2026, 1, 1))
    (reminder,) = reminders(facts, today=date(2026, 6, 1))
    assert reminder.expired and not reminder.urgent and "atteinte" in reminder.message("fr")


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2027, 11, 30), 3, date(2028, 2, 29)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 3, 15), 72, date(2032, 3, 15)),
    (date(2024, 2, 29), 72, date(2030, 2, 28)),
])
def test_it_adds_months_clamped_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_it_reads_facts_from_what_the_reporter_said():
    from rempart.domain.facts import ReportFacts
    from rempart.services.legal import facts_from

    facts = facts_from(ReportFacts(public=True), ("insults", "group_harassment"), (),
                       date(2026, 11, 1), victim_minor=True, handles=("@a", "@b", "@A"),
                       incident_text="depuis le 03/09/2026, encore le 2026-10-15")
    assert facts.kinds == {"insults", "group_harassment"} and facts.minor and facts.authors == 2
    assert (facts.first_fact, facts.last_fact) == (date(2026, 9, 3), date(2026, 10, 15))
    assert not facts.dates_estimated and facts.repeated is None
    assert reminders(facts, date(2026, 11, 1))[0].deadline == date(2026, 12, 3)


def test_it_skips_impossible_dates_and_finds_none_in_plain_text():
    from rempart.domain.qualification import dates_in

    assert dates_in("le 31/02/2026 puis le 1.3.2026") == [date(2026, 3, 1)]
    assert dates_in("depuis la rentrée") == []


# --- deadlines from the dates of the facts, estimated, unknown, from majority -----------------

def test_it_has_no_deadline_and_says_so_when_no_date_is_given():
    (item,) = [a for a in assess(Facts(repeated=True, online=False), date(2026, 12, 1))]
    assert item.deadline is None and item.status == "unknown"
    assert "Date des faits inconnue" in item.explanation("fr")
    assert "unknown" in item.explanation("en")


def test_it_marks_deadlines_from_an_approximation_as_estimated():
    start, end = approximate_period("depuis environ un mois", date(2026, 12, 1))
    assert (start, end) == (date(2026, 11, 1), date(2026, 12, 1))
    facts = Facts(repeated=True, online=False, first_fact=start, last_fact=end,
                  dates_estimated=True)
    (deadline,) = deadlines(facts)
    assert deadline.estimated and deadline.expires == date(2032, 12, 1)
    (reminder,) = reminders(facts, date(2026, 12, 1))
    assert reminder.estimated and "Date estimée" in reminder.message("fr")


@pytest.mark.parametrize(("text", "expected"), [
    ("depuis environ un mois", (date(2026, 11, 1), date(2026, 12, 1))),
    ("ça fait deux semaines", (date(2026, 11, 17), date(2026, 12, 1))),
    ("il y a 3 jours", (date(2026, 11, 28), date(2026, 11, 28))),
    ("depuis à peu près un an", (date(2025, 12, 1), date(2026, 12, 1))),
    ("for about two months", (date(2026, 10, 1), date(2026, 12, 1))),
    ("a week ago", (date(2026, 11, 24), date(2026, 11, 24))),
    ("depuis la rentrée", None),
    ("", None),
])
def test_it_reads_approximate_periods(text, expected):
    assert approximate_period(text, date(2026, 12, 1)) == expected


def test_it_counts_ten_years_from_majority_for_images_of_a_minor():
    facts = Facts(kinds=frozenset({"intimate_images"}), victim_age=13, age_on=date(2026, 12, 1),
                  first_fact=date(2026, 11, 20), last_fact=date(2026, 11, 20), repeated=False)
    images = next(d for d in deadlines(facts) if d.offence.id == "227-23")
    # 13 on 2026-12-01: 18 at the earliest on 2030-12-02, then 10 years (article 8, al. 2, CPP).
    assert images.from_majority and images.start == date(2030, 12, 2)
    assert images.expires == date(2040, 12, 2) and images.estimated
    assert "majorité" in images.rule("fr") and "706-47" in images.article
    sharing = next(d for d in deadlines(facts) if d.offence.id == "226-2-1")
    assert not sharing.from_majority and sharing.expires == date(2032, 11, 20)


def test_it_says_at_least_when_a_minor_victims_age_is_unknown():
    facts = Facts(kinds=frozenset({"intimate_images"}), victim_minor=True,
                  first_fact=date(2026, 11, 20), last_fact=date(2026, 11, 20), repeated=False)
    images = next(d for d in deadlines(facts) if d.offence.id == "227-23")
    assert images.at_least and not images.from_majority
    assert images.expires == date(2032, 11, 20)


def test_it_counts_majority_only_for_facts_done_while_a_minor():
    facts = Facts(kinds=frozenset({"intimate_images"}), victim_age=25, age_on=date(2026, 12, 1),
                  first_fact=date(2026, 11, 20), repeated=False)
    assert "227-23" not in [s.offence.id for s in suggest(facts)]
    adult_now = Facts(kinds=frozenset({"intimate_images"}), victim_age=19,
                      age_on=date(2026, 12, 1), first_fact=date(2022, 5, 1), repeated=False)
    assert adult_now.minor  # 19 today, so at most 15 in May 2022
    images = next(d for d in deadlines(adult_now) if d.offence.id == "227-23")
    assert images.from_majority and images.start == date(2024, 12, 2)


def test_it_says_a_2018_public_insult_is_time_barred_and_what_remains():
    facts = Facts(kinds=frozenset({"insults"}), public=True, repeated=False,
                  first_fact=date(2018, 3, 1), last_fact=date(2018, 3, 1))
    (item,) = assess(facts, date(2026, 12, 1))
    assert item.expired and item.deadline.expires == date(2018, 6, 1)
    assert item.explanation("fr").startswith("Prescrit depuis le 1er juin 2018")
    lines = remedies([item], "fr")
    assert any("plateforme" in line and "pas de délai" in line for line in lines)
    assert any("article 65" in line for line in lines)
    assert not any("Code civil" in line for line in lines)  # the press-law limit binds it too
    assert remedies([item], "en")[0].startswith("The platform can be asked")


def test_it_marks_public_insults_partly_time_barred():
    facts = Facts(kinds=frozenset({"insults"}), public=True, first_fact=date(2026, 7, 1),
                  last_fact=date(2026, 11, 1))
    (item,) = assess(facts, date(2026, 12, 1))
    assert item.status == "partly_expired" and not item.expired
    assert "1er octobre 2026" in item.explanation("fr") and "1er février 2027" in \
        item.explanation("fr")


def test_it_points_to_the_harassment_still_open_when_the_insults_expired():
    facts = Facts(kinds=frozenset({"insults"}), public=True, repeated=True,
                  first_fact=date(2025, 1, 10), last_fact=date(2025, 3, 1))
    items = assess(facts, date(2026, 12, 1))
    status = {a.suggestion.offence.id: a.status for a in items}
    assert status == {"222-33-2-2": "open", "33-loi-1881": "expired"}
    lines = remedies(items, "fr")
    assert lines[0].startswith("D'autres infractions peuvent encore être poursuivies")
    assert "222-33-2-2" in lines[0]
    assert any("Code civil" in line for line in lines) is False


def test_it_qualifies_a_partners_harassment():
    facts = Facts(repeated=True, partner=True, victim_age=30)
    assert "222-33-2-1" in ids(facts) and "222-33-2-2" not in ids(facts)
    assert by_id(facts, "222-33-2-1").penalty == Penalty(36, 45000)


def test_it_applies_the_elected_official_aggravation():
    facts = Facts(repeated=True, online=True, elected_official=True, victim_age=50)
    assert by_id(facts, "222-33-2-2").penalty == Penalty(36, 45000)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_its_generated_sentences_read_well(language):
    bad = [" de le ", " de les ", " à le ", " à les ", "  ", " ,", " .", "..", "1 ans", "1 years",
           "1 mois.", "un an s"]
    cases = [Facts(repeated=True, school=True, authors=3, victim_age=13),
             Facts(kinds=frozenset({"group_harassment", "insults"}), public=True, authors=30),
             Facts(kinds=frozenset({"threats"}), death_threat=True, threat_with_demand=True),
             Facts(kinds=frozenset({"intimate_images"}), deepfake=True, victim_age=14,
                   threat_with_demand=True),
             Facts(kinds=frozenset({"insults"}), public=True, discriminatory=True,
                   first_fact=date(2026, 1, 1)),
             Facts(kinds=frozenset({"personal_info_exposure", "identity_theft"}), victim_age=16,
                   first_fact=date(2020, 1, 1), last_fact=date(2020, 2, 1))]
    for facts in cases:
        for item in assess(facts, date(2026, 12, 1)):
            for text in (item.suggestion.why(language), item.explanation(language),
                         item.suggestion.derivation(language)):
                for phrase in bad:
                    assert phrase not in text, (text, phrase)
                assert text[0] == text[0].lower() or text[0].isupper()
        for line in remedies(assess(facts, date(2030, 12, 1)), language):
            assert line.endswith(".") and not any(phrase in line for phrase in bad)


def test_it_says_a_deadline_cannot_be_computed_rather_than_counting_from_the_report():
    facts = Facts(repeated=True, online=False)
    assert reminders(facts, date(2026, 12, 1)) == []
    (unknown,) = reminders(facts, date(2026, 12, 1), include_unknown=True)
    assert unknown.unknown and unknown.deadline is None and not unknown.urgent
    assert unknown.message("fr") == (
        "Harcèlement moral (y compris en ligne) : date des faits inconnue, le délai (6 ans à "
        "compter du dernier acte, article 8 du Code de procédure pénale) ne peut pas être "
        "calculé.")
    assert "cannot be computed" in unknown.message("en")
