"""Legal scenarios (written for issue 11, checked against the texts in force on 2026-12-01).

Each row: the facts as a reporter gives them (the JSON of ``POST /api/v1/qualify``), the offences
expected, their maximum penalties and the day the prescription is reached. They run through
``rempart.services.legal.qualify`` here and through the HTTP endpoint in
``tests/integration/test_api_qualify.py``.

Sources of the expectations (see the source notes of offences.yaml): 222-33-2-2 (loi n° 2024-247),
222-33-2-3 (loi n° 2022-299: 3 years/€45,000, 5 years/€75,000 with an ITT over 8 days, 10
years/€150,000 after a suicide or attempt), 222-33-2-1, 222-17, 222-18, 222-18-3, 223-1-1,
226-4-1, 226-8-1, 227-22-1, 227-23, 227-23-1, 312-10, law of 29 July 1881 arts 33, 65, 65-3,
R621-2, R625-8-1; article 8 CPP (6 years; 10 years from majority for the offences of 706-47).
"""

from __future__ import annotations

from datetime import date

import pytest

from rempart.services import legal

TODAY = "2026-12-01"

# id -> (max prison months, max fine €, prescription_ends or None, expired)
SCENARIOS: list[tuple[str, dict[str, object], dict[str, tuple[int, int, str | None, bool]],
                      tuple[str, ...]]] = [
    ("pupil harassed by classmates on Instagram for a month",
     {"victim_age": 13, "repeated": True, "school": True, "authors": 3, "public": False,
      "started_on": "2026-10-25", "last_on": "2026-11-25", "kinds": ["insults"]},
     {"222-33-2-3": (36, 45000, "2032-11-25", False)}, ("R621-2", "222-33-2-2")),
    ("the same pupil, who attempted suicide",
     {"victim_age": 13, "repeated": True, "school": True, "authors": 3, "public": False,
      "suicide_or_attempt": True, "started_on": "2026-10-25", "last_on": "2026-11-25",
      "kinds": ["insults"]},
     {"222-33-2-3": (120, 150000, "2032-11-25", False)}, ()),
    ("the same pupil, with more than 8 days off school (ITT)",
     {"victim_age": 13, "repeated": True, "school": True, "authors": 3,
      "itt_over_8_days": True, "started_on": "2026-10-25", "last_on": "2026-11-25",
      "kinds": ["insults"]},
     {"222-33-2-3": (60, 75000, "2032-11-25", False)}, ()),
    ("public Facebook insult of 2018",
     {"public": True, "repeated": False, "started_on": "2018-05-14", "last_on": "2018-05-14",
      "kinds": ["insults"]},
     {"33-loi-1881": (0, 12000, "2018-08-14", True)}, ("222-33-2-2",)),
    ("racist public comment last month",
     {"public": True, "repeated": False, "discriminatory": True, "started_on": "2026-11-03",
      "kinds": ["insults"]},
     {"33-loi-1881": (12, 45000, "2027-11-03", False)}, ("R625-8-1",)),
    ("homophobic private message, once",
     {"public": False, "repeated": False, "discriminatory": True, "started_on": "2026-11-20",
      "kinds": ["insults"]},
     {"R625-8-1": (0, 1500, "2027-02-20", False)}, ("R621-2", "33-loi-1881")),
    ("private insult, once",
     {"public": False, "repeated": False, "started_on": "2026-11-20", "kinds": ["insults"]},
     {"R621-2": (0, 38, "2027-02-20", False)}, ()),
    ("a partner's harassment by messages",
     {"victim_age": 31, "repeated": True, "partner": True, "public": False,
      "started_on": "2026-03-01", "last_on": "2026-11-28", "kinds": ["insults", "threats"]},
     {"222-33-2-1": (36, 45000, "2032-11-28", False), "222-16": (36, 45000, "2032-11-28", False),
      "222-17": (36, 45000, None, False)}, ("222-33-2-2",)),
    ("an ex-partner's harassment that led to a suicide attempt",
     {"victim_age": 27, "repeated": True, "partner": True, "suicide_or_attempt": True,
      "started_on": "2026-01-10", "last_on": "2026-10-02", "kinds": ["insults"]},
     {"222-33-2-1": (120, 150000, "2032-10-02", False)}, ()),
    ("death threat with a demand",
     {"victim_age": 22, "death_threat": True, "threat_with_demand": True, "repeated": False,
      "started_on": "2026-11-30", "kinds": ["threats"]},
     {"222-18": (60, 75000, "2032-11-30", False)}, ("222-17",)),
    ("death threat without a demand",
     {"victim_age": 40, "death_threat": True, "repeated": False, "started_on": "2026-11-30",
      "kinds": ["threats"]},
     {"222-17": (36, 45000, "2032-11-30", False)}, ("222-18",)),
    ("death threat with a demand by a partner",
     {"victim_age": 35, "death_threat": True, "threat_with_demand": True, "partner": True,
      "repeated": False, "started_on": "2026-11-30", "kinds": ["threats"]},
     {"222-18": (84, 100000, "2032-11-30", False)}, ()),
    ("sexual deepfake of a 15-year-old shared publicly",
     {"victim_age": 15, "deepfake": True, "public": True, "repeated": False,
      "started_on": "2026-11-15", "kinds": ["intimate_images"]},
     # 15 on 2026-12-01: 18 at the earliest on 2028-12-02; 10 years from then (art. 8 al. 2 CPP)
     {"227-23": (84, 100000, "2038-12-02", False), "226-8-1": (36, 75000, "2032-11-15", False)},
     ("226-2-1",)),
    ("sextortion of an adult (pay or I send your pictures)",
     {"victim_age": 24, "threat_with_demand": True, "sexual": True, "repeated": False,
      "started_on": "2026-11-27", "kinds": ["intimate_images", "threats"]},
     {"312-10": (84, 100000, "2032-11-27", False), "222-18": (36, 45000, "2032-11-27", False),
      "226-2-1": (24, 60000, "2032-11-27", False)}, ("227-23-1",)),
    ("sextortion of a 14-year-old asked for more pictures",
     {"victim_age": 14, "threat_with_demand": True, "sexual": True, "repeated": False,
      "started_on": "2026-11-27", "kinds": ["intimate_images", "threats"]},
     {"227-23-1": (120, 150000, "2032-11-27", False), "312-10": (84, 100000, "2032-11-27", False),
      "227-23": (60, 75000, "2039-12-02", False), "227-22-1": (24, 30000, "2039-12-02", False)},
     ()),
    ("raid: forty accounts insulting an adult under a public post",
     {"victim_age": 25, "authors": 40, "public": True, "repeated": False,
      "started_on": "2026-11-29", "last_on": "2026-11-30",
      "kinds": ["insults", "group_harassment"]},
     {"222-33-2-2": (24, 30000, "2032-11-30", False),
      "33-loi-1881": (0, 12000, "2027-02-28", False)}, ()),
    ("raid on a 16-year-old",
     {"victim_age": 16, "authors": 25, "public": True, "started_on": "2026-11-29",
      "last_on": "2026-11-30", "kinds": ["group_harassment"]},
     {"222-33-2-2": (36, 45000, "2032-11-30", False)}, ()),
    ("doxxing: home address posted to expose an adult",
     {"victim_age": 33, "public": True, "repeated": False, "started_on": "2026-11-10",
      "kinds": ["personal_info_exposure"]},
     {"223-1-1": (36, 45000, "2032-11-10", False)}, ()),
    ("doxxing of a minor",
     {"victim_age": 12, "public": True, "repeated": False, "started_on": "2026-11-10",
      "kinds": ["personal_info_exposure"]},
     {"223-1-1": (60, 75000, "2032-11-10", False)}, ()),
    ("identity theft: a fake profile in the victim's name",
     {"victim_age": 20, "repeated": False, "started_on": "2026-09-01",
      "kinds": ["identity_theft"]},
     {"226-4-1": (12, 15000, "2032-09-01", False)}, ()),
    ("identity theft by an ex-partner",
     {"victim_age": 29, "partner": True, "repeated": False, "started_on": "2026-09-01",
      "kinds": ["identity_theft"]},
     {"226-4-1": (24, 30000, "2032-09-01", False)}, ()),
    ("repeated sexual messages to an adult colleague online",
     {"victim_age": 26, "sexual": True, "repeated": True, "public": False,
      "started_on": "2026-06-01", "last_on": "2026-11-20", "kinds": ["other"]},
     {"222-33": (36, 45000, "2032-11-20", False), "222-33-2-2": (24, 30000, "2032-11-20", False),
      "222-16": (12, 15000, "2032-11-20", False)}, ()),
    ("online sexual propositions to a 13-year-old",
     {"victim_age": 13, "sexual": True, "repeated": False, "started_on": "2026-11-25",
      "kinds": ["other"]},
     {"227-22-1": (24, 30000, "2040-12-02", False)}, ()),
    ("intimate video of an adult shared by an ex (revenge porn)",
     {"victim_age": 23, "repeated": False, "started_on": "2026-11-01",
      "kinds": ["intimate_images"]},
     {"226-2-1": (24, 60000, "2032-11-01", False)}, ("227-23", "226-8-1")),
    ("harassment with no date given",
     {"victim_age": 30, "repeated": True, "kinds": ["insults"]},
     {"222-33-2-2": (24, 30000, None, False)}, ()),
    ("harassment of a pupil that ended in 2019",
     {"victim_age": 19, "repeated": True, "school": True, "started_on": "2018-09-03",
      "last_on": "2019-06-28", "kinds": ["insults"]},
     {"222-33-2-3": (36, 45000, "2025-06-28", True)}, ()),
    ("public insults from July to November",
     {"public": True, "repeated": True, "started_on": "2026-07-01", "last_on": "2026-11-15",
      "kinds": ["insults"]},
     {"33-loi-1881": (0, 12000, "2026-10-01", False),
      "222-33-2-2": (24, 30000, "2032-11-15", False)}, ()),
]


