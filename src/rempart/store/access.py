"""Repositories of access control: the login throttle and the end of reporter sessions.

``AttemptCounter.lock`` creates the key's row if needed and locks it with an UPDATE (PostgreSQL:
row lock until commit; SQLite: the database write lock), then returns it: the caller decides
and ``save``s in the same transaction, so concurrent attempts on one key are serialised and each
is counted before its (slow) argon2 check, which runs after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rempart.store.session_tables import LoginThrottleRecord
from rempart.store.tables import CaseTokenRecord

_THROTTLE = cast(Table, LoginThrottleRecord.__table__)
_TOKENS = cast(Table, CaseTokenRecord.__table__)


@dataclass(frozen=True)
class ThrottleState:
    failures: int = 0
    blocked_until: datetime | None = None
    last_attempt_at: datetime | None = None


class AttemptCounter(Protocol):
    def lock(self, key: str) -> ThrottleState: ...
    def save(self, key: str, state: ThrottleState) -> None: ...
    def clear(self, key: str) -> None: ...


class ReporterSessions(Protocol):
    def end_case(self, case_id: str) -> int: ...


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


class SqlAttemptCounter:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock(self, key: str) -> ThrottleState:
        table = _THROTTLE
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(insert(table).values(key=key, failures=0)
                             .on_conflict_do_nothing(index_elements=["key"]))
        row = self.session.execute(
            update(table).where(table.c.key == key).values(failures=table.c.failures)
            .returning(table.c.failures, table.c.blocked_until, table.c.last_attempt_at)).one()
        return ThrottleState(row.failures, _aware(row.blocked_until), _aware(row.last_attempt_at))

    def save(self, key: str, state: ThrottleState) -> None:
        table = _THROTTLE
        self.session.execute(update(table).where(table.c.key == key).values(
            failures=state.failures, blocked_until=state.blocked_until,
            last_attempt_at=state.last_attempt_at))

    def clear(self, key: str) -> None:
        self.session.execute(delete(_THROTTLE).where(_THROTTLE.c.key == key))


class SqlReporterSessions:
    def __init__(self, session: Session) -> None:
        self.session = session

    def end_case(self, case_id: str) -> int:
        """Delete every session of the case (web cookies and API tokens); how many there were."""
        result: Any = self.session.execute(delete(_TOKENS).where(_TOKENS.c.case_id == case_id))
        return int(result.rowcount or 0)
