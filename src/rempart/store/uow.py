"""Unit of work: one transaction around a use case (cosmicpython), SQL version (the in-memory
one for service unit tests is ``tests.fakes.FakeUnitOfWork``).

    with uow:
        uow.cases.add(...)
        uow.commit()

Leaving the block without ``commit()`` rolls back. The custody ledger is a repository too
(``uow.ledger``): its events commit with the rows they describe. ``session`` is the SQLAlchemy
session (None in the tests' fake), for code inside ``rempart.store`` and the evidence vault only:
services and web handlers go through the repositories.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from rempart.store.access import (
    AttemptCounter,
    ReporterSessions,
    SqlAttemptCounter,
    SqlReporterSessions,
)
from rempart.store.ledger_repository import LedgerRepository, SqlLedgerRepository
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


class UnitOfWork(ABC):
    cases: CaseRepository
    staff: StaffRepository
    audit: AuditRepository
    attempts: AttemptRepository
    ledger: LedgerRepository
    throttle: AttemptCounter  # login throttle, counted before the check (store.access)
    reporter_sessions: ReporterSessions
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
        self.ledger = SqlLedgerRepository(self.session)
        self.throttle = SqlAttemptCounter(self.session)
        self.reporter_sessions = SqlReporterSessions(self.session)
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
