from datetime import UTC, datetime, timedelta

from rempart.detect.signals import PDQ_MAX_DISTANCE
from rempart.domain.related import (
    NEAR_PDQ_DISTANCE,
    CaseKeys,
    handle_key,
    near_groups,
    raids,
    url_key,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ZERO = "0" * 64


def _flip(bits: int) -> str:
    """A PDQ hash at ``bits`` from ZERO."""
    return f"{(1 << bits) - 1:064x}"


def test_one_account_has_one_spelling():
    assert {handle_key(h) for h in ("@Luc_93 ", "luc_93", "https://x.com/Luc_93/",
                                    "LUC_93/")} == {"luc_93"}
    assert handle_key("@") == ""


def test_links_compare_without_scheme_www_or_trailing_slash():
    assert url_key("https://www.TikTok.com/@x/video/42/") == url_key("http://tiktok.com/@x/video/42")
    assert url_key("https://x.com/p?id=1") != url_key("https://x.com/p?id=2")


def test_near_copies_are_grouped_through_a_chain_and_far_ones_stay_apart():
    items = [("a", ZERO), ("b", _flip(20)), ("c", _flip(45)), ("d", "f" * 64)]
    assert near_groups(items) == [["a", "b", "c"]]  # a~b (20), b~c (25), a and c via b
    assert near_groups(items, max_distance=10) == []


def test_the_near_copy_threshold_is_the_hash_banks_one():
    assert NEAR_PDQ_DISTANCE == PDQ_MAX_DISTANCE


def _case(n: int, handle: str, days: float) -> CaseKeys:
    return CaseKeys(f"id-{n}", f"RMP-{n}", (handle,), T0 + timedelta(days=days))


def test_three_cases_against_one_account_within_a_week_are_a_raid():
    found = raids([_case(1, "@raider", 0), _case(2, "Raider", 3), _case(3, "raider", 6.5),
                   _case(4, "@other", 1), _case(5, "@other", 2)])
    assert [(r.handle, r.codes) for r in found] == [("raider", ("RMP-1", "RMP-2", "RMP-3"))]


def test_cases_spread_over_more_than_the_window_are_not_a_raid():
    assert raids([_case(1, "@slow", 0), _case(2, "@slow", 5), _case(3, "@slow", 12)]) == []
