"""Chain-of-custody events: what the ledger records about every hand that touches evidence.

A custody event becomes one leaf of the Merkle ledger as canonical JSON (RFC 8785), so that anyone
can recompute its hash byte for byte. Leaves hold ids, hashes, an actor *role* and a UTC time
only: never a name, an address, a message or file contents, because the ledger outlives
crypto-shredding and may be handed to a court or a platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import rfc8785

LEAF_VERSION = 1
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class CustodyAction(StrEnum):
    RECEIVED = "item_received"
    VIEWED = "item_viewed"
    EXPORTED = "item_exported"
    SHARED_WITH_PLATFORM = "shared_with_platform"
    SHARED_WITH_POLICE = "shared_with_police"
    SHREDDED = "item_shredded"
    CHECKPOINT = "checkpoint"
    # Follow-through (issue 13): item = the takedown or referral id, sha256 = the digest of its
    # recorded state, target = "<platform>:<status>" or the referral's recipient.
    TAKEDOWN_STATUS = "takedown_status"
    REFERRAL_MADE = "referral_made"
    # The reporter's answers (issue 11): sha256 = the digest of the facts' canonical JSON.
    FACTS_RECORDED = "facts_recorded"
    # Data read from an item (issue 14: OCR text...): item = the derived item's id, sha256 = the
    # digest of the derived document, target = "<kind>:<sha256 of the item it was read from>".
    DERIVED = "item_derived"
    # The reporter corrected the chronology of the facts (issue 14.4): item = the correction's
    # id, sha256 = the digest of its salted document (kept encrypted in the vault, never in the
    # leaf), target = what it does ("date", "exclude", "include", "add").
    TIMELINE_CORRECTED = "timeline_corrected"


class ActorRole(StrEnum):
    REPORTER = "reporter"  # the victim, or a parent for a minor
    STAFF = "staff"
    OPERATOR = "operator"  # the instance operator on the command line
    SYSTEM = "system"  # automatic processing (retention, checkpoints)
    # Someone the victim invited to add to the case (issue 14.5): the role only, never who.
    WITNESS = "witness"


class InvalidCustodyEvent(ValueError):
    """An event that cannot go into the ledger (bad id, hash or time)."""


@dataclass(frozen=True)
class CustodyEvent:
    """One leaf. ``target`` names the platform or police service for the "shared" actions;
    a checkpoint event (no case) records an earlier tree size and its root in ``sha256``."""

    action: CustodyAction
    case_id: str | None
    actor_role: ActorRole
    at: datetime
    item_id: str | None = None
    sha256: str | None = None
    target: str | None = None
    tree_size: int | None = None

    def __post_init__(self) -> None:
        if self.action is CustodyAction.CHECKPOINT:
            if self.case_id is not None or self.tree_size is None or self.sha256 is None:
                raise InvalidCustodyEvent("a checkpoint event has a tree size and root, no case")
            if self.tree_size < 0:
                raise InvalidCustodyEvent("tree size must not be negative")
        elif self.case_id is None:
            raise InvalidCustodyEvent(f"{self.action} needs a case id")
        else:
            _require_id(self.case_id, "case id")
        if self.item_id is not None:
            _require_id(self.item_id, "item id")
        if self.sha256 is not None and not _SHA256.match(self.sha256):
            raise InvalidCustodyEvent("sha256 must be 64 lowercase hex digits")
        if self.target is not None:
            _require_id(self.target, "target")
        if self.at.tzinfo is None:
            raise InvalidCustodyEvent("event time must be timezone-aware")
        if self.action in _NEEDS_ITEM and (self.item_id is None or self.sha256 is None):
            raise InvalidCustodyEvent(f"{self.action} needs an item id and its sha256")
        if self.action in _NEEDS_TARGET and self.target is None:
            raise InvalidCustodyEvent(f"{self.action} needs a target")

    def to_dict(self) -> dict[str, str | int]:
        fields: dict[str, str | int] = {
            "v": LEAF_VERSION,
            "action": self.action.value,
            "role": self.actor_role.value,
            "at": format_time(self.at),
        }
        if self.case_id is not None:
            fields["case"] = self.case_id
        if self.tree_size is not None:
            fields["size"] = self.tree_size
        if self.item_id is not None:
            fields["item"] = self.item_id
        if self.sha256 is not None:
            fields["sha256"] = self.sha256
        if self.target is not None:
            fields["target"] = self.target
        return fields

    def leaf_bytes(self) -> bytes:
        """The canonical JSON (RFC 8785) that the ledger hashes."""
        return rfc8785.dumps(self.to_dict())

    @classmethod
    def from_leaf(cls, leaf: bytes) -> CustodyEvent:
        """Parse a stored or exported leaf; refuse anything that is not canonical."""
        import json

        try:
            raw = json.loads(leaf.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidCustodyEvent("leaf is not JSON") from exc
        if not isinstance(raw, dict) or raw.get("v") != LEAF_VERSION:
            raise InvalidCustodyEvent("unknown leaf version")
        try:
            event = cls(
                action=CustodyAction(raw["action"]),
                case_id=_optional_str(raw.get("case")),
                actor_role=ActorRole(raw["role"]),
                at=parse_time(str(raw["at"])),
                item_id=_optional_str(raw.get("item")),
                sha256=_optional_str(raw.get("sha256")),
                target=_optional_str(raw.get("target")),
                tree_size=_optional_int(raw.get("size")),
            )
        except (KeyError, ValueError) as exc:
            raise InvalidCustodyEvent(f"malformed leaf: {exc}") from exc
        if event.leaf_bytes() != leaf:
            raise InvalidCustodyEvent("leaf is not in canonical form")
        return event


_NEEDS_ITEM = {CustodyAction.RECEIVED, CustodyAction.VIEWED, CustodyAction.EXPORTED,
               CustodyAction.SHARED_WITH_PLATFORM, CustodyAction.SHARED_WITH_POLICE}
_NEEDS_TARGET = {CustodyAction.SHARED_WITH_PLATFORM, CustodyAction.SHARED_WITH_POLICE,
                 CustodyAction.TAKEDOWN_STATUS, CustodyAction.REFERRAL_MADE}


def _require_id(value: str, what: str) -> None:
    if not _ID.match(value):
        raise InvalidCustodyEvent(f"{what} must be 1-100 letters, digits or _.:-")


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidCustodyEvent("size must be an integer")
    return value


def format_time(at: datetime) -> str:
    """UTC, microseconds, 'Z' suffix: one spelling per instant, so leaves stay canonical."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def received(
    case_id: str, item_id: str, sha256: str, role: ActorRole, at: datetime
) -> CustodyEvent:
    return CustodyEvent(CustodyAction.RECEIVED, case_id, role, at, item_id, sha256)


