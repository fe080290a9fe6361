"""Witnesses who add to a victim's case (issue 14.5): the rules, no I/O.

The victim draws an invitation (a code with an expiry, revocable) from the case portal. A
witness who opens it adds a statement and files; each contribution waits for the victim, who
accepts it (it joins the case's evidence, marked as from a witness) or declines it (its files
are crypto-shredded, its custody entries kept). The witness follows only what they added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_EXPIRY_DAYS = 7
MAX_EXPIRY_DAYS = 30
EXPIRY_CHOICES_DAYS = (1, 3, 7, 14, 30)
MAX_STATEMENT_CHARS = 10_000
MAX_NAME_CHARS = 100
MAX_OPEN_INVITATIONS = 10  # per case: enough for a class, not a way to flood it


class InvalidWitnessInput(ValueError):
    """What the victim or the witness typed cannot be used (the reason is in English)."""


class InvitationState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ContributionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ContributionAlreadyDecided(ValueError):
    """The victim already accepted or declined this contribution."""


def expiry_after(now: datetime, days: int | None) -> datetime:
    """When an invitation drawn ``now`` for ``days`` days stops working (default 7, 1 to 30)."""
    chosen = DEFAULT_EXPIRY_DAYS if days is None else days
    if not 1 <= chosen <= MAX_EXPIRY_DAYS:
        raise InvalidWitnessInput(f"an invitation lasts 1 to {MAX_EXPIRY_DAYS} days")
    return now + timedelta(days=chosen)


def invitation_state(expires_at: datetime, revoked_at: datetime | None,
                     now: datetime) -> InvitationState:
    """Revoked wins over expired: the victim's choice is what the list shows."""
    if revoked_at is not None:
        return InvitationState.REVOKED
    if now >= expires_at:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def decide(status: ContributionStatus, accept: bool) -> ContributionStatus:
    """The victim's answer to a pending contribution; a decision is never changed."""
    if status is not ContributionStatus.PENDING:
        raise ContributionAlreadyDecided(status.value)
    return ContributionStatus.ACCEPTED if accept else ContributionStatus.DECLINED


@dataclass(frozen=True)
class WitnessStatement:
    """What the witness writes: the statement, and a name only if they choose to give one."""

    statement: str
    name: str | None = None


def validate_statement(typed: WitnessStatement, files: int) -> WitnessStatement:
    """Trimmed text; a contribution has a statement or at least one file."""
    statement = typed.statement.strip()
    name = (typed.name or "").strip() or None
    if len(statement) > MAX_STATEMENT_CHARS:
        raise InvalidWitnessInput(f"statement too long (at most {MAX_STATEMENT_CHARS} characters)")
    if name is not None and len(name) > MAX_NAME_CHARS:
        raise InvalidWitnessInput(f"name too long (at most {MAX_NAME_CHARS} characters)")
    if name is not None and any(ord(c) < 32 for c in name):
        raise InvalidWitnessInput("the name has control characters")
    if not statement and files == 0:
        raise InvalidWitnessInput("write what you saw or add at least one file")
    return WitnessStatement(statement, name)


# What a witness should do (the seed's advice), shown on every witness page. Message ids
# (English) translated by the web layer's "witness" domain.
WITNESS_GUIDANCE = (
    "Do not share, like or comment on the messages or images: it spreads them further.",
    "Reassure the person: tell them it is not their fault and that you are there.",
    "Preserve the evidence: screenshots with the date, the account and the link.",
    "Report it: to the platform, and call or write to 3018 (free, anonymous, 7 days a week).",
)
