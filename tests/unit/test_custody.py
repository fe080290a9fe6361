"""Custody events: canonical RFC 8785 leaves with ids, hashes, role and UTC time only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from rempart.domain import custody

AT = datetime(2026, 11, 28, 10, 0, 0, 123456, tzinfo=UTC)
SHA = "ab" * 32


def test_a_leaf_is_canonical_json_with_sorted_keys_and_utc_time():
    event = custody.received("case-1", "item-1", SHA, custody.ActorRole.REPORTER, AT)
    assert event.leaf_bytes() == (
        b'{"action":"item_received","at":"2026-11-28T10:00:00.123456Z","case":"case-1",'
        b'"item":"item-1","role":"reporter","sha256":"' + SHA.encode() + b'","v":1}')
    assert custody.CustodyEvent.from_leaf(event.leaf_bytes()) == event


def test_the_same_instant_in_another_timezone_gives_the_same_leaf():
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    assert (custody.viewed("c", "i", SHA, custody.ActorRole.STAFF, paris).leaf_bytes()
            == custody.viewed("c", "i", SHA, custody.ActorRole.STAFF, AT).leaf_bytes())


@pytest.mark.parametrize("make", [
    lambda: custody.received("case 1", "i", SHA, custody.ActorRole.REPORTER, AT),  # space
    lambda: custody.received("c", "i", "AB" * 32, custody.ActorRole.REPORTER, AT),  # upper hex
    lambda: custody.received("c", "i", SHA, custody.ActorRole.REPORTER, AT.replace(tzinfo=None)),
    lambda: custody.received("c", "x" * 101, SHA, custody.ActorRole.REPORTER, AT),
    lambda: custody.CustodyEvent(custody.CustodyAction.VIEWED, "c", custody.ActorRole.STAFF, AT),
    lambda: custody.CustodyEvent(custody.CustodyAction.SHARED_WITH_PLATFORM, "c",
                                 custody.ActorRole.STAFF, AT, "i", SHA),  # no target
    lambda: custody.CustodyEvent(custody.CustodyAction.CHECKPOINT, "c",
                                 custody.ActorRole.SYSTEM, AT, sha256=SHA, tree_size=3),
])
def test_it_refuses_events_that_could_carry_anything_else(make):
    with pytest.raises(custody.InvalidCustodyEvent):
        make()


@pytest.mark.parametrize("leaf", [
    b'{"v":1, "action":"item_shredded","at":"2026-11-28T10:00:00.000000Z","case":"c",'
    b'"role":"system"}',
    b'{"action":"item_shredded","at":"2026-11-28T10:00:00.000000Z","case":"c","role":"system","v":2}',
    b'{"action":"item_shredded","at":"2026-11-28T10:00:00Z","case":"c","role":"system","v":1}',
    b'{"action":"nope","at":"2026-11-28T10:00:00.000000Z","case":"c","role":"system","v":1}',
    b"\xff", b"[]",
])
def test_it_refuses_leaves_that_are_not_canonical_events(leaf):
    with pytest.raises(custody.InvalidCustodyEvent):
        custody.CustodyEvent.from_leaf(leaf)


def test_shredding_and_checkpoint_events_need_no_item():
    shredded = custody.shredded("case-1", custody.ActorRole.SYSTEM, AT)
    assert b'"item"' not in shredded.leaf_bytes()
    anchor = custody.checkpoint(42, SHA, AT)
    assert custody.CustodyEvent.from_leaf(anchor.leaf_bytes()) == anchor
    shared = custody.shared("c", "i", SHA, custody.ActorRole.STAFF, AT, "pharos", police=True)
    assert shared.action is custody.CustodyAction.SHARED_WITH_POLICE