def viewed(
    case_id: str, item_id: str, sha256: str, role: ActorRole, at: datetime
) -> CustodyEvent:
    return CustodyEvent(CustodyAction.VIEWED, case_id, role, at, item_id, sha256)


def exported(
    case_id: str, item_id: str, sha256: str, role: ActorRole, at: datetime
) -> CustodyEvent:
    return CustodyEvent(CustodyAction.EXPORTED, case_id, role, at, item_id, sha256)


def shared(case_id: str, item_id: str, sha256: str, role: ActorRole, at: datetime,
           target: str, *, police: bool) -> CustodyEvent:
    action = CustodyAction.SHARED_WITH_POLICE if police else CustodyAction.SHARED_WITH_PLATFORM
    return CustodyEvent(action, case_id, role, at, item_id, sha256, target)


def shredded(case_id: str, role: ActorRole, at: datetime, item_id: str | None = None,
             sha256: str | None = None) -> CustodyEvent:
    """A whole case (item_id None) or one item made unreadable for good."""
    return CustodyEvent(CustodyAction.SHREDDED, case_id, role, at, item_id, sha256)


def checkpoint(tree_size: int, root_hex: str, at: datetime) -> CustodyEvent:
    """Anchors an earlier checkpoint (size and root) inside the log itself."""
    return CustodyEvent(CustodyAction.CHECKPOINT, None, ActorRole.SYSTEM, at, sha256=root_hex,
                        tree_size=tree_size)
