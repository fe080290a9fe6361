"""The witnesses' rules (issue 14.5): invitation expiry and state, the victim's decision, what
a witness may type, the WITNESS custody role in a canonical leaf."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rempart.domain import custody
from rempart.domain.witnesses import (
    DEFAULT_EXPIRY_DAYS,
    ContributionAlreadyDecided,
    ContributionStatus,
    InvalidWitnessInput,
    InvitationState,
    WitnessStatement,
    decide,
    expiry_after,
    invitation_state,
    validate_statement,
)

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def test_an_invitation_lasts_seven_days_by_default() -> None:
    assert expiry_after(NOW, None) == NOW + timedelta(days=DEFAULT_EXPIRY_DAYS)
    assert expiry_after(NOW, 30) == NOW + timedelta(days=30)


@pytest.mark.parametrize("days", [0, -1, 31, 365])
def test_it_refuses_an_expiry_outside_one_to_thirty_days(days: int) -> None:
    with pytest.raises(InvalidWitnessInput):
        expiry_after(NOW, days)


def test_an_invitation_is_open_then_expired_and_revoked_wins() -> None:
    expires = NOW + timedelta(days=1)
    assert invitation_state(expires, None, NOW) is InvitationState.OPEN
    assert invitation_state(expires, None, expires) is InvitationState.EXPIRED
    assert invitation_state(expires, NOW, NOW) is InvitationState.REVOKED
    assert invitation_state(expires, NOW, expires + timedelta(days=1)) is InvitationState.REVOKED


def test_the_victim_decides_once() -> None:
    assert decide(ContributionStatus.PENDING, True) is ContributionStatus.ACCEPTED
    assert decide(ContributionStatus.PENDING, False) is ContributionStatus.DECLINED
    for decided in (ContributionStatus.ACCEPTED, ContributionStatus.DECLINED):
        with pytest.raises(ContributionAlreadyDecided):
            decide(decided, True)


def test_a_statement_is_trimmed_and_the_name_is_optional() -> None:
    typed = validate_statement(WitnessStatement("  J'ai vu le message.  ", "   "), files=0)
    assert typed == WitnessStatement("J'ai vu le message.", None)
    assert validate_statement(WitnessStatement("", " Léa "), files=1).name == "Léa"


@pytest.mark.parametrize(("statement", "name", "files"), [
    ("", None, 0),  # nothing at all
    ("x" * 10_001, None, 0),
    ("vu", "n" * 101, 0),
    ("vu", "Léa\nB", 0),
])
def test_it_refuses_what_cannot_be_stored(statement: str, name: str | None, files: int) -> None:
    with pytest.raises(InvalidWitnessInput):
        validate_statement(WitnessStatement(statement, name), files)


def test_a_witness_receipt_leaf_names_the_role_only() -> None:
    event = custody.received("case-1", "item-1", "a" * 64, custody.ActorRole.WITNESS, NOW)
    leaf = event.leaf_bytes()
    assert b'"role":"witness"' in leaf
    assert custody.CustodyEvent.from_leaf(leaf) == event
