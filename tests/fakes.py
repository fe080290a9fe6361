"""In-memory repositories and unit of work for service unit tests (moved out of ``src/``:
the product never runs on them). Rollback forgets rows added or deleted since the last commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, BinaryIO, Self

from rempart.config import Settings
from rempart.domain.custody import ActorRole, CustodyAction, CustodyEvent
from rempart.evidence.interface import EvidenceStore
from rempart.evidence.ledger import LedgerError
from rempart.store.access import ThrottleState
from rempart.store.ledger_repository import ItemProof
from rempart.store.staff_desk import NOBODY, QueueData, QueueQuery, RowExtras
from rempart.store.staff_tables import CaseAssignmentRecord
from rempart.store.tables import (
    AuditRecord,
    CaseRecord,
    CaseTokenRecord,
    EvidenceRecord,
    MessageRecord,
    StaffRecord,
    StaffSessionRecord,
)
from rempart.store.uow import UnitOfWork


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


class FakeLedgerRepository:
    """The custody ledger in memory: events in order, "checkpoints" as the sizes signed. Proofs
    carry no hashes (there is no tree) and bundles cannot be exported."""

    def __init__(self) -> None:
        self.leaves, self.signed = _Table(), _Table()

    def tables(self) -> list[_Table]:
        return [self.leaves, self.signed]

    def events(self) -> list[CustodyEvent]:
        return [self.leaves.pending[i] for i in sorted(self.leaves.pending)]

    def append(self, event: CustodyEvent) -> int:
        index = len(self.leaves.pending)
        self.leaves.pending[index] = event
        return index

    def append_many(self, events: Sequence[CustodyEvent]) -> list[int]:
        return [self.append(event) for event in events]

    def received_indexes(self, case_id: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for index, event in sorted(self.leaves.pending.items()):
            if (event.case_id == case_id and event.action is CustodyAction.RECEIVED
                    and event.item_id is not None):
                found.setdefault(event.item_id, index)
        return found

    def _note(self, size: int) -> str:
        return f"fake-ledger\n{size}\n"

    def sign_pending(self, settings: Settings) -> str | None:
        size = len(self.leaves.pending)
        if size == 0 or size in self.signed.pending:
            return None
        self.signed.pending[size] = True
        return self._note(size)

    def latest_note(self, settings: Settings) -> str:
        self.sign_pending(settings)
        return self._note(max(self.signed.pending)) if self.signed.pending else ""

    def receipt_proof(self, settings: Settings, leaf_index: int) -> ItemProof:
        event = self.leaves.pending.get(leaf_index)
        if event is None:
            raise LedgerError(f"no ledger entry {leaf_index}")
        covering = [size for size in self.signed.pending if size > leaf_index]
        if not covering:
            self.sign_pending(settings)
            covering = [len(self.leaves.pending)]
        return ItemProof(leaf_index, event.leaf_bytes().decode(), [], self._note(min(covering)),
                         "fake-ledger")

    def export_bundle(self, settings: Settings, store: EvidenceStore, case_id: str,
                      out: BinaryIO, role: ActorRole) -> int:
        raise LedgerError("the in-memory ledger exports no bundles")


class FakeUnitOfWork(UnitOfWork):
    """In-memory unit of work for service unit tests. Rollback forgets rows added or deleted
    since the last commit; attribute changes on records already loaded are not undone."""

    def __init__(self) -> None:
        self.fake_cases = FakeCaseRepository()
        self.fake_staff = FakeStaffRepository()
        self.fake_audit = FakeAuditRepository()
        self.fake_attempts = FakeAttemptRepository()
        self.fake_ledger = FakeLedgerRepository()
        self.cases, self.staff = self.fake_cases, self.fake_staff
        self.audit, self.attempts = self.fake_audit, self.fake_attempts
        self.fake_throttle = self.throttle = FakeAttemptCounter()
        self.reporter_sessions = FakeReporterSessions(self.fake_cases)
        self.ledger = self.fake_ledger
        self.in_memory_desk = FakeDeskRepository(self)  # found by rempart.store.staff_desk.desk
        self.commits = 0

    def _tables(self) -> list[_Table]:
        return [*self.fake_cases.tables(), *self.fake_staff.tables(),
                *self.fake_audit.tables(), *self.fake_attempts.tables(),
                *self.fake_ledger.tables(), *self.fake_throttle.tables()]

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


class FakeAttemptCounter:
    def __init__(self) -> None:
        self.rows = _Table()

    def tables(self) -> list[Any]:
        return [self.rows]

    def lock(self, key: str) -> ThrottleState:
        state: ThrottleState = self.rows.pending.setdefault(key, ThrottleState())
        return state

    def save(self, key: str, state: ThrottleState) -> None:
        self.rows.pending[key] = state

    def clear(self, key: str) -> None:
        self.rows.pending.pop(key, None)


class FakeReporterSessions:
    """Ends the sessions held by a fake case repository's token table."""

    def __init__(self, cases: Any) -> None:
        self.cases = cases

    def end_case(self, case_id: str) -> int:
        tokens = self.cases.tokens
        kept = {k: v for k, v in tokens.pending.items() if v.case_id != case_id}
        ended = len(tokens.pending) - len(kept)
        tokens.pending = kept
        return ended


