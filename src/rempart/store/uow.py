"""Unit of work: one transaction around a use case (cosmicpython), SQL and in-memory versions.

    with uow:
        uow.cases.add(...)
        uow.commit()

Leaving the block without ``commit()`` rolls back. ``session`` is the SQLAlchemy session (None in
the fake), for capabilities that append in the same transaction (the custody ledger).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy.orm import Session, sessionmaker

from rempart.store.repositories import (
    AttemptRepository,
    AuditRepository,
    CaseRepository,
    SqlAttemptRepository,
    SqlAuditRepository,
    SqlCaseRepository,
    SqlStaffRepository,
    StaffRepository,
)
from rempart.store.tables import (
    AuditRecord,
    CaseRecord,
    CaseTokenRecord,
    EvidenceRecord,
    MessageRecord,
    StaffRecord,
    StaffSessionRecord,
)


class UnitOfWork(ABC):
    cases: CaseRepository
    staff: StaffRepository
    audit: AuditRepository
    attempts: AttemptRepository
    session: Session | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        self.cases = SqlCaseRepository(self.session)
        self.staff = SqlStaffRepository(self.session)
        self.audit = SqlAuditRepository(self.session)
        self.attempts = SqlAttemptRepository(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self.session is not None
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self.session = None

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()


UnitOfWorkFactory = Callable[[], UnitOfWork]


class _Table:
    """Rows of one kind in memory, with committed and pending copies for rollback."""

    def __init__(self) -> None:
        self.committed: dict[Any, Any] = {}
        self.pending: dict[Any, Any] = {}

    def begin(self) -> None:
        self.pending = dict(self.committed)

    def commit(self) -> None:
        self.committed = dict(self.pending)


class FakeCaseRepository:
    def __init__(self) -> None:
        self.cases, self.evidence_rows, self.message_rows, self.tokens = (
            _Table(), _Table(), _Table(), _Table())

    def tables(self) -> list[_Table]:
        return [self.cases, self.evidence_rows, self.message_rows, self.tokens]

    def add(self, case: CaseRecord) -> None:
        self.cases.pending[case.id] = case

    def get(self, case_id: str) -> CaseRecord | None:
        found: CaseRecord | None = self.cases.pending.get(case_id)
        return found

    def get_by_code(self, code: str) -> CaseRecord | None:
        return next((c for c in self.cases.pending.values() if c.code == code), None)

    def code_exists(self, code: str) -> bool:
        return self.get_by_code(code) is not None

    def delete(self, case: CaseRecord) -> None:
        for table in (self.evidence_rows, self.message_rows, self.tokens):
            table.pending = {k: v for k, v in table.pending.items() if v.case_id != case.id}
        self.cases.pending.pop(case.id, None)

    def queue(self, status: str | None, kind: str | None, limit: int | None = None,
              offset: int = 0) -> list[CaseRecord]:
        found = sorted((c for c in self.cases.pending.values()
                        if (status is None or c.status == status)
                        and (kind is None or kind in c.kinds)),
                       key=lambda c: (-c.priority, c.created_at, c.id))
        return found[offset:None if limit is None else offset + limit]

    def add_evidence(self, item: EvidenceRecord) -> None:
        self.evidence_rows.pending[item.id] = item

    def evidence(self, case_id: str) -> list[EvidenceRecord]:
        return sorted((e for e in self.evidence_rows.pending.values() if e.case_id == case_id),
                      key=lambda e: (e.received_at, e.id))

    def evidence_item(self, case_id: str, item_id: str) -> EvidenceRecord | None:
        item: EvidenceRecord | None = self.evidence_rows.pending.get(item_id)
        return item if item is not None and item.case_id == case_id else None

    def evidence_counts(self, case_ids: list[str]) -> dict[str, int]:
        return {cid: n for cid in case_ids if (n := len(self.evidence(cid)))}

    def add_message(self, message: MessageRecord) -> None:
        self.message_rows.pending[message.id] = message

    def messages(self, case_id: str, include_internal: bool) -> list[MessageRecord]:
        return sorted((m for m in self.message_rows.pending.values() if m.case_id == case_id
                       and (include_internal or not m.internal)),
                      key=lambda m: (m.created_at, m.id))

    def add_token(self, token: CaseTokenRecord) -> None:
        self.tokens.pending[token.token_hash] = token

    def get_token(self, token_hash: str) -> CaseTokenRecord | None:
        found: CaseTokenRecord | None = self.tokens.pending.get(token_hash)
        return found

    def purge_expired_tokens(self, now: datetime) -> None:
        self.tokens.pending = {k: v for k, v in self.tokens.pending.items()
                               if v.expires_at > now}


class FakeStaffRepository:
    def __init__(self) -> None:
        self.accounts, self.sessions = _Table(), _Table()

    def tables(self) -> list[_Table]:
        return [self.accounts, self.sessions]

    def add(self, staff: StaffRecord) -> None:
        self.accounts.pending[staff.id] = staff

    def get(self, staff_id: str) -> StaffRecord | None:
        found: StaffRecord | None = self.accounts.pending.get(staff_id)
        return found

    def get_by_email(self, email: str) -> StaffRecord | None:
        return next((s for s in self.accounts.pending.values() if s.email == email), None)

    def list_all(self) -> list[StaffRecord]:
        return sorted(self.accounts.pending.values(), key=lambda s: s.email)

    def add_session(self, session: StaffSessionRecord) -> None:
        self.sessions.pending[session.token_hash] = session

    def get_session(self, token_hash: str) -> StaffSessionRecord | None:
        found: StaffSessionRecord | None = self.sessions.pending.get(token_hash)
        return found

    def delete_session(self, token_hash: str) -> None:
        self.sessions.pending.pop(token_hash, None)

    def delete_sessions_of(self, staff_id: str) -> None:
        self.sessions.pending = {k: v for k, v in self.sessions.pending.items()
                                 if v.staff_id != staff_id}

    def purge_expired_sessions(self, now: datetime) -> None:
        self.sessions.pending = {k: v for k, v in self.sessions.pending.items()
                                 if v.expires_at > now}


class FakeAuditRepository:
    def __init__(self) -> None:
        self.events = _Table()

    def tables(self) -> list[_Table]:
        return [self.events]

    def add(self, event: AuditRecord) -> None:
        event.id = len(self.events.pending) + 1
        self.events.pending[event.id] = event

    def latest(self, limit: int, case_id: str | None = None) -> list[AuditRecord]:
        found = [e for e in self.events.pending.values() if case_id in (None, e.case_id)]
        return sorted(found, key=lambda e: -e.id)[:limit]


class FakeAttemptRepository:
    def __init__(self) -> None:
        self.failures = _Table()

    def tables(self) -> list[_Table]:
        return [self.failures]

    def record_failure(self, key: str, at: datetime) -> None:
        self.failures.pending[(key, len(self.failures.pending))] = at

    def failures_since(self, key: str, since: datetime) -> int:
        return sum(1 for (k, _), at in self.failures.pending.items() if k == key and at >= since)

    def clear(self, key: str) -> None:
        self.failures.pending = {k: v for k, v in self.failures.pending.items() if k[0] != key}

    def purge_before(self, cutoff: datetime) -> None:
        self.failures.pending = {k: v for k, v in self.failures.pending.items() if v >= cutoff}


class FakeUnitOfWork(UnitOfWork):
    """In-memory unit of work for service unit tests. Rollback forgets rows added or deleted
    since the last commit; attribute changes on records already loaded are not undone."""

    def __init__(self) -> None:
        self.fake_cases = FakeCaseRepository()
        self.fake_staff = FakeStaffRepository()
        self.fake_audit = FakeAuditRepository()
        self.fake_attempts = FakeAttemptRepository()
        self.cases, self.staff = self.fake_cases, self.fake_staff
        self.audit, self.attempts = self.fake_audit, self.fake_attempts
        self.commits = 0

    def _tables(self) -> list[_Table]:
        return [*self.fake_cases.tables(), *self.fake_staff.tables(),
                *self.fake_audit.tables(), *self.fake_attempts.tables()]

    def __enter__(self) -> Self:
        for table in self._tables():
            table.begin()
        return self

    def commit(self) -> None:
        for table in self._tables():
            table.commit()
        self.commits += 1

    def rollback(self) -> None:
        for table in self._tables():
            table.begin()

    def __call__(self) -> FakeUnitOfWork:
        """Lets one fake act as its own factory (``uow_factory=fake``)."""
        return self
