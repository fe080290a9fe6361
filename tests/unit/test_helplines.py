"""Helplines: data review fields, opening hours in Paris across DST, midnight and holidays."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from rempart.domain.helplines import (
    PARIS,
    closes_at,
    is_open,
    is_public_holiday,
    load_directory,
    next_opening,
    parse_directory,
)

REQUIRED = {"3018", "17", "112", "114", "119", "3114", "pharos", "stopncii", "takeitdown", "cnil",
            "net-ecoute"}


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def office(holidays: str = "closed", extra: list[dict[str, object]] | None = None):
    raw = {"last_checked": "2026-11-28", "services": [{
        "id": "office", "name": "Office", "description_fr": "x", "description_en": "x",
        "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "18:00"},
                  {"days": ["sun"], "open": "10:00", "close": "12:00"}, *(extra or [])],
        "holidays": holidays, "last_checked": "2026-11-28", "sources": ["https://example.org"]}]}
    return parse_directory(raw).get("office")


def test_it_lists_every_required_service_with_sources_and_a_review_date():
    directory = load_directory()
    assert {s.id for s in directory.services} >= REQUIRED
    for service in directory.services:
        assert service.sources and service.last_checked <= directory.last_checked


def test_it_describes_3018_as_free_anonymous_every_day_9_to_23():
    service = load_directory().get("3018")
    assert service.free and service.anonymous and service.holidays == "as_usual"
    assert len(service.slots) == 1 and len(service.slots[0].days) == 7
    assert (service.slots[0].opens, service.slots[0].closes) == (time(9), time(23))
    assert "chat" in service.contact and "app" in service.contact
    assert any("e-enfance.org" in s for s in service.sources)
    assert any("service-public.fr" in s for s in service.sources)


def test_it_marks_net_ecoute_as_replaced_by_3018_and_never_open():
    service = load_directory().get("net-ecoute")
    assert service.replaced_by == "3018" and service.replaced_in == 2021
    assert service.contact["phone"] == "0800 200 000"
    assert not is_open(service, paris(2026, 11, 24, 10, 0))  # a Tuesday, within old hours
    assert next_opening(service, paris(2026, 11, 24, 10, 0)) is None


@pytest.mark.parametrize("service_id", ["17", "112", "114", "119", "3114", "pharos", "cnil"])
def test_it_keeps_emergency_numbers_and_web_forms_always_open(service_id):
    service = load_directory().get(service_id)
    for moment in (paris(2026, 12, 25, 3, 0), paris(2026, 3, 29, 2, 30), utc(2026, 1, 1)):
        assert is_open(service, moment)
        assert next_opening(service, moment) == moment


@pytest.mark.parametrize(("moment", "expected"), [
    (paris(2026, 11, 28, 8, 59), False),
    (paris(2026, 11, 28, 9, 0), True),
    (paris(2026, 11, 28, 22, 59, 59), True),
    (paris(2026, 11, 28, 23, 0), False),
    (paris(2026, 11, 29, 0, 0), False),
    (paris(2026, 12, 25, 12, 0), True),  # Christmas: same hours
    (paris(2026, 1, 1, 10, 0), True),
])
def test_it_opens_3018_from_9_to_23_paris_time(moment, expected):
    assert is_open(load_directory().get("3018"), moment) is expected


def test_it_reads_other_time_zones_as_the_same_instant():
    service = load_directory().get("3018")
    assert is_open(service, utc(2026, 11, 28, 8, 0))       # 09:00 in Paris (UTC+1)
    assert not is_open(service, utc(2026, 11, 28, 7, 59))
    assert is_open(service, utc(2026, 7, 1, 7, 0))          # 09:00 in Paris (UTC+2)
    assert not is_open(service, utc(2026, 7, 1, 21, 0))     # 23:00 in Paris


def test_it_finds_the_next_opening_after_midnight():
    service = load_directory().get("3018")
    opening = next_opening(service, paris(2026, 11, 28, 23, 30))
    assert opening == paris(2026, 11, 29, 9, 0)
    assert next_opening(service, paris(2026, 11, 29, 0, 10)) == paris(2026, 11, 29, 9, 0)


def test_it_handles_the_spring_dst_change():
    service = load_directory().get("3018")
    # 29 March 2026: clocks go from 02:00 CET to 03:00 CEST.
    opening = next_opening(service, utc(2026, 3, 28, 22, 30))  # 23:30 CET on Saturday
    assert opening == utc(2026, 3, 29, 7, 0)                     # 09:00 CEST
    assert opening.utcoffset().total_seconds() == 7200
    assert not is_open(service, utc(2026, 3, 29, 6, 30))        # 08:30 CEST
    assert is_open(service, utc(2026, 3, 29, 7, 30))


def test_it_handles_the_autumn_dst_change():
    service = load_directory().get("3018")
    # 25 October 2026: clocks go from 03:00 CEST back to 02:00 CET.
    assert next_opening(service, utc(2026, 10, 24, 21, 30)) == utc(2026, 10, 25, 8, 0)
    assert not is_open(service, utc(2026, 10, 25, 7, 30))       # 08:30 CET
    assert is_open(service, utc(2026, 10, 25, 21, 59))          # 22:59 CET


def test_it_closes_on_holidays_when_the_service_says_so():
    service = office("closed")
    assert is_public_holiday(paris(2026, 5, 1).date())           # Friday, Fête du Travail
    assert not is_open(service, paris(2026, 5, 1, 10, 0))
    assert next_opening(service, paris(2026, 5, 1, 10, 0)) == paris(2026, 5, 3, 10, 0)
    assert is_open(service, paris(2026, 5, 4, 10, 0))


def test_it_follows_sunday_hours_on_holidays_when_the_service_says_so():
    service = office("sunday")
    assert not is_open(service, paris(2026, 12, 25, 9, 30))     # Christmas, a Friday
    assert is_open(service, paris(2026, 12, 25, 11, 0))
    assert next_opening(service, paris(2026, 12, 25, 8, 0)) == paris(2026, 12, 25, 10, 0)


def test_it_keeps_weekday_hours_on_holidays_as_usual():
    assert is_open(office("as_usual"), paris(2026, 7, 14, 17, 0))  # 14 July, a Tuesday


def test_it_supports_slots_until_midnight():
    service = office("as_usual", [{"days": ["sat"], "open": "20:00", "close": "24:00"}])
    assert is_open(service, paris(2026, 11, 28, 23, 59, 59))
    assert not is_open(service, paris(2026, 11, 29, 0, 0))
    assert closes_at(service, paris(2026, 11, 28, 21, 0)) == paris(2026, 11, 29, 0, 0)


def test_it_tells_when_the_current_opening_ends():
    service = load_directory().get("3018")
    assert closes_at(service, paris(2026, 11, 28, 12, 0)) == paris(2026, 11, 28, 23, 0)
    assert closes_at(service, paris(2026, 11, 28, 23, 30)) is None
    assert closes_at(load_directory().get("112"), paris(2026, 11, 28, 12, 0)) is None


def test_it_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="time zone"):
        is_open(load_directory().get("3018"), datetime(2026, 11, 28, 12, 0))


def test_it_rejects_data_with_slots_closing_before_opening_or_without_sources():
    raw = {"last_checked": "2026-11-28", "services": [{
        "id": "bad", "name": "Bad", "description_fr": "x", "description_en": "x",
        "hours": [{"days": ["mon"], "open": "18:00", "close": "09:00"}],
        "last_checked": "2026-11-28", "sources": ["https://example.org"]}]}
    with pytest.raises(ValueError, match="closes before"):
        parse_directory(raw)
    raw["services"][0]["hours"] = [{"days": ["mon"], "open": "09:00", "close": "18:00"}]
    raw["services"][0]["sources"] = []
    with pytest.raises(ValueError, match="sources"):
        parse_directory(raw)


def test_helplines_are_dialled_as_one_tap():
    from rempart.domain.helplines import dial_uri

    assert dial_uri("3018") == "tel:3018"
    assert dial_uri("01 23 45 67 89") == "tel:0123456789"
    assert dial_uri("+33 (0)1.23") == "tel:+330123"
    assert dial_uri("114", "sms") == "sms:114"
    for service in load_directory().services:
        phone = service.contact.get("phone")
        if phone:
            assert dial_uri(phone)[4:].lstrip("+").isdigit(), service.id
