"""The audit log's hash chain (issue 12.10): each audit row gets a link holding the hash of the
previous link, so that a changed or deleted audit row, or one slipped in by hand, shows.

``audit_chain`` has one link per audit row, in the order the rows were committed (``seq``, 1, 2,
...): ``hash = SHA-256(prev_hash || canonical JSON of the row)`` (RFC 8785: id, at in UTC with
microseconds, actor, staff_id, action, case_id, detail). ``audit_chain_head`` is the one-row tip.
There is deliberately no foreign key from a link to its row: deleting a row must leave the link
that proves it existed.

Links are written by a SQLAlchemy ``after_flush`` hook for every ``AuditRecord`` flushed by any
session, so no caller can forget them. The hook takes the ledger head's row lock first (the lock
every custody append takes), then the chain head's: one lock order, no deadlock between a
transaction that logs custody then audits and one that audits then logs custody.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import rfc8785
from sqlalchemy import BigInteger, Integer, LargeBinary, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from rempart.store.db import Base
from rempart.store.ledger_tables import LedgerHead
from rempart.store.tables import AuditRecord

GENESIS = b"\x00" * 32


class AuditChainHead(Base):
    __tablename__ = "audit_chain_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditChainLink(Base):
    __tablename__ = "audit_chain"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    audit_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


def _utc(at: datetime) -> str:
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite: naive UTC
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_bytes(audit_id: int, at: datetime, actor: str, staff_id: str | None, action: str,
              case_id: str | None, detail: Mapping[str, Any] | None) -> bytes:
    """The canonical bytes of one audit row, as hashed into the chain."""
    return rfc8785.dumps({"id": int(audit_id), "at": _utc(at), "actor": actor,
                          "staff_id": staff_id, "action": action, "case_id": case_id,
                          "detail": dict(detail or {})})


def link_hash(prev_hash: bytes, row: bytes) -> bytes:
    return hashlib.sha256(prev_hash + row).digest()


def record_bytes(record: AuditRecord) -> bytes:
    return row_bytes(record.id, record.at, record.actor, record.staff_id, record.action,
                     record.case_id, record.detail)


@event.listens_for(Session, "after_flush")
def _chain_new_audit_rows(session: Session, _context: object) -> None:
    records = sorted((obj for obj in session.new if isinstance(obj, AuditRecord)),
                     key=lambda record: record.id)
    if not records:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":  # SQLite: the flush already holds the write lock
        connection.execute(select(LedgerHead.size).where(LedgerHead.id == 1).with_for_update())
    head = connection.execute(select(AuditChainHead.seq, AuditChainHead.hash)
                              .where(AuditChainHead.id == 1).with_for_update()).first()
    if head is None:  # schema without the 0010_integrity migration: nothing to chain into
        return
    seq, previous = int(head[0]), bytes(head[1])
    links = []
    for record in records:
        seq += 1
        digest = link_hash(previous, record_bytes(record))
        links.append({"seq": seq, "audit_id": record.id, "prev_hash": previous, "hash": digest})
        previous = digest
    connection.execute(insert(AuditChainLink), links)
    connection.execute(update(AuditChainHead).where(AuditChainHead.id == 1)
                       .values(seq=seq, hash=previous))


MAX_PROBLEMS = 50
_BATCH = 1000


def audit_chain_problems(session: Session) -> tuple[int, list[str]]:
    """Walk the chain; (links checked, problems: changed, deleted or unchained audit rows)."""
    problems: list[str] = []

    def problem(text: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(text)

    expected_seq, previous, checked = 1, GENESIS, 0
    batch: list[AuditChainLink] = []

    def check(links: list[AuditChainLink]) -> None:
        nonlocal expected_seq, previous
        ids = [link.audit_id for link in links]
        rows = {r.id: r for r in session.scalars(select(AuditRecord)
                                                  .where(AuditRecord.id.in_(ids)))}
        for link in links:
            if link.seq != expected_seq:
                problem(f"audit chain links {expected_seq} to {link.seq - 1} are missing")
            if bytes(link.prev_hash) != previous:
                problem(f"audit chain link {link.seq}: the previous hash does not match")
            row = rows.get(link.audit_id)
            if row is None:
                problem(f"audit row {link.audit_id} was deleted (chain link {link.seq})")
            elif link_hash(bytes(link.prev_hash), record_bytes(row)) != bytes(link.hash):
                problem(f"audit row {link.audit_id} was changed (chain link {link.seq})")
            expected_seq, previous = link.seq + 1, bytes(link.hash)

    for link in session.scalars(select(AuditChainLink).order_by(AuditChainLink.seq)
                                .execution_options(yield_per=_BATCH)):
        batch.append(link)
        checked += 1
        if len(batch) == _BATCH:
            check(batch)
            batch = []
    if batch:
        check(batch)
    head = session.get(AuditChainHead, 1)
    if head is None:
        problem("the audit chain has no tip row")
    elif (int(head.seq), bytes(head.hash)) != (expected_seq - 1, previous):
        problem(f"the audit chain's tip (link {head.seq}) is not its last link "
                f"({expected_seq - 1}): links were removed")
    unchained = session.scalars(select(AuditRecord.id).where(
        AuditRecord.id.not_in(select(AuditChainLink.audit_id))).order_by(AuditRecord.id)
        .limit(MAX_PROBLEMS))
    for audit_id in unchained:
        problem(f"audit row {audit_id} is not in the chain (written outside Rempart)")
    return checked, problems


def audit_chain_tip(session: Session) -> tuple[int, bytes] | None:
    head = session.get(AuditChainHead, 1)
    return (int(head.seq), bytes(head.hash)) if head is not None else None


def audit_chain_link(session: Session, seq: int) -> bytes | None:
    link = session.get(AuditChainLink, seq)
    return bytes(link.hash) if link is not None else None
