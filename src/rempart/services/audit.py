"""Writing and reading the audit log (ids and enum values only, see rempart.domain.audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from rempart.domain.audit import Actor, AuditAction, AuditDetail, safe_detail
from rempart.store import integrity_tables  # noqa: F401 - chains every audit row it flushes
from rempart.store.tables import AuditRecord
from rempart.store.uow import UnitOfWork


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    staff_id: str | None
    staff_email: str | None
    action: str
    case_id: str | None
    detail: dict[str, Any]


def record(uow: UnitOfWork, actor: Actor, action: AuditAction, *, case_id: str | None = None,
           staff_id: str | None = None, detail: AuditDetail | None = None) -> None:
    """Add an audit event to the unit of work (committed with the action it describes)."""
    uow.audit.add(_event(actor, action, case_id, staff_id, detail))


def record_in_session(session: Session, actor: Actor, action: AuditAction, *,
                      case_id: str | None = None, staff_id: str | None = None,
                      detail: AuditDetail | None = None) -> None:
    """The same, for adapters that work with a plain SQLAlchemy session (matching API)."""
    session.add(_event(actor, action, case_id, staff_id, detail))


def _event(actor: Actor, action: AuditAction, case_id: str | None, staff_id: str | None,
           detail: AuditDetail | None) -> AuditRecord:
    return AuditRecord(at=datetime.now(UTC), actor=actor.value, staff_id=staff_id,
                       action=action.value, case_id=case_id, detail=safe_detail(detail or {}))


def entries(uow: UnitOfWork, limit: int, case_id: str | None = None) -> list[AuditEntry]:
    emails: dict[str, str] = {}
    found = []
    for event in uow.audit.latest(limit, case_id):
        email = None
        if event.staff_id:
            if event.staff_id not in emails:
                account = uow.staff.get(event.staff_id)
                emails[event.staff_id] = account.email if account else ""
            email = emails[event.staff_id] or None
        found.append(AuditEntry(at=event.at, actor=event.actor, staff_id=event.staff_id,
                                staff_email=email, action=event.action, case_id=event.case_id,
                                detail=dict(event.detail)))
    return found