def _run(facts: dict[str, object], language: str = "fr") -> dict[str, object]:
    request = legal.parse_qualify_request({**facts, "today": TODAY}, date(2026, 12, 1))
    return legal.qualify(request, language)


def check(answer: dict[str, object], expected: dict[str, tuple[int, int, str | None, bool]],
          absent: tuple[str, ...]) -> None:
    offences = {o["id"]: o for o in answer["offences"]}  # type: ignore[union-attr,index]
    for offence_id, (months, fine, ends, expired) in expected.items():
        assert offence_id in offences, (offence_id, sorted(offences))
        got = offences[offence_id]
        assert (got["max_prison_months"], got["max_fine_eur"]) == (months, fine), offence_id
        if ends is not None:
            assert got["prescription_ends"] == ends, offence_id
        assert got["expired"] is expired, offence_id
    for offence_id in absent:
        assert offence_id not in offences, offence_id


def test_there_are_at_least_25_scenarios():
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize(("name", "facts", "expected", "absent"), SCENARIOS,
                         ids=[row[0] for row in SCENARIOS])
def test_each_scenario_is_qualified_as_the_law_says(name, facts, expected, absent):
    check(_run(facts), expected, absent)


@pytest.mark.parametrize(("name", "facts", "expected", "absent"), SCENARIOS,
                         ids=[row[0] for row in SCENARIOS])
