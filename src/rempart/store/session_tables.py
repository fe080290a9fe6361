"""Login throttle: one row per key (a SHA-256 of the typed case code or staff e-mail).

The row is locked (an UPDATE) before a passphrase or password is checked, so that concurrent
attempts on one key are counted one after the other; see ``rempart.store.access``. Reporter
sessions (web cookie and API bearer token) are the rows of ``case_tokens`` (store.tables).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rempart.store.db import TS, Base


class LoginThrottleRecord(Base):
    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Attempts counted since the last success (each is counted before its check).
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
