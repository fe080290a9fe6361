"""Custody ledger tables: head, leaves, complete-subtree hashes, signed checkpoints.

``ledger_head`` is a one-row counter locked by every append, so that leaf indexes are sequential
without gaps even with several writer processes. ``ledger_nodes`` holds the hash of every
complete, aligned subtree of two leaves or more (level L >= 1, index i covers leaves
[i*2^L, (i+1)*2^L)); level 0 is each leaf's own ``leaf_hash``. Any proof or root then needs at most
about two hashes per level, fetched in one query, instead of rehashing leaves. Nodes of complete
subtrees never change once written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rempart.store.db import ID, TS, Base


class LedgerHead(Base):
    __tablename__ = "ledger_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    size: Mapped[int] = mapped_column(BigInteger)


class LedgerLeaf(Base):
    __tablename__ = "ledger_leaves"
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf: Mapped[bytes] = mapped_column(LargeBinary)  # canonical JSON of the custody event
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Copied out of the leaf so that a case's events are found without parsing every leaf.
    case_id: Mapped[str | None] = mapped_column(String(100), index=True)
    item_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(TS)


class LedgerNode(Base):
    __tablename__ = "ledger_nodes"
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerCheckpoint(Base):
    __tablename__ = "ledger_checkpoints"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger, unique=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)  # C2SP signed note
    verifier_key: Mapped[str] = mapped_column(Text)  # the key that signed it
    created_at: Mapped[datetime] = mapped_column(TS)
    # RFC 3161 timestamp of the signed note (DER TimeStampToken) and the authority's PEM chain.
    tsa_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    tsa_chain: Mapped[str | None] = mapped_column(Text)
