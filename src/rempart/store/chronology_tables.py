"""The reporter's corrections of the chronology of the facts (issue 14.4), and the case's custody
events as the back-office chronology lists them.

A correction row holds no date and no text: what the reporter wrote (the line it changes, the new
date, the added text) is a small JSON document stored encrypted in the vault under the row's
``id``, so that withdrawing the case shreds it with the evidence; the row keeps what is needed to
find and verify it (its kind, the document's digest, its custody entry).

``ChronologyRepository`` is how the services reach these rows inside a unit of work
(``chronology(uow)``); it needs the database-backed unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from rempart.domain.custody import CustodyEvent, InvalidCustodyEvent
from rempart.store.db import TS, UUID, Base
from rempart.store.ledger_tables import LedgerLeaf


class TimelineCorrectionRecord(Base):
    __tablename__ = "timeline_corrections"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)  # also its vault item id
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "date", "exclude", "include", "add"
    sha256: Mapped[str] = mapped_column(String(64))  # the encrypted document's plaintext digest
    leaf_index: Mapped[int | None] = mapped_column(Integer)  # its custody entry
    created_at: Mapped[datetime] = mapped_column(TS)


class ChronologyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: TimelineCorrectionRecord) -> None:
        self.session.add(row)
        self.session.flush()

    def corrections(self, case_id: str) -> list[TimelineCorrectionRecord]:
        """Oldest first: a later correction of a line replaces an earlier one."""
        return list(self.session.scalars(
            select(TimelineCorrectionRecord).where(TimelineCorrectionRecord.case_id == case_id)
            .order_by(TimelineCorrectionRecord.created_at, TimelineCorrectionRecord.id)))

    def count(self, case_id: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(
            TimelineCorrectionRecord).where(TimelineCorrectionRecord.case_id == case_id)) or 0)

    def custody_events(self, case_id: str) -> list[tuple[int, CustodyEvent]]:
        """(ledger index, event) of every custody entry of the case, oldest first."""
        rows = self.session.execute(select(LedgerLeaf.idx, LedgerLeaf.leaf)
                                    .where(LedgerLeaf.case_id == case_id)
                                    .order_by(LedgerLeaf.idx))
        out = []
        for index, leaf in rows:
            try:
                out.append((int(index), CustodyEvent.from_leaf(bytes(leaf))))
            except InvalidCustodyEvent:  # the integrity check reports it; not listed here
                continue
        return out


def chronology(uow: Any) -> ChronologyRepository:
    """The chronology rows of an open, database-backed unit of work."""
    session = getattr(uow, "session", None)
    if session is None:
        raise RuntimeError("the chronology needs an open database-backed unit of work")
    return ChronologyRepository(session)
