"""Legal knowledge base: articles, penalties, aggravations and the data's review fields."""

from __future__ import annotations

from datetime import date

import pytest

from rempart.domain import offences
from rempart.domain.offences import OFFENCES, Penalty, load_legal_base, parse_legal_base

REQUIRED = {"222-33-2-2", "222-33-2-3", "226-2-1", "226-8-1", "223-1-1", "222-17", "222-18",
            "226-4-1", "222-16", "227-23", "33-loi-1881", "32-loi-1881"}
# Offences the classifier's labels point to (added after the issue's list).
ADDED = ("222-33", "312-10", "227-22-1", "24-loi-1881", "R625-8-1")


def test_it_covers_every_offence_of_the_issue():
    assert set(OFFENCES) >= REQUIRED | set(ADDED)


def test_it_knows_every_offence_a_classifier_label_points_to():
    from rempart.detect.classifier.labels import LABEL_OFFENCES

    missing = {label: [o for o in ids if o not in OFFENCES]
               for label, ids in LABEL_OFFENCES.items()}
    assert {label: ids for label, ids in missing.items() if ids} == {}


def test_it_cites_an_article_in_every_statement():
    for offence in OFFENCES.values():
        assert "article" in offence.article
        assert "article" in offence.prescription.article
        assert offence.elements_fr and offence.elements_en


def test_it_carries_a_last_checked_date_and_a_disclaimer():
    base = load_legal_base()
    assert "vérifiés le 1er décembre 2026" in offences.disclaimer("fr")
    assert "checked on 1 December 2026" in offences.disclaimer("en")
    assert base.last_checked.isoformat() == "2026-12-01"
    assert "pas un conseil juridique" in offences.disclaimer("fr")
    assert "not legal advice" in offences.disclaimer("en")


@pytest.mark.parametrize(("aggravations", "expected"), [
    (set(), Penalty(12, 15000)),
    ({"online"}, Penalty(24, 30000)),
    ({"minor_victim"}, Penalty(24, 30000)),
    ({"online", "minor_victim"}, Penalty(36, 45000)),
    ({"victim_under_15"}, Penalty(12, 15000)),  # since 2022 the aggravation is any minor
    ({"elected_official"}, Penalty(24, 30000)),  # 4° bis, law of 21 March 2024
    ({"online", "vulnerable_victim", "itt_over_8_days"}, Penalty(36, 45000)),
    ({"death_threat"}, Penalty(12, 15000)),  # not an aggravation of harassment
])
def test_it_computes_the_harassment_maximum(aggravations, expected):
    assert OFFENCES["222-33-2-2"].penalty(aggravations) == expected


def test_it_states_the_raid_clause_for_several_authors():
    harassment = OFFENCES["222-33-2-2"]
    assert "plusieurs personnes" in (harassment.raid_clause("fr") or "")
    assert "concert" in (harassment.raid_clause("en") or "")


