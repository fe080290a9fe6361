"""Labels and scores the text classifier gave to each message of a case.

The message text itself is not copied here (it is evidence, kept encrypted by its own store): a
row keeps the SHA-256 of the text it classified, so a result can be matched to its message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rempart.store.db import ID, TS, Base


class MessageClassification(Base):
    __tablename__ = "message_classifications"
    __table_args__ = (UniqueConstraint("case_id", "message_ref",
                                       name="uq_message_classifications_case_message"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    # The case's identifier as text, so that this table does not depend on the case table's key.
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    # Which message: "report" (typed in the report), "message:<id>", "ocr:<evidence id>", ...
    message_ref: Mapped[str] = mapped_column(String(128))
    text_sha256: Mapped[str] = mapped_column(String(64))
    labels: Mapped[str] = mapped_column(String(256))  # comma-separated label names
    traits: Mapped[str] = mapped_column(String(256))  # comma-separated targeted traits
    scores_json: Mapped[str] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(64))
    classified_at: Mapped[datetime] = mapped_column(TS)