class FakeDeskRepository:
    """The queue, assignments and last visits in memory, over a FakeUnitOfWork's rows (service
    unit tests). Search, related cases, statistics and the audit log need SQL."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.assignments: dict[str, CaseAssignmentRecord] = {}
        self.visits: dict[tuple[str, str], datetime] = {}

    def _messages(self, case_id: str) -> list[MessageRecord]:
        return self.uow.fake_cases.messages(case_id, include_internal=False)

    def _unanswered(self, record: CaseRecord) -> datetime | None:
        if record.status == "closed":
            return None
        waiting: datetime | None = record.created_at
        for message in self._messages(record.id):
            if message.author == "staff":
                waiting = None
            elif waiting is None:
                waiting = message.created_at
        return waiting

    def queue(self, query: QueueQuery, now: datetime, due: dict[int, timedelta],
              default_due: timedelta, limit: int, offset: int) -> list[QueueData]:
        found = []
        for record in self.uow.fake_cases.queue(query.status, query.kind):
            assigned = self.assignments.get(record.id)
            if query.platform is not None and query.platform not in record.platforms:
                continue
            if query.assignee == NOBODY and assigned is not None:
                continue
            if query.assignee not in (None, NOBODY) and (
                    assigned is None or assigned.staff_id != query.assignee):
                continue
            if query.case_ids is not None and record.id not in query.case_ids:
                continue
            waiting = self._unanswered(record)
            if query.overdue:
                delay = next((d for floor, d in sorted(due.items(), reverse=True)
                              if record.priority >= floor), default_due)
                if waiting is None or waiting >= now - delay:
                    continue
            replies = [m.created_at for m in self._messages(record.id) if m.author == "staff"]
            reporter = [m.created_at for m in self._messages(record.id)
                        if m.author == "reporter"]
            found.append(QueueData(record, waiting, min(replies, default=None),
                                   max(reporter, default=None)))
        found.sort(key=lambda r: (-r.case.priority, r.unanswered_since is None,
                                  r.unanswered_since or r.case.created_at, r.case.created_at,
                                  r.case.id))
        return found[offset:offset + limit]

    def extras(self, case_ids: list[str], staff_id: str) -> RowExtras:
        accounts = {s.id: s.email for s in self.uow.fake_staff.list_all()}
        return RowExtras(
            {c: (a.staff_id, accounts.get(a.staff_id, "")) for c, a in self.assignments.items()
             if c in case_ids},
            {c: at for (s, c), at in self.visits.items() if s == staff_id and c in case_ids},
            {c: [m.created_at for m in self._messages(c) if m.author == "reporter"]
             for c in case_ids},
            {c: [e.received_at for e in self.uow.fake_cases.evidence(c)] for c in case_ids})

    def assignment(self, case_id: str) -> CaseAssignmentRecord | None:
        return self.assignments.get(case_id)

    def assign(self, case_id: str, staff_id: str, by: str, at: datetime) -> None:
        self.assignments[case_id] = CaseAssignmentRecord(case_id=case_id, staff_id=staff_id,
                                                         assigned_by=by, assigned_at=at)

    def unassign(self, case_id: str) -> None:
        self.assignments.pop(case_id, None)

    def mark_seen(self, staff_id: str, case_id: str, at: datetime) -> datetime | None:
        previous = self.visits.get((staff_id, case_id))
        self.visits[(staff_id, case_id)] = at
        return previous

    def first_reply_at(self, case_id: str) -> datetime | None:
        return min((m.created_at for m in self._messages(case_id) if m.author == "staff"),
                   default=None)

    def case_keys(self, since: datetime | None = None) -> list[tuple[str, str, list[str],
                                                                     list[str], datetime]]:
        return [(c.id, c.code, list(c.author_handles), list(c.urls), c.created_at)
                for c in self.uow.fake_cases.queue(None, None)
                if since is None or c.created_at >= since]
