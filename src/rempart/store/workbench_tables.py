"""Tables of the follow-through (issue 13 sections 1, 2, 4): takedown requests and their history,
referrals, the reporter's consents, and the notifications owed to the reporter.

A notification row holds no address and no content: the reporter's contact stays on the case
(and is read at sending time, so a contact removed in between is never written to), the e-mail
only says that there is something new.

``WorkbenchRepository`` is how the services reach these rows inside a unit of work
(``workbench(uow)``); it needs the database-backed unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from rempart.store.db import ID, TS, UUID, Base


class TakedownRecord(Base):
    __tablename__ = "takedowns"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    platform: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), index=True)
    channel: Mapped[str | None] = mapped_column(String(10))  # "email" or "form" once sent
    reference: Mapped[str | None] = mapped_column(String(200))  # the platform's reference
    trusted_flagger: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[str] = mapped_column(String(5))
    # The Art. 16 notice as drafted (rempart.domain.notices.as_json), what was sent.
    notice: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The platform's Art. 17 statement of reasons (Transparency Database field names).
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    service_level_hours: Mapped[int] = mapped_column(Integer)  # as it was when sent
    created_at: Mapped[datetime] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)
    sent_at: Mapped[datetime | None] = mapped_column(TS)
    due_at: Mapped[datetime | None] = mapped_column(TS, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(TS)
    decided_at: Mapped[datetime | None] = mapped_column(TS)
    overdue_since: Mapped[datetime | None] = mapped_column(TS)  # set by the overdue check
    created_by: Mapped[str | None] = mapped_column(UUID)  # staff id (None: the command line)


class TakedownEventRecord(Base):
    """One state change of a takedown (the timeline and the bundle list them)."""

    __tablename__ = "takedown_events"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    takedown_id: Mapped[str] = mapped_column(
        ForeignKey("takedowns.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(UUID, index=True)
    status: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(TS)
    actor: Mapped[str] = mapped_column(String(20))  # staff, operator, system
    staff_id: Mapped[str | None] = mapped_column(UUID)
    leaf_index: Mapped[int | None] = mapped_column(ID)  # its custody ledger entry


class ReferralRecord(Base):
    __tablename__ = "referrals"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(30))
    sent_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    service: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)  # staff only
    created_at: Mapped[datetime] = mapped_column(TS)
    created_by: Mapped[str | None] = mapped_column(UUID)
    leaf_index: Mapped[int | None] = mapped_column(ID)


class ConsentRecord(Base):
    """A consent the reporter gave from the portal (``school``: telling the pupil's school)."""

    __tablename__ = "reporter_consents"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    given_at: Mapped[datetime] = mapped_column(TS)
    withdrawn_at: Mapped[datetime | None] = mapped_column(TS)


class NotificationRecord(Base):
    """An e-mail owed to the reporter ("you have a new message"); no address, no content."""

    __tablename__ = "reporter_notifications"
    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(30))  # reply, takedown, referral
    created_at: Mapped[datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(String(20))  # pending, sent, skipped, failed
    attempts: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime | None] = mapped_column(TS)
    # A short reason (an SMTP status or an exception class), never an address or content.
    last_error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_reporter_notifications_status", "status", "created_at"),)


