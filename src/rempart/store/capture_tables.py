"""Page captures asked from the portal, the back-office or the command line (issue 14.3): one row
per request, so that the pages can say whether it is waiting, done or refused (and why).

A row holds no address: the URL asked for is a small JSON document stored encrypted in the vault
under the row's ``id`` (withdrawing the case shreds it with the evidence); the job reads it from
there, the queue carries only the row's id. ``state`` is "queued", "running" (a worker claimed
it), "done", "refused" (``reason`` is one of ``rempart.capture.fetch.CaptureRefused.REASONS``)
or "failed" (``reason`` "error": something else went wrong, logged without the address).
``requested_by`` is the audit actor ("reporter", "staff", "operator"), ``staff_id`` the staff
member who asked, if one did.

``CaptureRepository`` is how services reach these rows inside a unit of work (``captures(uow)``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from rempart.store.db import TS, UUID, Base
from rempart.store.tables import CaseRecord


class CaptureRecord(Base):
    __tablename__ = "captures"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)  # also its vault item id (the URL)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[str | None] = mapped_column(UUID)  # kept after the account goes
    state: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(20))
    warc_item_id: Mapped[str | None] = mapped_column(UUID)
    png_item_id: Mapped[str | None] = mapped_column(UUID)
    derived_id: Mapped[str | None] = mapped_column(UUID)  # the capture document
    requested_at: Mapped[datetime] = mapped_column(TS, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(TS)


class CaptureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: CaptureRecord) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, capture_id: str) -> CaptureRecord | None:
        return self.session.get(CaptureRecord, capture_id)

    def for_case(self, case_id: str, limit: int = 100) -> list[CaptureRecord]:
        """Newest first."""
        return list(self.session.scalars(
            select(CaptureRecord).where(CaptureRecord.case_id == case_id)
            .order_by(CaptureRecord.requested_at.desc(), CaptureRecord.id).limit(limit)))

    def lock_case(self, case_id: str) -> None:
        """Serialise the requests of one case until the transaction ends (PostgreSQL row lock;
        SQLite has one writer at a time anyway)."""
        self.session.execute(select(CaseRecord.id).where(CaseRecord.id == case_id)
                             .with_for_update())

    def requested_since(self, case_id: str, requested_by: str, since: datetime
                        ) -> list[datetime]:
        """When each request of ``requested_by`` for the case since ``since`` was made,
        oldest first."""
        return list(self.session.scalars(
            select(CaptureRecord.requested_at).where(
                CaptureRecord.case_id == case_id, CaptureRecord.requested_by == requested_by,
                CaptureRecord.requested_at >= since).order_by(CaptureRecord.requested_at)))

    def requested_before(self, state: str, before: datetime, limit: int = 500
                         ) -> list[CaptureRecord]:
        """Requests in ``state`` asked for before ``before``, oldest first."""
        return list(self.session.scalars(
            select(CaptureRecord).where(CaptureRecord.state == state,
                                        CaptureRecord.requested_at < before)
            .order_by(CaptureRecord.requested_at, CaptureRecord.id).limit(limit)))

    def claim(self, capture_id: str) -> bool:
        """Queued -> running, atomically: only one worker runs a capture."""
        done = self.session.execute(update(CaptureRecord).where(
            CaptureRecord.id == capture_id, CaptureRecord.state == "queued")
            .values(state="running").execution_options(synchronize_session=False))
        return int(getattr(done, "rowcount", 0) or 0) == 1


def captures(uow: Any) -> CaptureRepository:
    """The capture rows of an open, database-backed unit of work."""
    session = getattr(uow, "session", None)
    if session is None:
        raise RuntimeError("page captures need an open database-backed unit of work")
    return CaptureRepository(session)
