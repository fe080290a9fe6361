"""What Rempart read from a case's evidence (issue 14): one row per derived item.

The derived data itself (the text of a screenshot with its word boxes, a chat export's
messages...) is never in a column: it is a JSON document stored encrypted in the vault like the
evidence, under the row's ``id`` as its vault item id, so that withdrawing the case shreds it with
the evidence. The row keeps only what is needed to find and verify it: the source item and its
SHA-256, the digest of the derived document, the engine and the language detected.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from rempart.store.db import TS, UUID, Base


class DerivedItemRecord(Base):
    __tablename__ = "evidence_derived"
    __table_args__ = (UniqueConstraint("evidence_id", "kind", name="uq_evidence_derived_kind"),)

    id: Mapped[str] = mapped_column(UUID, primary_key=True)  # also its vault item id
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    evidence_id: Mapped[str] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "ocr"
    source_sha256: Mapped[str] = mapped_column(String(64))  # the evidence item it was read from
    sha256: Mapped[str] = mapped_column(String(64))  # the derived JSON document
    size: Mapped[int] = mapped_column(Integer)
    engine: Mapped[str] = mapped_column(String(60))  # "tesseract 5.3.0"
    language: Mapped[str] = mapped_column(String(8))  # "fr", "en", "und"
    words: Mapped[int] = mapped_column(Integer)
    leaf_index: Mapped[int | None] = mapped_column(Integer)  # its custody "derived" entry
    created_at: Mapped[datetime] = mapped_column(TS)


class DerivedRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: DerivedItemRecord) -> None:
        self.session.add(row)
        self.session.flush()

    def for_case(self, case_id: str, kind: str | None = None) -> list[DerivedItemRecord]:
        query = select(DerivedItemRecord).where(DerivedItemRecord.case_id == case_id)
        if kind is not None:
            query = query.where(DerivedItemRecord.kind == kind)
        return list(self.session.scalars(query.order_by(DerivedItemRecord.created_at,
                                                        DerivedItemRecord.id)))

    def of_item(self, evidence_id: str, kind: str) -> DerivedItemRecord | None:
        return self.session.scalar(select(DerivedItemRecord).where(
            DerivedItemRecord.evidence_id == evidence_id, DerivedItemRecord.kind == kind))


    def index_for_search(self, case_id: str, text: str, handles: list[str], urls: list[str]
                         ) -> int | None:
        """The words of the case's derived text into the staff search's blind index."""
        from rempart.evidence.sealed import index_evidence_text

        return index_evidence_text(self.session, case_id, text, handles, urls)


def derived(uow: Any) -> DerivedRepository:
    """The derived items of an open, database-backed unit of work."""
    session = getattr(uow, "session", None)
    if session is None:
        raise RuntimeError("derived evidence needs an open database-backed unit of work")
    return DerivedRepository(session)