class WorkbenchRepository:
    """Rows of the follow-through, in the unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # Takedowns
    def add_takedown(self, row: TakedownRecord) -> None:
        self.session.add(row)
        self.session.flush()

    def takedown(self, takedown_id: str) -> TakedownRecord | None:
        return self.session.get(TakedownRecord, takedown_id)

    def takedowns(self, case_id: str) -> list[TakedownRecord]:
        return list(self.session.scalars(select(TakedownRecord).where(
            TakedownRecord.case_id == case_id).order_by(TakedownRecord.created_at,
                                                        TakedownRecord.id)))

    def waiting_takedowns(self, statuses: Sequence[str]) -> list[TakedownRecord]:
        return list(self.session.scalars(select(TakedownRecord).where(
            TakedownRecord.status.in_(list(statuses))).order_by(TakedownRecord.due_at,
                                                                 TakedownRecord.id)))

    def all_takedowns(self, limit: int) -> list[TakedownRecord]:
        return list(self.session.scalars(select(TakedownRecord).order_by(
            TakedownRecord.created_at.desc(), TakedownRecord.id).limit(limit)))

    def add_takedown_event(self, row: TakedownEventRecord) -> None:
        self.session.add(row)
        self.session.flush()

    def takedown_events(self, case_id: str) -> list[TakedownEventRecord]:
        return list(self.session.scalars(select(TakedownEventRecord).where(
            TakedownEventRecord.case_id == case_id).order_by(TakedownEventRecord.at,
                                                             TakedownEventRecord.id)))

    # Referrals and consents
    def add_referral(self, row: ReferralRecord) -> None:
        self.session.add(row)
        self.session.flush()

    def referrals(self, case_id: str) -> list[ReferralRecord]:
        return list(self.session.scalars(select(ReferralRecord).where(
            ReferralRecord.case_id == case_id).order_by(ReferralRecord.created_at,
                                                        ReferralRecord.id)))

    def consent(self, case_id: str, kind: str) -> ConsentRecord | None:
        return self.session.get(ConsentRecord, (case_id, kind))

    def add_consent(self, row: ConsentRecord) -> None:
        self.session.add(row)
        self.session.flush()

    # Notifications
    def add_notification(self, row: NotificationRecord) -> None:
        self.session.add(row)
        self.session.flush()

    def notification(self, notification_id: str) -> NotificationRecord | None:
        return self.session.get(NotificationRecord, notification_id)

    def notifications(self, case_id: str) -> list[NotificationRecord]:
        return list(self.session.scalars(select(NotificationRecord).where(
            NotificationRecord.case_id == case_id).order_by(NotificationRecord.created_at)))

    def pending_notifications(self, limit: int = 100) -> list[NotificationRecord]:
        return list(self.session.scalars(select(NotificationRecord).where(
            NotificationRecord.status == "pending").order_by(
            NotificationRecord.created_at).limit(limit)))

    def followup(self, case_id: str, language: str = "fr") -> list[str]:
        return followup_lines(self.session, case_id, language)



def has_workbench(uow: Any) -> bool:
    """Whether the unit of work is database-backed (the in-memory one of unit tests is not)."""
    return getattr(uow, "session", None) is not None


def workbench(uow: Any) -> WorkbenchRepository:
    """The follow-through rows of a database-backed unit of work."""
    session = getattr(uow, "session", None)
    if session is None:
        raise RuntimeError("takedowns and referrals need a database-backed unit of work")
    return WorkbenchRepository(session)


# What the evidence report and the bundle list about the follow-through --------------------------

_LINES = {
    "fr": {"takedown": "Demande de retrait — {platform} — {status}{ref} — {url}",
           "referral": "Signalement / orientation — {target} — {date}{ref}{service}",
           "ref": " — réf. {ref}"},
    "en": {"takedown": "Takedown request — {platform} — {status}{ref} — {url}",
           "referral": "Referral — {target} — {date}{ref}{service}",
           "ref": " — ref. {ref}"},
}


def _utc(at: datetime | None) -> str:
    if at is None:
        return ""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def followup_lines(session: Session, case_id: str, language: str = "fr") -> list[str]:
    """One line per takedown (its latest state and when) and per referral, oldest first."""
    text = _LINES["fr" if language == "fr" else "en"]
    repo = WorkbenchRepository(session)
    lines = []
    for row in repo.takedowns(case_id):
        when = _utc(row.decided_at or row.acknowledged_at or row.sent_at or row.created_at)
        ref = text["ref"].format(ref=row.reference) if row.reference else ""
        lines.append((when, text["takedown"].format(platform=row.platform,
                                                    status=f"{row.status} ({when})", ref=ref,
                                                    url=row.url)))
    for ref_row in repo.referrals(case_id):
        ref = text["ref"].format(ref=ref_row.reference) if ref_row.reference else ""
        service = f" — {ref_row.service}" if ref_row.service else ""
        from rempart.domain.referrals import TARGETS, ReferralTarget

        target = TARGETS[ReferralTarget(ref_row.target)].name(language)
        lines.append((_utc(ref_row.created_at), text["referral"].format(
            target=target, date=ref_row.sent_on.isoformat(), ref=ref, service=service)))
    return [line for _when, line in sorted(lines, key=lambda pair: pair[0])]


def followup_json(session: Session, case_id: str) -> dict[str, Any]:
    """The takedowns (with their history and statement of reasons) and the referrals of a case,
    for the verifiable bundle (``follow-up.json``); each state change names its ledger entry."""
    repo = WorkbenchRepository(session)
    events = repo.takedown_events(case_id)
    return {
        "takedowns": [{
            "id": row.id, "url": row.url, "platform": row.platform, "status": row.status,
            "channel": row.channel, "reference": row.reference,
            "trusted_flagger": row.trusted_flagger, "sent_at": _utc(row.sent_at) or None,
            "acknowledged_at": _utc(row.acknowledged_at) or None,
            "decided_at": _utc(row.decided_at) or None,
            "statement_of_reasons": row.statement,
            "history": [{"status": e.status, "at": _utc(e.at), "ledger_index": e.leaf_index}
                        for e in events if e.takedown_id == row.id]}
            for row in repo.takedowns(case_id)],
        "referrals": [{"id": r.id, "target": r.target, "sent_on": r.sent_on.isoformat(),
                       "reference": r.reference, "service": r.service,
                       "ledger_index": r.leaf_index} for r in repo.referrals(case_id)],
    }
