"""Hash banks on both engines: add, match, withdraw, negative banks, refresh, self-submission."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from rempart.detect import banks, matching, partners
from rempart.detect.bank_index import BankIndex
from rempart.detect.banks import BankError, HashInput
from rempart.store.bank_tables import BankEntry, SelfSubmission
from rempart.store.db import make_engine


def flip(hex_hash: str, bits: int, seed: int = 0) -> str:
    value = int(hex_hash, 16)
    for b in random.Random(seed).sample(range(256), bits):
        value ^= 1 << b
    return f"{value:064x}"


def random_pdq(seed: int) -> str:
    return f"{random.Random(seed).getrandbits(256):064x}"


def setup_bank(sessions, name="ncii-adults", kind="ncii-adults", hashes=()):
    with sessions.begin() as s:
        banks.create_bank(s, name, kind)
        return banks.add_hashes(s, name, list(hashes), provenance="test")


def test_it_matches_within_31_and_not_beyond(sessions):
    base = random_pdq(1)
    setup_bank(sessions, hashes=[HashInput("pdq", base, "NC-1", "content-1")])
    index = BankIndex(sessions)
    index.refresh()
    with sessions() as s:
        res = matching.match(s, index, [HashInput("pdq", flip(base, 31)),
                                        HashInput("pdq", flip(base, 32))])
    assert [(m.bank, m.distance, m.case_reference, m.content_id) for m in res[0].matches] == [
        ("ncii-adults", 31, "NC-1", "content-1")]
    assert res[1].matches == []


def test_it_sees_adds_and_withdrawals_after_refresh(sessions):
    base = random_pdq(2)
    setup_bank(sessions)
    index = BankIndex(sessions)
    index.refresh()
    with sessions.begin() as s:
        banks.add_hashes(s, "ncii-adults", [HashInput("pdq", base, "NC-2")])
    assert index.refresh() == 1
    with sessions() as s:
        assert len(matching.match(s, index, [HashInput("pdq", base)])[0].matches) == 1
    with sessions.begin() as s:
        assert banks.withdraw_case(s, "NC-2") == 1
    with sessions() as s:  # withdrawn at once, before the index even refreshes
        assert matching.match(s, index, [HashInput("pdq", base)])[0].matches == []
    index.refresh()
    assert len(index.indexes["pdq"].live) == 0


def test_it_suppresses_matches_of_a_negative_bank(sessions):
    base = random_pdq(3)
    setup_bank(sessions, hashes=[HashInput("pdq", base, "NC-3")])
    setup_bank(sessions, "known-fp", "negative", [HashInput("pdq", flip(base, 2), "FP-1")])
    index = BankIndex(sessions)
    index.refresh()
    with sessions() as s:
        result = matching.match(s, index, [HashInput("pdq", base)])[0]
    assert result.suppressed and result.matches == []


def test_it_filters_by_bank_and_matches_md5_exactly(sessions):
    md5 = "0123456789abcdef0123456789abcdef"
    setup_bank(sessions, "a", "partner", [HashInput("video_md5", md5.upper(), "NC-A")])
    setup_bank(sessions, "b", "partner", [HashInput("video_md5", md5, "NC-B")])
    index = BankIndex(sessions)
    index.refresh()
    with sessions() as s:
        both = matching.match(s, index, [HashInput("video_md5", md5)])[0].matches
        only_b = matching.match(s, index, [HashInput("video_md5", md5)], ["b"])[0].matches
    assert sorted(m.bank for m in both) == ["a", "b"]
    assert [m.case_reference for m in only_b] == ["NC-B"]


def test_it_rejects_a_bad_row_without_storing_any(sessions):
    setup_bank(sessions)
    with pytest.raises(BankError, match="row 2"), sessions.begin() as s:
        banks.add_hashes(s, "ncii-adults", [HashInput("pdq", random_pdq(4)),
                                             HashInput("pdq", "zz")])
    with sessions() as s:
        assert s.scalars(select(BankEntry)).all() == []


def test_it_refuses_low_quality_pdq(sessions):
    setup_bank(sessions)
    with pytest.raises(BankError, match="quality"), sessions.begin() as s:
        banks.add_hashes(s, "ncii-adults", [HashInput("pdq", random_pdq(5), quality=20)])


def test_it_withdraws_a_self_case_with_its_pin_and_locks_after_5_failures(sessions):
    setup_bank(sessions)
    with sessions.begin() as s:
        case, pin = banks.submit_self_hashes(s, [HashInput("pdq", random_pdq(6))],
                                             "ncii-adults")
        stored = s.get(SelfSubmission, case)
        assert pin not in stored.pin_hash
    with sessions.begin() as s:
        assert banks.withdraw_self_case(s, case, "wrong") is None
    with sessions.begin() as s:
        assert banks.withdraw_self_case(s, case, pin) == 1
    with sessions.begin() as s:
        case2, pin2 = banks.submit_self_hashes(s, [HashInput("pdq", random_pdq(7))],
                                               "ncii-adults")
    for _ in range(5):
        with sessions.begin() as s:
            assert banks.withdraw_self_case(s, case2, "00000000" if pin2 != "00000000" else "1")\
                is None
    with sessions.begin() as s:
        assert banks.withdraw_self_case(s, case2, pin2) is None


def test_it_authenticates_partner_keys_stored_hashed(sessions):
    with sessions.begin() as s:
        partner, key = partners.create_partner(s, "Platform X")
    with sessions() as s:
        caller = partners.authenticate(s, key)
        assert caller is not None and caller.partner_name == "Platform X"
        assert partners.authenticate(s, key + "x") is None
        from rempart.store.bank_tables import ApiKey
        assert key not in [k.key_hash for k in s.scalars(select(ApiKey))]


def test_two_processes_indexes_see_an_add_within_a_second_by_polling(sessions):
    import time

    setup_bank(sessions)
    first, second = BankIndex(sessions), BankIndex(sessions)  # as in two server processes
    for index in (first, second):
        index.refresh()
        index.start_polling(0.1)
    value = random_pdq(11)
    try:
        with sessions.begin() as s:
            banks.add_hashes(s, "ncii-adults", [HashInput("pdq", value, "NC-POLL")])
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and not all(
                len(i.search("pdq", [value], 0)) for i in (first, second)):
            time.sleep(0.02)
        assert all(len(i.search("pdq", [value], 0)) == 1 for i in (first, second))
    finally:
        first.stop()
        second.stop()


def test_it_matches_vpdq_videos_through_the_bank(sessions):
    rng = random.Random(12)
    video = [(f"{rng.getrandbits(256):064x}", 90, float(t)) for t in range(5)]
    text = ",".join(f"{h},{q},{t}" for h, q, t in video)
    setup_bank(sessions, hashes=[HashInput("vpdq", text, "NC-VID")])
    index = BankIndex(sessions)
    index.refresh()
    query = ",".join(f"{flip(h, 20, i)},{q},{t}" for i, (h, q, t) in enumerate(video))
    with sessions() as s:
        (result,) = matching.match(s, index, [HashInput("vpdq", query)])
    assert [(m.case_reference, m.signal_type) for m in result.matches] == [("NC-VID", "vpdq")]


def test_the_migration_goes_down_and_up_again(database_url):
    from sqlalchemy import inspect

    from rempart.store import migrate

    migrate.upgrade(database_url, "0004_hashbanks")
    engine = make_engine(database_url)
    assert "hash_bank_entries" in inspect(engine).get_table_names()
    migrate.downgrade(database_url, "0000_base")
    assert "hash_bank_entries" not in inspect(engine).get_table_names()
    migrate.upgrade(database_url, "0004_hashbanks")
    assert "hash_banks" in inspect(engine).get_table_names()
    engine.dispose()


def test_a_self_case_can_be_followed_with_its_pin_in_a_default_bank(sessions):
    with sessions.begin() as s:  # the default bank is created on first use
        case, pin = banks.submit_self_hashes(
            s, [HashInput("pdq", random_pdq(20)), HashInput("video_md5", "1" * 32)],
            "ncii-minors")
    with sessions.begin() as s:
        caller = partners.authenticate(s, partners.create_partner(s, "P")[1])
        entry_id = s.scalar(select(BankEntry.id).where(BankEntry.case_reference == case))
        partners.grant_entries(s, caller.partner_id, [entry_id])  # matched for this partner
        partners.record_feedback(s, caller, entry_id, "blocked")
    with sessions.begin() as s:
        status = banks.self_case_status(s, case.lower(), pin)
        assert (status.bank, status.active_hashes, status.blocked_reports) == ("ncii-minors",
                                                                               2, 1)
        assert banks.self_case_status(s, case, "12") is None
