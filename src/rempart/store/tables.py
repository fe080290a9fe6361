"""SQLAlchemy tables of the foundation: cases, evidence items, messages, staff, audit.

Portable types only (string UUIDs, timezone-aware datetimes, JSON), identical on SQLite and
PostgreSQL. Secrets are stored as argon2id hashes (passphrases, passwords) or SHA-256 digests of
random tokens (sessions, API tokens), never in clear; TOTP secrets, which the server must read
back, are encrypted (AES-256-GCM under the instance's TOTP key).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rempart.store.db import ID, TS, UUID, Base


class CaseRecord(Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    passphrase_hash: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(30), index=True)
    kinds: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text)
    platforms: Mapped[list[str]] = mapped_column(JSON)
    other_platform: Mapped[str | None] = mapped_column(Text)
    urls: Mapped[list[str]] = mapped_column(JSON)
    incident_dates: Mapped[str | None] = mapped_column(Text)
    author_handles: Mapped[list[str]] = mapped_column(JSON)
    victim_is_minor: Mapped[bool] = mapped_column(Boolean)
    reporter_role: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str | None] = mapped_column(Text)
    # What the reporter said the law needs (ReportFacts.as_dict; {} when nothing is known).
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # Signals found later (classifier labels...) that raise the triage priority.
    labels: Mapped[list[str]] = mapped_column(JSON)
    priority: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)

    __table_args__ = (Index("ix_cases_queue", "priority", "created_at"),)


class EvidenceRecord(Base):
    __tablename__ = "evidence_items"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(TS)


class MessageRecord(Base):
    """The reporter <-> staff thread, and staff internal notes (``internal``, never shown)."""

    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(20))  # "reporter" or "staff"
    staff_id: Mapped[str | None] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    internal: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS)


class StaffRecord(Base):
    __tablename__ = "staff_accounts"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Sealed with AES-256-GCM under the instance key (rempart.security.totp_crypto), never clear.
    totp_secret: Mapped[str] = mapped_column(String(255))
    # The last accepted TOTP time step, so that a code cannot be replayed.
    last_totp_step: Mapped[int | None] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(TS)
    last_login_at: Mapped[datetime | None] = mapped_column(TS)


class StaffSessionRecord(Base):
    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    expires_at: Mapped[datetime] = mapped_column(TS)


class CaseTokenRecord(Base):
    """Short-lived bearer tokens handed out by the API after code + passphrase."""

    __tablename__ = "case_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(TS)


class AuditRecord(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(TS, index=True)
    actor: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[str | None] = mapped_column(UUID)  # kept after the account goes
    action: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[str | None] = mapped_column(UUID, index=True)  # kept after withdrawal
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class PassphraseAttemptRecord(Base):
    """Failed attempts per key (a SHA-256 of the normalised case code or staff e-mail).

    Keyed by what was typed, whether or not it exists, so that the lock says nothing about it.
    """

    __tablename__ = "passphrase_attempts"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(TS)
