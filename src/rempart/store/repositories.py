"""Repositories: the small interfaces the services use, with their SQLAlchemy implementations.

The in-memory fakes used by unit tests live in ``tests/fakes.py``.
Records are the mapped classes of ``rempart.store.tables``; the fakes hold the same classes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, String, cast, delete, func, select
from sqlalchemy.orm import Session

from rempart.store.tables import (
    AuditRecord,
    CaseRecord,
    CaseTokenRecord,
    EvidenceRecord,
    MessageRecord,
    PassphraseAttemptRecord,
    StaffRecord,
    StaffSessionRecord,
)


class CaseRepository(Protocol):
    def add(self, case: CaseRecord) -> None: ...
    def get(self, case_id: str) -> CaseRecord | None: ...
    def get_by_code(self, code: str) -> CaseRecord | None: ...
    def code_exists(self, code: str) -> bool: ...
    def delete(self, case: CaseRecord) -> None: ...
    def queue(self, status: str | None, kind: str | None, limit: int | None = None,
              offset: int = 0) -> list[CaseRecord]: ...
    def add_evidence(self, item: EvidenceRecord) -> None: ...
    def evidence(self, case_id: str) -> list[EvidenceRecord]: ...
    def evidence_item(self, case_id: str, item_id: str) -> EvidenceRecord | None: ...
    def evidence_counts(self, case_ids: list[str]) -> dict[str, int]: ...
    def add_message(self, message: MessageRecord) -> None: ...
    def messages(self, case_id: str, include_internal: bool) -> list[MessageRecord]: ...
    def add_token(self, token: CaseTokenRecord) -> None: ...
    def get_token(self, token_hash: str) -> CaseTokenRecord | None: ...
    def purge_expired_tokens(self, now: datetime) -> None: ...


class StaffRepository(Protocol):
    def add(self, staff: StaffRecord) -> None: ...
    def get(self, staff_id: str) -> StaffRecord | None: ...
    def get_by_email(self, email: str) -> StaffRecord | None: ...
    def list_all(self) -> list[StaffRecord]: ...
    def add_session(self, session: StaffSessionRecord) -> None: ...
    def get_session(self, token_hash: str) -> StaffSessionRecord | None: ...
    def delete_session(self, token_hash: str) -> None: ...
    def delete_sessions_of(self, staff_id: str) -> None: ...
    def purge_expired_sessions(self, now: datetime) -> None: ...


class AuditRepository(Protocol):
    def add(self, event: AuditRecord) -> None: ...
    def latest(self, limit: int, case_id: str | None = None) -> list[AuditRecord]: ...


class AttemptRepository(Protocol):
    def record_failure(self, key: str, at: datetime) -> None: ...
    def failures_since(self, key: str, since: datetime) -> int: ...
    def clear(self, key: str) -> None: ...
    def purge_before(self, cutoff: datetime) -> None: ...


QUEUE_ORDER = (CaseRecord.priority.desc(), CaseRecord.created_at, CaseRecord.id)


def _kinds_contain(kind: str) -> ColumnElement[bool]:
    """``kind`` is one of the case's kinds, identically on both engines: kinds are a JSON list
    of enum values, stored as its text, so the quoted value (json.dumps, LIKE wildcards
    escaped) matches one whole element and nothing else."""
    return cast(CaseRecord.kinds, String).contains(json.dumps(kind), autoescape=True)


class SqlCaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, case: CaseRecord) -> None:
        self.session.add(case)

    def get(self, case_id: str) -> CaseRecord | None:
        return self.session.get(CaseRecord, case_id)

    def get_by_code(self, code: str) -> CaseRecord | None:
        return self.session.scalar(select(CaseRecord).where(CaseRecord.code == code))

    def code_exists(self, code: str) -> bool:
        return self.session.scalar(select(CaseRecord.id).where(CaseRecord.code == code)) is not None

    def delete(self, case: CaseRecord) -> None:
        # Explicit deletes: SQLite only cascades with PRAGMA foreign_keys, and the ORM would
        # otherwise try to null the foreign keys of loaded children.
        for table in (EvidenceRecord, MessageRecord, CaseTokenRecord):
            self.session.execute(delete(table).where(table.case_id == case.id))
        self.session.delete(case)

    def queue(self, status: str | None, kind: str | None, limit: int | None = None,
              offset: int = 0) -> list[CaseRecord]:
        """Cases most urgent first, ``limit`` of them from ``offset``. The order ends on the
        primary key, so it is total: consecutive pages never overlap nor skip a case."""
        query = select(CaseRecord).order_by(*QUEUE_ORDER)
        if status is not None:
            query = query.where(CaseRecord.status == status)
        if kind is not None:
            query = query.where(_kinds_contain(kind))
        return list(self.session.scalars(query.limit(limit).offset(offset)))

    def add_evidence(self, item: EvidenceRecord) -> None:
        self.session.add(item)

    def evidence(self, case_id: str) -> list[EvidenceRecord]:
        return list(self.session.scalars(
            select(EvidenceRecord).where(EvidenceRecord.case_id == case_id)
            .order_by(EvidenceRecord.received_at, EvidenceRecord.id)))

    def evidence_item(self, case_id: str, item_id: str) -> EvidenceRecord | None:
        return self.session.scalar(select(EvidenceRecord).where(
            EvidenceRecord.case_id == case_id, EvidenceRecord.id == item_id))

    def evidence_counts(self, case_ids: list[str]) -> dict[str, int]:
        if not case_ids:
            return {}
        rows = self.session.execute(
            select(EvidenceRecord.case_id, func.count()).where(
                EvidenceRecord.case_id.in_(case_ids)).group_by(EvidenceRecord.case_id))
        return {case_id: count for case_id, count in rows}

    def add_message(self, message: MessageRecord) -> None:
        self.session.add(message)

    def messages(self, case_id: str, include_internal: bool) -> list[MessageRecord]:
        query = select(MessageRecord).where(MessageRecord.case_id == case_id)
        if not include_internal:
            query = query.where(MessageRecord.internal.is_(False))
        return list(self.session.scalars(query.order_by(MessageRecord.created_at,
                                                        MessageRecord.id)))

    def add_token(self, token: CaseTokenRecord) -> None:
        self.session.add(token)

    def get_token(self, token_hash: str) -> CaseTokenRecord | None:
        return self.session.get(CaseTokenRecord, token_hash)

    def purge_expired_tokens(self, now: datetime) -> None:
        self.session.execute(delete(CaseTokenRecord).where(CaseTokenRecord.expires_at <= now))


class SqlStaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, staff: StaffRecord) -> None:
        self.session.add(staff)

    def get(self, staff_id: str) -> StaffRecord | None:
        return self.session.get(StaffRecord, staff_id)

    def get_by_email(self, email: str) -> StaffRecord | None:
        return self.session.scalar(select(StaffRecord).where(StaffRecord.email == email))

    def list_all(self) -> list[StaffRecord]:
        return list(self.session.scalars(select(StaffRecord).order_by(StaffRecord.email)))

    def add_session(self, session: StaffSessionRecord) -> None:
        self.session.add(session)

    def get_session(self, token_hash: str) -> StaffSessionRecord | None:
        return self.session.get(StaffSessionRecord, token_hash)

    def delete_session(self, token_hash: str) -> None:
        self.session.execute(delete(StaffSessionRecord).where(
            StaffSessionRecord.token_hash == token_hash))

    def delete_sessions_of(self, staff_id: str) -> None:
        self.session.execute(delete(StaffSessionRecord).where(
            StaffSessionRecord.staff_id == staff_id))

    def purge_expired_sessions(self, now: datetime) -> None:
        self.session.execute(delete(StaffSessionRecord).where(
            StaffSessionRecord.expires_at <= now))


class SqlAuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, event: AuditRecord) -> None:
        self.session.add(event)

    def latest(self, limit: int, case_id: str | None = None) -> list[AuditRecord]:
        query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
        if case_id is not None:
            query = query.where(AuditRecord.case_id == case_id)
        return list(self.session.scalars(query))


class SqlAttemptRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record_failure(self, key: str, at: datetime) -> None:
        self.session.add(PassphraseAttemptRecord(key=key, attempted_at=at))

    def failures_since(self, key: str, since: datetime) -> int:
        return self.session.scalar(select(func.count()).select_from(PassphraseAttemptRecord).where(
            PassphraseAttemptRecord.key == key,
            PassphraseAttemptRecord.attempted_at >= since)) or 0

    def clear(self, key: str) -> None:
        self.session.execute(delete(PassphraseAttemptRecord).where(
            PassphraseAttemptRecord.key == key))

    def purge_before(self, cutoff: datetime) -> None:
        self.session.execute(delete(PassphraseAttemptRecord).where(
            PassphraseAttemptRecord.attempted_at < cutoff))
