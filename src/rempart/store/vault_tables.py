"""The vault's wrapped data keys: one row per evidence item, deleted to crypto-shred a case.

No foreign key to ``evidence_items`` on purpose: the key row is committed before the evidence
row (see ``rempart.evidence.vault``), so a key may briefly exist without its item, never the
other way round.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary, String
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