@pytest.mark.parametrize(("offence_id", "aggravations", "expected"), [
    ("222-33-2-3", set(), Penalty(36, 45000)),
    ("222-33-2-3", {"itt_over_8_days"}, Penalty(60, 75000)),
    ("222-33-2-3", {"itt_over_8_days", "suicide_or_attempt"}, Penalty(120, 150000)),
    ("226-2-1", {"online"}, Penalty(24, 60000)),
    ("226-8-1", set(), Penalty(24, 60000)),
    ("226-8-1", {"online"}, Penalty(36, 75000)),
    ("223-1-1", set(), Penalty(36, 45000)),
    ("223-1-1", {"minor_victim"}, Penalty(60, 75000)),
    ("222-17", set(), Penalty(6, 7500)),
    ("222-17", {"death_threat"}, Penalty(36, 45000)),
    ("222-18", {"death_threat"}, Penalty(60, 75000)),
    ("226-4-1", set(), Penalty(12, 15000)),
    ("222-16", set(), Penalty(12, 15000)),
    ("222-16", {"partner"}, Penalty(36, 45000)),
    ("222-33-2-1", set(), Penalty(36, 45000)),
    ("222-33-2-1", {"itt_over_8_days"}, Penalty(60, 75000)),
    ("222-33-2-1", {"minor_witness"}, Penalty(60, 75000)),
    ("222-33-2-1", {"suicide_or_attempt"}, Penalty(120, 150000)),
    ("222-17", {"partner"}, Penalty(36, 45000)),
    ("222-17", {"partner", "death_threat"}, Penalty(60, 75000)),
    ("222-17", {"discriminatory"}, Penalty(24, 30000)),
    ("222-18", set(), Penalty(36, 45000)),
    ("222-18", {"partner"}, Penalty(60, 75000)),
    ("222-18", {"partner", "death_threat"}, Penalty(84, 100000)),
    ("227-23-1", set(), Penalty(84, 100000)),
    ("227-23-1", {"victim_under_15"}, Penalty(120, 150000)),
    ("223-13", {"victim_under_15"}, Penalty(60, 75000)),
    ("227-23", {"public_network"}, Penalty(84, 100000)),
    ("33-loi-1881", set(), Penalty(0, 12000)),
    ("33-loi-1881", {"discriminatory"}, Penalty(12, 45000)),
    ("222-33", set(), Penalty(24, 30000)),
    ("222-33", {"victim_under_15"}, Penalty(36, 45000)),
    ("222-33", {"online"}, Penalty(36, 45000)),
    ("222-33", {"several_authors"}, Penalty(36, 45000)),
    ("222-33", {"online", "victim_under_15", "several_authors"}, Penalty(36, 45000)),
    ("222-33", {"death_threat"}, Penalty(24, 30000)),
    ("312-10", set(), Penalty(60, 75000)),
    ("312-10", {"threat_carried_out"}, Penalty(84, 100000)),
    ("312-10", {"sexual_images_online"}, Penalty(84, 100000)),
    ("227-22-1", set(), Penalty(24, 30000)),
    ("227-22-1", {"followed_by_meeting"}, Penalty(60, 75000)),
    ("227-22-1", {"online"}, Penalty(24, 30000)),
    ("24-loi-1881", set(), Penalty(12, 45000)),
    ("24-loi-1881", {"discriminatory", "online"}, Penalty(12, 45000)),
    ("R625-8-1", set(), Penalty(0, 1500)),
])
def test_it_computes_each_offence_maximum(offence_id, aggravations, expected):
    assert OFFENCES[offence_id].penalty(aggravations) == expected


def test_it_uses_a_three_month_prescription_for_the_1881_law():
    for offence_id in ("33-loi-1881", "32-loi-1881"):
        rule = OFFENCES[offence_id].prescription
        assert (rule.years, rule.months) == (0, 3) and "article 65" in rule.article
        assert rule.discriminatory_years == 1


def test_it_uses_six_years_from_the_last_act_for_harassment():
    for offence_id in ("222-33-2-2", "222-33"):
        rule = OFFENCES[offence_id].prescription
        assert (rule.years, rule.start) == (6, "last_act")


@pytest.mark.parametrize(("offence_id", "years", "months", "article"), [
    ("312-10", 6, 0, "article 8 du Code de procédure pénale"),
    ("227-22-1", 6, 0, "article 8 du Code de procédure pénale"),
    ("24-loi-1881", 1, 0, "article 65-3 de la loi du 29 juillet 1881"),
    ("R625-8-1", 0, 3, "article 65 de la loi du 29 juillet 1881"),
])
def test_it_counts_each_added_offence_from_each_act(offence_id, years, months, article):
    rule = OFFENCES[offence_id].prescription
    assert (rule.years, rule.months, rule.start, rule.article) == (years, months, "each_act",
                                                                   article)


@pytest.mark.parametrize("offence_id", ADDED)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_describes_the_added_offences_in_both_languages(offence_id, language):
    offence = OFFENCES[offence_id]
    base = load_legal_base()
    other = "en" if language == "fr" else "fr"
    assert offence.title(language) and offence.title(language) != offence.title(other)
    assert offence.elements(language) != offence.elements(other)
    assert (offence.notes(language) or "") != (offence.notes(other) or "x")
    assert offence.base.describe(language).endswith("€")
    for key in offence.aggravations:
        assert base.aggravation_label(key, language) and base.aggravation_label(key, language,
                                                                                  short=True)


def test_it_states_the_added_penalties_as_the_law_does():
    assert OFFENCES["R625-8-1"].base.describe("fr") == "amende de 1\u202f500 €"
    assert OFFENCES["24-loi-1881"].base.describe("en") == "1 year / 45\u202f000 €"
    assert "plusieurs personnes" in (OFFENCES["222-33"].raid_clause("fr") or "")
    assert "312-11" in (OFFENCES["312-10"].notes("fr") or "")
    assert "majority" in (OFFENCES["227-22-1"].notes("en") or "")


