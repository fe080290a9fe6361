"""Tables of the counsellors' workbench: who has a case, what each member last saw, canned
replies, and the perceptual hash of each image (near-duplicates and related cases).

Canned replies are the organisation's own texts (not reporters' contents); the PDQ hash of an
image is a 256-bit perceptual fingerprint, not the image.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rempart.store.db import TS, UUID, Base


class CaseAssignmentRecord(Base):
    """The staff member who has the case now (one at most); handovers replace the row."""

    __tablename__ = "case_assignments"
    case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    assigned_by: Mapped[str | None] = mapped_column(UUID)
    assigned_at: Mapped[datetime] = mapped_column(TS)


class CaseSeenRecord(Base):
    """When a staff member last opened a case: what came after is "new" for them."""

    __tablename__ = "case_seen"
    staff_id: Mapped[str] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, index=True)
    seen_at: Mapped[datetime] = mapped_column(TS)


class CannedReplyRecord(Base):
    __tablename__ = "canned_replies"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    language: Mapped[str] = mapped_column(String(5), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(UUID)
    updated_at: Mapped[datetime] = mapped_column(TS)


class EvidencePdqRecord(Base):
    """The PDQ hash of an image item (``pdq`` None: not an image or not decodable)."""

    __tablename__ = "evidence_pdq"
    item_id: Mapped[str] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    pdq: Mapped[str | None] = mapped_column(String(64))
    quality: Mapped[int | None] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(TS)
