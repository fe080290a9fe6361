"""The counsellors' workbench over SQL: the queue with its filters and reply times, assignments,
last seen, canned replies, image hashes, and the look-ups behind search, related cases and
statistics.

``desk(uow)`` gives the repository of an open SQL unit of work (the session stays in ``store``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from rempart.store.db import TS
from rempart.store.staff_tables import (
    CannedReplyRecord,
    CaseAssignmentRecord,
    CaseSeenRecord,
    EvidencePdqRecord,
)
from rempart.store.tables import (
    AuditRecord,
    CaseRecord,
    EvidenceRecord,
    MessageRecord,
    StaffRecord,
)
from rempart.store.uow import UnitOfWork
from rempart.store.workbench_tables import ReferralRecord, TakedownRecord

NOBODY = "none"  # the assignee filter for cases nobody has taken


@dataclass(frozen=True)
class QueueQuery:
    status: str | None = None
    kind: str | None = None
    platform: str | None = None
    assignee: str | None = None  # a staff id, NOBODY, or None for everyone
    overdue: bool = False
    case_ids: frozenset[str] | None = None  # restrict to these (search results)
    exclude_closed: bool = False


@dataclass(frozen=True)
class QueueData:
    case: CaseRecord
    unanswered_since: datetime | None  # the oldest reporter's word not answered yet
    first_reply_at: datetime | None
    last_reporter_at: datetime | None


@dataclass(frozen=True)
class RowExtras:
    assignee: dict[str, tuple[str, str]]  # case id -> (staff id, e-mail)
    seen: dict[str, datetime]  # case id -> when this member last opened it
    reporter_times: dict[str, list[datetime]]  # reporter messages per case
    evidence_times: dict[str, list[datetime]]


def _json_contains(column: Any, value: str) -> ColumnElement[bool]:
    """``value`` is one element of a JSON list of strings (same trick as the case queue)."""
    return cast(column, String).contains(json.dumps(value), autoescape=True)


def _reply(case_id: Any) -> ColumnElement[bool]:
    return and_(MessageRecord.case_id == case_id, MessageRecord.author == "staff",
                MessageRecord.internal.is_(False))


def _from_reporter(case_id: Any) -> ColumnElement[bool]:
    return and_(MessageRecord.case_id == case_id, MessageRecord.author == "reporter")


class SqlDeskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # The queue -----------------------------------------------------------------------------

    def _times(self) -> tuple[ColumnElement[datetime], ColumnElement[datetime],
                              ColumnElement[datetime], ColumnElement[datetime]]:
        first_reply = select(func.min(MessageRecord.created_at)).where(
            _reply(CaseRecord.id)).correlate(CaseRecord).scalar_subquery()
        last_reply = select(func.max(MessageRecord.created_at)).where(
            _reply(CaseRecord.id)).correlate(CaseRecord).scalar_subquery()
        last_reporter = select(func.max(MessageRecord.created_at)).where(
            _from_reporter(CaseRecord.id)).correlate(CaseRecord).scalar_subquery()
        answered = aliased(MessageRecord)
        latest_answer = select(func.max(answered.created_at)).where(
            answered.case_id == CaseRecord.id, answered.author == "staff",
            answered.internal.is_(False)).correlate(CaseRecord).scalar_subquery()
        waiting_message = select(func.min(MessageRecord.created_at)).where(
            _from_reporter(CaseRecord.id), MessageRecord.created_at > latest_answer
        ).correlate(CaseRecord).scalar_subquery()
        unanswered = type_coerce(case(
            (CaseRecord.status == "closed", None),
            (first_reply.is_(None), CaseRecord.created_at),
            else_=waiting_message), TS)
        return (unanswered, type_coerce(first_reply, TS), type_coerce(last_reporter, TS),
                type_coerce(last_reply, TS))

    def queue(self, query: QueueQuery, now: datetime, due: dict[int, timedelta],
              default_due: timedelta, limit: int, offset: int) -> list[QueueData]:
        """Most urgent first; within a priority, the case waiting longest for an answer first,
        then the oldest. ``due`` maps a minimum priority to its response time (overdue)."""
        unanswered, first_reply, last_reporter, _ = self._times()
        statement = select(CaseRecord, unanswered, first_reply, last_reporter).order_by(
            CaseRecord.priority.desc(), case((unanswered.is_(None), 1), else_=0),
            unanswered, CaseRecord.created_at, CaseRecord.id)
        if query.status is not None:
            statement = statement.where(CaseRecord.status == query.status)
        elif query.exclude_closed:
            statement = statement.where(CaseRecord.status != "closed")
        if query.kind is not None:
            statement = statement.where(_json_contains(CaseRecord.kinds, query.kind))
        if query.platform is not None:
            statement = statement.where(or_(
                _json_contains(CaseRecord.platforms, query.platform),
                func.lower(CaseRecord.other_platform) == query.platform.lower()))
        if query.assignee == NOBODY:
            statement = statement.where(~select(CaseAssignmentRecord.case_id).where(
                CaseAssignmentRecord.case_id == CaseRecord.id).exists())
        elif query.assignee is not None:
            statement = statement.where(select(CaseAssignmentRecord.case_id).where(
                CaseAssignmentRecord.case_id == CaseRecord.id,
                CaseAssignmentRecord.staff_id == query.assignee).exists())
        if query.case_ids is not None:
            statement = statement.where(CaseRecord.id.in_(sorted(query.case_ids))
                                        if query.case_ids else false())
        if query.overdue:
            limits = []
            bounds = sorted(due.items())
            for index, (floor, delay) in enumerate(bounds):
                ceiling = bounds[index + 1][0] if index + 1 < len(bounds) else None
                band = CaseRecord.priority >= floor
                if ceiling is not None:
                    band = and_(band, CaseRecord.priority < ceiling)
                limits.append(and_(band, unanswered < now - delay))
            lowest = bounds[0][0] if bounds else 1 << 30
            limits.append(and_(CaseRecord.priority < lowest, unanswered < now - default_due))
            statement = statement.where(unanswered.is_not(None), or_(*limits))
        rows = self.session.execute(statement.limit(limit).offset(offset))
        return [QueueData(c, u, f, r) for c, u, f, r in rows]

    def extras(self, case_ids: list[str], staff_id: str) -> RowExtras:
        if not case_ids:
            return RowExtras({}, {}, {}, {})
        assignee = {case_id: (sid, email) for case_id, sid, email in self.session.execute(
            select(CaseAssignmentRecord.case_id, StaffRecord.id, StaffRecord.email)
            .join(StaffRecord, StaffRecord.id == CaseAssignmentRecord.staff_id)
            .where(CaseAssignmentRecord.case_id.in_(case_ids)))}
        seen = {case_id: at for case_id, at in self.session.execute(
            select(CaseSeenRecord.case_id, CaseSeenRecord.seen_at).where(
                CaseSeenRecord.staff_id == staff_id, CaseSeenRecord.case_id.in_(case_ids)))}
        reporter: dict[str, list[datetime]] = {}
        for case_id, at in self.session.execute(
                select(MessageRecord.case_id, MessageRecord.created_at).where(
                    MessageRecord.case_id.in_(case_ids), MessageRecord.author == "reporter")):
            reporter.setdefault(case_id, []).append(at)
        evidence: dict[str, list[datetime]] = {}
        for case_id, at in self.session.execute(
                select(EvidenceRecord.case_id, EvidenceRecord.received_at).where(
                    EvidenceRecord.case_id.in_(case_ids))):
            evidence.setdefault(case_id, []).append(at)
        return RowExtras(assignee, seen, reporter, evidence)

    # Assignment and last seen -------------------------------------------------------------

    def assignment(self, case_id: str) -> CaseAssignmentRecord | None:
        return self.session.get(CaseAssignmentRecord, case_id)

    def assign(self, case_id: str, staff_id: str, by: str, at: datetime) -> None:
        current = self.assignment(case_id)
        if current is None:
            self.session.add(CaseAssignmentRecord(case_id=case_id, staff_id=staff_id,
                                                  assigned_by=by, assigned_at=at))
        else:
            current.staff_id, current.assigned_by, current.assigned_at = staff_id, by, at

    def unassign(self, case_id: str) -> None:
        self.session.execute(delete(CaseAssignmentRecord).where(
            CaseAssignmentRecord.case_id == case_id))

    def mark_seen(self, staff_id: str, case_id: str, at: datetime) -> datetime | None:
        """Records the visit; returns the previous one."""
        row = self.session.get(CaseSeenRecord, (staff_id, case_id))
        if row is None:
            self.session.add(CaseSeenRecord(staff_id=staff_id, case_id=case_id, seen_at=at))
            return None
        previous, row.seen_at = row.seen_at, at
        return previous

    def first_reply_at(self, case_id: str) -> datetime | None:
        found: datetime | None = self.session.scalar(
            select(func.min(MessageRecord.created_at)).where(
                _reply(MessageRecord.case_id), MessageRecord.case_id == case_id))
        return found

    # Canned replies -----------------------------------------------------------------------

    def canned_replies(self, language: str | None = None) -> list[CannedReplyRecord]:
        statement = select(CannedReplyRecord).order_by(CannedReplyRecord.language,
                                                       CannedReplyRecord.title,
                                                       CannedReplyRecord.id)
        if language is not None:
            statement = statement.where(CannedReplyRecord.language == language)
        return list(self.session.scalars(statement))

    def canned_reply(self, reply_id: str) -> CannedReplyRecord | None:
        return self.session.get(CannedReplyRecord, reply_id)

    def add_canned_reply(self, record: CannedReplyRecord) -> None:
        self.session.add(record)

    def delete_canned_reply(self, record: CannedReplyRecord) -> None:
        self.session.delete(record)

    # Image hashes -------------------------------------------------------------------------

    def pdq_of_case(self, case_id: str) -> dict[str, EvidencePdqRecord]:
        return {r.item_id: r for r in self.session.scalars(
            select(EvidencePdqRecord).where(EvidencePdqRecord.case_id == case_id))}

    def add_pdq(self, record: EvidencePdqRecord) -> None:
        self.session.add(record)

    def all_pdq(self, exclude_case: str) -> list[tuple[str, str, str]]:
        """(case id, item id, hash) of every hashed image of the other cases."""
        return [(c, i, h or "") for c, i, h in self.session.execute(
            select(EvidencePdqRecord.case_id, EvidencePdqRecord.item_id, EvidencePdqRecord.pdq)
            .where(EvidencePdqRecord.pdq.is_not(None),
                   EvidencePdqRecord.case_id != exclude_case))]

    # Search and related cases -------------------------------------------------------------

    def search(self, words: Iterable[str], limit: int) -> list[str]:
        """Case ids whose code, author handles, links or description hold every word. The text
        is sealed at rest: handles, links and words are matched through the keyed blind index
        (rempart.evidence.sealed.matching_case_ids); the code is in clear."""
        from rempart.evidence.sealed import matching_case_ids

        statement = select(CaseRecord.id)
        for word in words:
            code = func.lower(CaseRecord.code).contains(word, autoescape=True)
            indexed = matching_case_ids(self.session, [word])
            if indexed is None:  # no keyring on this engine: the columns are in clear
                statement = statement.where(or_(
                    code,
                    func.lower(cast(CaseRecord.author_handles, String)).contains(
                        word, autoescape=True),
                    func.lower(cast(CaseRecord.urls, String)).contains(word, autoescape=True),
                    func.lower(CaseRecord.description).contains(word, autoescape=True)))
            else:
                statement = statement.where(or_(code, CaseRecord.id.in_(sorted(indexed))))
        return list(self.session.scalars(statement.order_by(
            CaseRecord.priority.desc(), CaseRecord.created_at, CaseRecord.id).limit(limit)))

    def case_keys(self, since: datetime | None = None) -> list[tuple[str, str, list[str],
                                                                     list[str], datetime]]:
        """(id, code, author handles, links, received) of every case, or those since a date
        (whole rows: handles and links are sealed at rest, opened when a row is loaded)."""
        statement = select(CaseRecord)
        if since is not None:
            statement = statement.where(CaseRecord.created_at >= since)
        return [(c.id, c.code, list(c.author_handles), list(c.urls), c.created_at) for c in
                self.session.scalars(statement.order_by(CaseRecord.created_at, CaseRecord.id))]

    def cases_sharing_files(self, case_id: str) -> list[tuple[str, str]]:
        """(other case id, SHA-256) of files that are also in this case."""
        mine = select(EvidenceRecord.sha256).where(EvidenceRecord.case_id == case_id)
        return [(c, h) for c, h in self.session.execute(
            select(EvidenceRecord.case_id, EvidenceRecord.sha256).where(
                EvidenceRecord.sha256.in_(mine), EvidenceRecord.case_id != case_id)
            .distinct())]

    def codes(self, case_ids: Iterable[str]) -> dict[str, str]:
        ids = sorted(set(case_ids))
        if not ids:
            return {}
        return {i: c for i, c in self.session.execute(
            select(CaseRecord.id, CaseRecord.code).where(CaseRecord.id.in_(ids)))}

    # Statistics ---------------------------------------------------------------------------

    def stats_rows(self, since: datetime | None, until: datetime | None
                   ) -> list[tuple[str, list[str], bool, int, datetime, datetime | None]]:
        """(id, kinds, minor, priority, received, first reply) of the cases in the range."""
        first_reply = select(func.min(MessageRecord.created_at)).where(
            _reply(CaseRecord.id)).correlate(CaseRecord).scalar_subquery()
        statement = select(CaseRecord.id, CaseRecord.kinds, CaseRecord.victim_is_minor,
                           cast(CaseRecord.priority, Integer), CaseRecord.created_at,
                           type_coerce(first_reply, TS))
        if since is not None:
            statement = statement.where(CaseRecord.created_at >= since)
        if until is not None:
            statement = statement.where(CaseRecord.created_at < until)
        return [(i, list(k), bool(m), p, at, f) for i, k, m, p, at, f in
                self.session.execute(statement.order_by(CaseRecord.created_at))]


    def takedown_rows(self, since: datetime | None, until: datetime | None
                      ) -> list[tuple[str, str, datetime | None, datetime | None]]:
        """(platform, status, sent, decided) of the takedowns drafted in the range."""
        statement = select(TakedownRecord.platform, TakedownRecord.status,
                           TakedownRecord.sent_at, TakedownRecord.decided_at)
        if since is not None:
            statement = statement.where(TakedownRecord.created_at >= since)
        if until is not None:
            statement = statement.where(TakedownRecord.created_at < until)
        return [(p, s, a, d) for p, s, a, d in self.session.execute(statement)]

    def referral_rows(self, since: datetime | None, until: datetime | None) -> list[str]:
        """The target of each referral recorded in the range."""
        statement = select(ReferralRecord.target)
        if since is not None:
            statement = statement.where(ReferralRecord.created_at >= since)
        if until is not None:
            statement = statement.where(ReferralRecord.created_at < until)
        return list(self.session.scalars(statement))


    def audit_rows(self, staff_id: str | None, case_id: str | None, action: str | None,
                   since: datetime | None, until: datetime | None, limit: int
                   ) -> list[tuple[AuditRecord, str | None, str | None]]:
        """Audit events, newest first, with the staff e-mail and the case code (when the
        account and the case still exist)."""
        statement = (select(AuditRecord, StaffRecord.email, CaseRecord.code)
                     .outerjoin(StaffRecord, StaffRecord.id == AuditRecord.staff_id)
                     .outerjoin(CaseRecord, CaseRecord.id == AuditRecord.case_id)
                     .order_by(AuditRecord.id.desc()).limit(limit))
        if staff_id is not None:
            statement = statement.where(AuditRecord.staff_id == staff_id)
        if case_id is not None:
            statement = statement.where(AuditRecord.case_id == case_id)
        if action is not None:
            statement = statement.where(AuditRecord.action == action)
        if since is not None:
            statement = statement.where(AuditRecord.at >= since)
        if until is not None:
            statement = statement.where(AuditRecord.at < until)
        return [(event, email, code) for event, email, code in self.session.execute(statement)]


def desk(uow: UnitOfWork) -> SqlDeskRepository:
    """The workbench repository of an open unit of work (SQL; the tests' in-memory unit of
    work brings its own as ``in_memory_desk``)."""
    in_memory = getattr(uow, "in_memory_desk", None)
    if in_memory is not None:
        return in_memory  # type: ignore[no-any-return]
    if uow.session is None:
        raise RuntimeError("the workbench needs an open unit of work (`with uow:`)")
    return SqlDeskRepository(uow.session)