def test_it_describes_penalties_in_french_and_english():
    assert Penalty(36, 45000).describe("fr") == "3 ans / 45\u202f000 €"
    assert Penalty(12, 15000).describe("en") == "1 year / 15\u202f000 €"
    assert Penalty(6, 7500).describe("fr") == "6 mois / 7\u202f500 €"
    assert Penalty(0, 12000).describe("en") == "a fine of 12\u202f000 €"


def test_it_keeps_a_check_date_and_a_source_note_for_every_offence():
    for offence in OFFENCES.values():
        assert offence.last_checked is not None, offence.id
        assert date(2026, 12, 1) <= offence.last_checked <= date.today(), offence.id
        assert len(offence.source_note) > 40, offence.id
        # The note says what was read on the day of the check.
        assert offence.last_checked.isoformat() in offence.source_note, offence.id


def test_it_keeps_internal_wording_out_of_the_public_fields():
    internal = ("à vérifier", "à relire", "copie consolidée", "relevée", "relevé sur", "lu sur",
                "to be checked", "consolidated copy", "have it checked", "non relu")
    for offence in OFFENCES.values():
        for language in ("fr", "en"):
            public = " ".join(filter(None, [
                offence.title(language), offence.elements(language), offence.notes(language),
                offence.raid_clause(language)]))
            for phrase in internal:
                assert phrase not in public.lower(), (offence.id, phrase)


def test_it_applies_the_2024_text_of_222_33_2_2():
    harassment = OFFENCES["222-33-2-2"]
    assert "minor_victim" in harassment.aggravations
    assert "victim_under_15" not in harassment.aggravations
    assert "elected_official" in harassment.aggravations


def test_it_lets_the_court_suspend_accounts_where_article_131_35_1_applies():
    for offence_id in ("222-33-2-2", "222-33-2-3", "222-33-2-1", "222-33", "226-2-1", "226-8-1",
                       "226-4-1", "223-1-1", "227-22-1", "227-23", "24-loi-1881"):
        assert OFFENCES[offence_id].suspends_accounts(), offence_id
    assert not OFFENCES["33-loi-1881"].suspends_accounts()
    assert OFFENCES["33-loi-1881"].suspends_accounts({"discriminatory"})
    for offence_id in ("R621-2", "R625-8-1", "222-16"):
        assert not OFFENCES[offence_id].suspends_accounts({"discriminatory"}), offence_id


def test_it_counts_ten_years_from_majority_for_the_706_47_offences():
    # Article 706-47 CPP, read on a consolidated copy on 2026-12-03: 4° "222-27 à 222-33"
    # (sexual harassment is in the range), 9° 227-22-1, 10° 227-23; not 227-23-1, nor 226-2-1,
    # nor the moral harassments.
    for offence_id in ("227-23", "227-22-1", "222-33"):
        rule = OFFENCES[offence_id].prescription
        assert rule.minor_years == 10 and "706-47" in (rule.minor_article or "")
    for offence_id in ("222-33-2-3", "222-33-2-2", "227-23-1", "226-2-1"):
        assert OFFENCES[offence_id].prescription.minor_years is None, offence_id


def test_it_does_not_list_the_struck_down_online_outrage():
    # The "outrage en ligne" of the SREN bill was struck down (Cons. const., 2024-866 DC).
    for offence in OFFENCES.values():
        assert "outrage en ligne" not in offence.title_fr.lower()
        assert "online outrage" not in offence.title_en.lower()


def test_it_rejects_unknown_aggravations_in_the_data():
    raw = {"last_checked": "2026-11-28", "disclaimer_fr": "x", "disclaimer_en": "x",
           "aggravations": {}, "offences": [{
               "id": "x", "article": "article x", "title_fr": "x", "title_en": "x",
               "elements_fr": "x", "elements_en": "x",
               "base": {"prison_months": 1, "fine_eur": 1}, "aggravations": ["online"],
               "prescription": {"years": 6, "from": "last_act", "article": "article 8"}}]}
    with pytest.raises(ValueError, match="unknown aggravations"):
        parse_legal_base(raw)


def test_it_gives_the_classifier_every_offence_of_its_labels():
    from rempart.detect.classifier.labels import offences_for

    assert offences_for({"doxxing"}) == ["223-1-1"]
    assert offences_for({"sexual"}) == ["222-33", "312-10", "227-22-1", "226-2-1"]
    assert offences_for({"identity_hate", "insult"}) == ["R621-2", "33-loi-1881", "24-loi-1881",
                                                         "R625-8-1"]
