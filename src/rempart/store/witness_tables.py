"""Storage of witness invitations and contributions (issue 14.5). Storage only for now.

An invitation is what the victim hands to someone they trust: its code is never stored, only a
keyed hash of it (``code_index``, HMAC as in ``rempart.security.blind_index``, for the lookup)
and an argon2 hash of its secret part (``secret_hash``), as case codes and passphrases are.

A contribution is what a witness sent through an invitation. It holds no plaintext content: the
statement and the optional name are sealed (``sealed_statement``, ``sealed_name``), and the
pending files live in the vault under the contribution's own ``id`` as vault case id, so that
declining it deletes that vault case's data keys and crypto-shreds them. The witness's follow
code is kept the same way as the invitation code (keyed hash + argon2 hash of its secret).
``state`` is "pending", "accepted" or "declined"; ``decided_at`` is when the victim decided.

``WitnessRepository`` is how services reach these rows inside a unit of work (``witnesses(uow)``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from rempart.evidence import sealed
from rempart.store.db import TS, UUID, Base


class WitnessInvitationRecord(Base):
    __tablename__ = "witness_invitations"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    code_index: Mapped[str] = mapped_column(String(64), unique=True)  # keyed hash of the code
    secret_hash: Mapped[str] = mapped_column(String(255))  # argon2
    expires_at: Mapped[datetime] = mapped_column(TS)
    revoked_at: Mapped[datetime | None] = mapped_column(TS)
    created_at: Mapped[datetime] = mapped_column(TS)


class WitnessContributionRecord(Base):
    __tablename__ = "witness_contributions"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)  # also its vault case id (files)
    invitation_id: Mapped[str] = mapped_column(
        ForeignKey("witness_invitations.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    sealed_statement: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    follow_index: Mapped[str] = mapped_column(String(64), unique=True)  # keyed hash of the code
    follow_hash: Mapped[str] = mapped_column(String(255))  # argon2 of the follow secret
    created_at: Mapped[datetime] = mapped_column(TS)
    decided_at: Mapped[datetime | None] = mapped_column(TS)


class WitnessRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: WitnessInvitationRecord | WitnessContributionRecord) -> None:
        self.session.add(row)
        self.session.flush()

    def invitation_by_code_index(self, code_index: str) -> WitnessInvitationRecord | None:
        return self.session.scalar(select(WitnessInvitationRecord)
                                   .where(WitnessInvitationRecord.code_index == code_index))

    def invitations(self, case_id: str) -> list[WitnessInvitationRecord]:
        """Newest first."""
        return list(self.session.scalars(
            select(WitnessInvitationRecord).where(WitnessInvitationRecord.case_id == case_id)
            .order_by(WitnessInvitationRecord.created_at.desc(), WitnessInvitationRecord.id)))

    def contribution(self, case_id: str, contribution_id: str) -> WitnessContributionRecord | None:
        """The contribution only if it belongs to ``case_id``."""
        return self.session.scalar(select(WitnessContributionRecord).where(
            WitnessContributionRecord.case_id == case_id,
            WitnessContributionRecord.id == contribution_id))

    def contribution_by_follow_index(self, follow_index: str) -> WitnessContributionRecord | None:
        return self.session.scalar(select(WitnessContributionRecord)
                                   .where(WitnessContributionRecord.follow_index == follow_index))

    def contributions(self, case_id: str,
                      state: str | None = None) -> list[WitnessContributionRecord]:
        """Oldest first; only those in ``state`` when given."""
        query = select(WitnessContributionRecord).where(
            WitnessContributionRecord.case_id == case_id)
        if state is not None:
            query = query.where(WitnessContributionRecord.state == state)
        return list(self.session.scalars(query.order_by(WitnessContributionRecord.created_at,
                                                        WitnessContributionRecord.id)))


    # The contribution's sealed texts (rempart.evidence.sealed): its own data key, deleted to
    # crypto-shred them when the victim declines it or withdraws the case.
    def seal(self, contribution_id: str, label: str, value: object) -> bytes:
        return sealed.seal_owned(self.session, contribution_id, label, value)

    def open_sealed(self, contribution_id: str, label: str, value: bytes) -> Any:
        """The value, or None once its key is shredded."""
        try:
            return sealed.open_owned(self.session, contribution_id, label, value)
        except sealed.SealedTextError:
            return None

    def shred(self, contribution_id: str) -> None:
        sealed.shred_owned(self.session, contribution_id)


def witnesses(uow: Any) -> WitnessRepository:
    """The witness rows of an open, database-backed unit of work."""
    found = witnesses_if_stored(uow)
    if found is None:
        raise RuntimeError("the witness rows need an open database-backed unit of work")
    return found


def witnesses_if_stored(uow: Any) -> WitnessRepository | None:
    """The same, or None for a unit of work without a database (the services' unit-test
    double), which holds no witness rows."""
    session = getattr(uow, "session", None)
    return None if session is None else WitnessRepository(session)
