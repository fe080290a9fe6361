"""Hash bank service: create banks, add and withdraw hashes, match, self-submissions.

Every function takes a SQLAlchemy ``Session`` as its unit of work and never commits: the caller
(CLI command, web handler) owns the transaction, so a failed import stores nothing. Invalid
input raises ``BankError`` (HTTP 400 / exit code 2).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from rempart.detect import signal_types
from rempart.detect.signals import PDQ_MAX_DISTANCE, InvalidSignal
from rempart.security import passphrase
from rempart.store.bank_tables import (
    BankEntry,
    BankSequence,
    HashBank,
    MatchFeedback,
    SelfSubmission,
)

BANK_KINDS = ("ncii-adults", "ncii-minors", "partner", "negative")
HARD_MAX_DISTANCE = 64  # beyond this PDQ matches are noise, whatever a bank asks for
PIN_ATTEMPTS = 5
_pins = PasswordHasher()


class BankError(ValueError):
    """Bad input for a bank operation (unknown bank, malformed hash, ...)."""


@dataclass(frozen=True)
class HashInput:
    signal_type: str
    hash: str
    case_reference: str = ""
    content_id: str = ""
    quality: int | None = None
    provenance: str = ""


def now() -> datetime:
    return datetime.now(UTC)


def next_sequence(session: Session) -> int:
    """Bump the change counter; the row lock orders concurrent writers (see bank_tables)."""
    session.execute(update(BankSequence).where(BankSequence.id == 1)
                    .values(value=BankSequence.value + 1))
    return int(session.scalar(select(BankSequence.value).where(BankSequence.id == 1)) or 0)


def create_bank(session: Session, name: str, kind: str, max_distance: int = PDQ_MAX_DISTANCE,
                description: str = "") -> HashBank:
    if kind not in BANK_KINDS:
        raise BankError(f"bank kind must be one of {', '.join(BANK_KINDS)}")
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        raise BankError("bank names use letters, digits, - and _ (64 at most)")
    if not 0 <= max_distance <= HARD_MAX_DISTANCE:
        raise BankError(f"max distance must be between 0 and {HARD_MAX_DISTANCE}")
    if session.scalar(select(HashBank.id).where(HashBank.name == name)) is not None:
        raise BankError(f"bank {name!r} already exists")
    bank = HashBank(name=name, kind=kind, max_distance=max_distance, description=description,
                    created_at=now())
    session.add(bank)
    session.flush()
    return bank


def get_bank(session: Session, name: str) -> HashBank:
    bank = session.scalar(select(HashBank).where(HashBank.name == name))
    if bank is None:
        raise BankError(f"no bank named {name!r}")
    return bank


def list_banks(session: Session) -> list[tuple[HashBank, int]]:
    """Every bank with its number of active entries."""
    counts = dict(session.execute(
        select(BankEntry.bank_id, func.count()).where(BankEntry.status == "active")
        .group_by(BankEntry.bank_id)).all())
    banks = session.scalars(select(HashBank).order_by(HashBank.name)).all()
    return [(bank, int(counts.get(bank.id, 0))) for bank in banks]


def _validated(item: HashInput, row: int) -> HashInput:
    try:
        signal_type = signal_types.get(item.signal_type)
        value = signal_type.normalise(item.hash)
    except InvalidSignal as exc:
        raise BankError(f"row {row}: {exc}") from None
    problem = signal_type.quality_problem(item.quality)
    if problem:
        raise BankError(f"row {row}: {problem}")
    if len(item.case_reference) > 64 or len(item.content_id) > 200 or len(item.provenance) > 200:
        raise BankError(f"row {row}: case reference, content id or provenance too long")
    return HashInput(signal_type.name, value, item.case_reference, item.content_id,
                     item.quality, item.provenance)


def add_hashes(session: Session, bank_name: str, items: Iterable[HashInput],
               provenance: str = "") -> list[int]:
    """Validate every item first (nothing is stored if one is bad), then add them all."""
    bank = get_bank(session, bank_name)
    valid = [_validated(item, row) for row, item in enumerate(items, start=1)]
    seq, created = next_sequence(session), now()
    entries = [BankEntry(bank_id=bank.id, signal_type=v.signal_type, hash=v.hash,
                         quality=v.quality,
                         case_reference=v.case_reference or new_case_reference(),
                         content_id=v.content_id, status="active",
                         provenance=v.provenance or provenance, created_at=created,
                         change_seq=seq) for v in valid]
    session.add_all(entries)
    session.flush()
    return [e.id for e in entries]


def new_case_reference() -> str:
    """Opaque and unguessable: it reveals nothing about the person or the content."""
    return "NC-" + secrets.token_hex(8).upper()


def withdraw_case(session: Session, case_reference: str, bank_name: str | None = None) -> int:
    """Withdraw every active hash of a case; matching stops using them at once."""
    query = update(BankEntry).where(BankEntry.case_reference == case_reference,
                                    BankEntry.status == "active")
    if bank_name is not None:
        query = query.where(BankEntry.bank_id == get_bank(session, bank_name).id)
    seq = next_sequence(session)
    result = session.execute(query.values(status="withdrawn", withdrawn_at=now(),
                                          change_seq=seq))
    return int(result.rowcount)  # type: ignore[attr-defined]


def active_entries(session: Session, bank_name: str) -> Iterator[BankEntry]:
    bank = get_bank(session, bank_name)
    query = (select(BankEntry).where(BankEntry.bank_id == bank.id, BankEntry.status == "active")
             .order_by(BankEntry.id).execution_options(yield_per=10_000))
    yield from session.scalars(query)


DEFAULT_BANKS = ("ncii-adults", "ncii-minors")  # StopNCII-style and Take It Down-style banks


@dataclass(frozen=True)
class SelfCaseStatus:
    case_reference: str
    bank: str
    active_hashes: int
    withdrawn_hashes: int
    blocked_reports: int  # partners' feedback "blocked" on these hashes
    created_at: datetime
    withdrawn_at: datetime | None


def submit_self_hashes(session: Session, hashes: list[HashInput],
                       bank_name: str) -> tuple[str, str]:
    """A person's own hashes (computed on their device): returns (case reference, PIN).

    Both are made like a reporter's case code and passphrase (``security.passphrase``: Crockford
    letters in groups, and French words), since the same person may hold both. The PIN is shown
    once and stored only as an argon2 hash of its normalised form; with the case reference it
    lets the person follow (``self_case_status``) or withdraw (``withdraw_self_case``) the hashes
    later. The two default banks are created on first use.
    """
    if not hashes or len(hashes) > 1000:
        raise BankError("submit between 1 and 1000 hashes")
    if bank_name in DEFAULT_BANKS and session.scalar(
            select(HashBank.id).where(HashBank.name == bank_name)) is None:
        create_bank(session, bank_name, bank_name)
    case_reference = passphrase.new_self_case_reference()
    pin = passphrase.new_pin()
    add_hashes(session, bank_name, [HashInput(h.signal_type, h.hash, case_reference, "",
                                              h.quality, "self-submitted") for h in hashes])
    session.add(SelfSubmission(case_reference=case_reference,
                               pin_hash=_pins.hash(passphrase.normalize_passphrase(pin)),
                               bank_id=get_bank(session, bank_name).id, failed_attempts=0,
                               created_at=now()))
    session.flush()
    return case_reference, pin


def _checked(session: Session, case_reference: str, pin: str) -> SelfSubmission | None:
    """The submission if the PIN is right; a wrong PIN is counted, 5 of them lock the case.

    The reference and PIN are compared in their normalised forms (case, spaces, accents and
    hyphens typed on a phone do not count); the former 8-digit PINs normalise to themselves."""
    sub = session.get(SelfSubmission, passphrase.normalize_self_case_reference(case_reference))
    if sub is None or sub.failed_attempts >= PIN_ATTEMPTS:
        return None
    try:
        _pins.verify(sub.pin_hash, passphrase.normalize_passphrase(pin))
    except VerificationError:
        sub.failed_attempts += 1
        session.flush()
        return None
    return sub


def withdraw_self_case(session: Session, case_reference: str, pin: str) -> int | None:
    """Withdraw a self-submitted case; returns the hashes withdrawn, or None if refused.

    Commit the session even when refused, so that the wrong PIN is counted.
    """
    sub = _checked(session, case_reference, pin)
    if sub is None:
        return None
    sub.withdrawn_at = sub.withdrawn_at or now()
    return withdraw_case(session, sub.case_reference)


def self_case_status(session: Session, case_reference: str, pin: str) -> SelfCaseStatus | None:
    """What became of a self-submitted case, or None if refused (commit: PIN failures count)."""
    sub = _checked(session, case_reference, pin)
    if sub is None:
        return None
    counts = dict(session.execute(
        select(BankEntry.status, func.count()).where(BankEntry.case_reference ==
                                                     sub.case_reference)
        .group_by(BankEntry.status)).all())
    blocked = session.scalar(
        select(func.count()).select_from(MatchFeedback)
        .join(BankEntry, BankEntry.id == MatchFeedback.entry_id)
        .where(BankEntry.case_reference == sub.case_reference,
               MatchFeedback.verdict == "blocked")) or 0
    bank = session.get(HashBank, sub.bank_id)
    return SelfCaseStatus(sub.case_reference, bank.name if bank else "",
                          int(counts.get("active", 0)), int(counts.get("withdrawn", 0)),
                          int(blocked), sub.created_at, sub.withdrawn_at)
