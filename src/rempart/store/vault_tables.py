"""The vault's wrapped data keys: one row per evidence item, deleted to crypto-shred a case.

No foreign key to ``evidence_items`` on purpose: the key row is committed before the evidence
row (see ``rempart.evidence.vault``), so a key may briefly exist without its item, never the
other way round.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from rempart.store.db import TS, Base


class VaultKeyRecord(Base):
    __tablename__ = "vault_data_keys"
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(100), index=True)
    master_key_id: Mapped[str] = mapped_column(String(64), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))  # plaintext digest, bound into the blob
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TS)


class CaseTextKeyRecord(Base):
    """The data key that seals a case's text (description, contact, handles, links, messages),
    wrapped by a master key; deleted to crypto-shred the text (issue 12.2). No foreign key: the
    case row and this one are deleted together by the sealing hooks (rempart.evidence.sealed)."""

    __tablename__ = "case_text_keys"
    case_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    master_key_id: Mapped[str] = mapped_column(String(64), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(TS)


class BlindIndexRecord(Base):
    """Keyed hashes of a case's handles, links and words (rempart.security.blind_index)."""

    __tablename__ = "blind_index"
    case_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    hmac: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)

    __table_args__ = (Index("ix_blind_index_lookup", "kind", "hmac"),)
