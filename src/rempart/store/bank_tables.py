"""Hash banks: banks, their entries, partners and API keys, match feedback, self-submissions,
the partners' shared rate buckets and the entries each partner may give feedback on.

``hash_bank_sequence`` is a one-row change counter: every write bumps it inside its transaction
(the row lock serialises writers on PostgreSQL, SQLite serialises them anyway), and stamps the
rows it touches with the new value, so a process refreshing its index reads
``last < change_seq <= current`` and never misses a change committed out of order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rempart.store.db import ID, TS, Base


class HashBank(Base):
    __tablename__ = "hash_banks"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # ncii-adults, ncii-minors, partner, negative
    max_distance: Mapped[int] = mapped_column(Integer, default=31)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(TS)


class BankEntry(Base):
    __tablename__ = "hash_bank_entries"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("hash_banks.id", ondelete="CASCADE"))
    signal_type: Mapped[str] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(Text)
    quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    case_reference: Mapped[str] = mapped_column(String(64), index=True)
    content_id: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, withdrawn
    provenance: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(TS)
    withdrawn_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)

    __table_args__ = (Index("ix_hash_bank_entries_bank_signal", "bank_id", "signal_type", "hash"),)


class BankSequence(Base):
    __tablename__ = "hash_bank_sequence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Partner(Base):
    __tablename__ = "hash_partners"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    can_write: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TS)


class ApiKey(Base):
    __tablename__ = "hash_api_keys"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("hash_partners.id", ondelete="CASCADE"))
    # SHA-256 of a 256-bit random key: brute force is hopeless, so no slow hash is needed.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings to tell keys apart
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=600)
    created_at: Mapped[datetime] = mapped_column(TS)
    revoked_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)


class MatchFeedback(Base):
    __tablename__ = "hash_match_feedback"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("hash_partners.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("hash_bank_entries.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(16))  # blocked, not_blocked, false_positive
    content_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(TS)


class SelfSubmission(Base):
    """A person's own hashes submitted from their device: followed or withdrawn with a PIN."""

    __tablename__ = "hash_self_submissions"
    case_reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("hash_banks.id", ondelete="CASCADE"))
    pin_hash: Mapped[str] = mapped_column(String(200))  # argon2
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(TS)
    withdrawn_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)


class RateBucket(Base):
    """The token bucket of one API key, shared by every server process (see detect/partners)."""

    __tablename__ = "partner_rate_buckets"
    key_id: Mapped[int] = mapped_column(ForeignKey("hash_api_keys.id", ondelete="CASCADE"),
                                        primary_key=True)
    tokens: Mapped[float] = mapped_column(Double)  # may be negative: a large request's debt
    updated_at: Mapped[float] = mapped_column(Double)  # seconds since the epoch


class EntryAccess(Base):
    """Entries a partner may give feedback on: those it was shown as matches, or added itself."""

    __tablename__ = "partner_entry_access"
    partner_id: Mapped[int] = mapped_column(ForeignKey("hash_partners.id", ondelete="CASCADE"),
                                            primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("hash_bank_entries.id", ondelete="CASCADE"),
                                          primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(TS)