def test_each_scenario_reads_the_same_in_english(name, facts, expected, absent):
    french, english = _run(facts, "fr"), _run(facts, "en")
    assert [o["id"] for o in french["offences"]] == [o["id"] for o in english["offences"]]
    for offence in english["offences"]:
        assert offence["title"] and "Délai" not in offence["prescription"]
    check(english, expected, absent)


def test_the_no_date_scenario_says_it_is_unknown_not_counted_from_today():
    (harassment, *_) = _run({"victim_age": 30, "repeated": True, "kinds": ["insults"]})["offences"]
    assert harassment["prescription_unknown"] is True and harassment["prescription_ends"] is None


def test_the_2018_insult_says_what_can_still_be_done():
    answer = _run(SCENARIOS[3][1])
    assert answer["offences"][0]["prescription"].startswith("Prescrit depuis")
    assert any("retirer le contenu" in line for line in answer["remedies"])


def test_the_old_school_harassment_points_to_a_civil_claim():
    answer = _run(SCENARIOS[25][1])
    assert any("juge civil" in line and "2224" in line for line in answer["remedies"])


def test_a_suicide_attempt_puts_3114_and_112_first():
    answer = _run(SCENARIOS[1][1])
    assert "3114" in answer["urgent_help"][0] and "112" in answer["urgent_help"][0]


def test_the_outrage_en_ligne_is_never_suggested():
    for _name, facts, _expected, _absent in SCENARIOS:
        for offence in _run(facts)["offences"]:
            assert "outrage" not in offence["title"].lower()
